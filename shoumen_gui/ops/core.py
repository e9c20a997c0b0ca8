"""Operations: a service call declared once with its lane; widgets say what follows.

After Anki's ``CollectionOp(parent, op).success(cb).failure(cb).run_in_background()``: an
operation knows where it runs (tasks.Lane), the widget that starts it only says what to do
with the answer::

    ops.session.login(api, phone, code, device).success(self._on_logged_in).failure(
        self._on_login_failed
    ).run(self.tasks, self)

A lane is chosen in one place, the ``@operation(Lane.X)`` on the function in this package,
never at a call site: the keyring's save and clear were once on different lanes (a clear on
the unordered pool could land after a re-login's save and delete the new token), because each
widget picked its own. tests/gui/test_ops_lanes.py fails when code under ui/ calls the task
manager directly.

With ``parent``, the callbacks are tied to that QObject's life: a dialog closed (and deleted)
while its request was out never receives the answer.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Generic, ParamSpec, TypeVar

import shiboken6
from PySide6.QtCore import QObject

from shoumen_gui.tasks import Lane, TaskManager

log = logging.getLogger("shoumen.gui.ops")

T = TypeVar("T")
P = ParamSpec("P")

__all__ = ["Lane", "Op", "operation"]


class Op(Generic[T]):
    """One run of a declared operation: ``.success(cb).failure(cb).run(tasks, parent)``.

    Without ``failure``, an exception is a bug and goes to the crash handler (as in
    TaskManager). Callbacks run on the GUI thread.
    """

    def __init__(self, fn: Callable[[], T], lane: Lane, name: str = "") -> None:
        self.fn = fn
        self.lane = lane
        self.name = name or getattr(fn, "__qualname__", repr(fn))
        self._on_success: Callable[[T], None] | None = None
        self._on_failure: Callable[[Exception], None] | None = None

    def success(self, callback: Callable[[T], None]) -> Op[T]:
        self._on_success = callback
        return self

    def failure(self, callback: Callable[[Exception], None]) -> Op[T]:
        self._on_failure = callback
        return self

    def run(self, tasks: TaskManager, parent: QObject | None = None) -> None:
        on_success, on_failure, name = self._on_success, self._on_failure, self.name

        def alive() -> bool:
            if parent is None or shiboken6.isValid(parent):
                return True
            log.debug("%s finished after its widget was deleted; answer dropped", name)
            return False

        def succeeded(result: T) -> None:
            if on_success is not None and alive():
                on_success(result)

        def failed(error: Exception) -> None:
            if on_failure is not None and alive():
                on_failure(error)

        fn = self.fn

        def work() -> T:
            return fn()

        work.__qualname__ = name  # what the task manager logs for an unhandled failure
        # No failure handler: the manager's own path (the crash handler) sees the exception.
        tasks.submit(self.lane, work, succeeded, failed if on_failure is not None else None)


def operation(lane: Lane) -> Callable[[Callable[P, T]], Callable[P, Op[T]]]:
    """Declare a function as an operation on ``lane``: calling it gives an Op, not a result."""

    def declare(fn: Callable[P, T]) -> Callable[P, Op[T]]:
        @functools.wraps(fn)
        def make(*args: P.args, **kwargs: P.kwargs) -> Op[T]:
            return Op(functools.partial(fn, *args, **kwargs), lane, fn.__qualname__)

        make.lane = lane  # type: ignore[attr-defined]  # for tests and the architecture table
        make.work = fn  # type: ignore[attr-defined]  # the plain function, for tests
        return make

    return declare
