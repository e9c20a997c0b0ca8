"""The one bridge from worker threads to the GUI thread.

After Anki's `aqt/taskman.py` and Picard's `run_task`: network work runs on a thread pool,
database work on a single serial worker (one writer, in order), and results come back to the
GUI thread by a queued signal, where the callbacks run. Worker code never touches widgets.
Gate commands (services/gate.py) have a lane of their own, one thread: a gate that hangs until
its timeout must neither delay the next check (the serial worker) nor hold a network thread.
The keyring has one too: a save and a clear of the session token run in the order they were
asked for (on the pool a slow clear could land after a re-login's save and delete the new
token), and a slow keyring (a D-Bus secret service) never delays a check.

Widgets do not pick a lane: they run operations (shoumen_gui/ops), each declared once with its
lane; `submit(lane, ...)` is what an operation calls.

Tests can use ImmediateTaskManager, which runs everything at once on the calling thread.
"""

from __future__ import annotations

import functools
import logging
import sys
import threading
from collections.abc import Callable
from enum import Enum
from typing import Any, TypeVar

from PySide6.QtCore import QObject, QThreadPool, Signal, Slot

log = logging.getLogger("shoumen.gui.tasks")

T = TypeVar("T")
SuccessCallback = Callable[[Any], None]
FailureCallback = Callable[[Exception], None]

NETWORK_THREADS = 4


class Lane(Enum):
    """Where an operation runs. Declared by the operation (shoumen_gui/ops), never by a widget."""

    NETWORK = "network"  # the pool: requests that need no order among themselves
    WORK = "work"  # the pool too: independent local work (hashing a PIN, writing a file)
    CACHE = "cache"  # one thread, in order: the local SQLite cache (and settings file)
    KEYRING = "keyring"  # one thread, in order: the stored session (token) and gate secrets
    GATE = "gate"  # one thread, in order: gate commands, which may block until their timeout


class TaskManager(QObject):
    """Runs callables off the GUI thread; `on_success`/`on_failure` run on the GUI thread.

    An exception with no `on_failure` is a bug: it goes to sys.excepthook on the GUI thread
    (the crash handler in the app, a test failure under pytest-qt).
    """

    _deliver = Signal(object)  # a zero-argument callable to run on the GUI thread
    idle_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(NETWORK_THREADS)
        self._serial = QThreadPool(self)
        self._serial.setMaxThreadCount(1)  # one worker: database work runs in submission order
        self._serial.setExpiryTimeout(-1)  # keep the thread: SQLite connections are per thread
        self._gate = QThreadPool(self)
        self._gate.setMaxThreadCount(1)  # one gate command at a time, in order (a pulse is not interleaved)
        self._keyring = QThreadPool(self)
        self._keyring.setMaxThreadCount(1)  # a clear queued before a save runs before it
        self._lanes = {
            Lane.NETWORK: self._pool,
            Lane.WORK: self._pool,
            Lane.CACHE: self._serial,
            Lane.KEYRING: self._keyring,
            Lane.GATE: self._gate,
        }
        self._in_flight = 0
        self._closed = False
        self._deliver.connect(self._run_delivered)

    # --- public API ---------------------------------------------------------------------

    def run(
        self,
        fn: Callable[[], T],
        on_success: Callable[[T], None] | None = None,
        on_failure: FailureCallback | None = None,
    ) -> None:
        """Network and other independent work, on the pool."""
        self._submit(self._pool, fn, on_success, on_failure)

    def run_serial(
        self,
        fn: Callable[[], T],
        on_success: Callable[[T], None] | None = None,
        on_failure: FailureCallback | None = None,
    ) -> None:
        """Database work: one at a time, in the order submitted."""
        self._submit(self._serial, fn, on_success, on_failure)

    def run_gate(
        self,
        fn: Callable[[], T],
        on_success: Callable[[T], None] | None = None,
        on_failure: FailureCallback | None = None,
    ) -> None:
        """Gate commands (they block up to the gate's timeout plus its pulse): one at a time,
        in the order submitted, on their own thread."""
        self._submit(self._gate, fn, on_success, on_failure)

    def submit(
        self,
        lane: Lane,
        fn: Callable[[], T],
        on_success: Callable[[T], None] | None = None,
        on_failure: FailureCallback | None = None,
    ) -> None:
        """Run `fn` on `lane` (what ops.Op.run calls; widgets run operations, not this)."""
        self._submit(self._lanes[lane], fn, on_success, on_failure)

    def call_in_gui(self, fn: Callable[[], None]) -> None:
        """From any thread (e.g. a service's listener): run `fn` on the GUI thread soon."""
        if not self._closed:
            self._emit(fn)

    @property
    def idle(self) -> bool:
        return self._in_flight == 0

    def shutdown(self, timeout_ms: int = 5000) -> bool:
        """Stop accepting work and wait for running tasks; their callbacks are dropped."""
        self._closed = True
        self._pool.clear()
        self._serial.clear()
        self._gate.clear()
        self._keyring.clear()
        done = self._pool.waitForDone(timeout_ms)
        done = self._serial.waitForDone(timeout_ms) and done
        done = self._gate.waitForDone(timeout_ms) and done
        done = self._keyring.waitForDone(timeout_ms) and done
        if not done:
            log.warning("tasks still running after %d ms at shutdown", timeout_ms)
        return done

    # --- internals ------------------------------------------------------------------------

    def _submit(
        self,
        pool: QThreadPool,
        fn: Callable[[], T],
        on_success: Callable[[T], None] | None,
        on_failure: FailureCallback | None,
    ) -> None:
        if self._closed:
            log.debug("task manager closed; dropping %s", _name(fn))
            return
        self._started()
        # Everything the task refers to travels in `job` and is let go on the GUI thread
        # (_deliver_job clears it): the worker never holds the last reference. A callback that
        # was the last owner of a widget or a timer (a closed panel's bound method) once died
        # with the worker's closure on the worker thread — "Timers cannot be stopped from
        # another thread", and at times a crash in Qt.
        job: list[Any] = [fn, on_success, on_failure]

        def work() -> None:
            try:
                job.append((True, job[0]()))
            except Exception as exc:
                job.append((False, exc))
            self._emit(functools.partial(self._deliver_job, job))

        pool.start(work)

    def _deliver_job(self, job: list[Any]) -> None:
        fn, on_success, on_failure, (ok, value) = job
        job.clear()  # released here, on the GUI thread
        if ok:
            self._finish_success(value, on_success)
        else:
            self._finish_failure(value, on_failure, fn)

    def _emit(self, fn: Callable[[], None]) -> None:
        try:
            self._deliver.emit(fn)
        except RuntimeError:  # the manager was deleted while the task ran (app closing)
            log.debug("task finished after the task manager was deleted")

    def _finish_success(self, result: T, on_success: Callable[[T], None] | None) -> None:
        self._finished()
        if on_success is not None:
            on_success(result)

    def _finish_failure(
        self, error: Exception, on_failure: FailureCallback | None, fn: Callable[..., Any]
    ) -> None:
        self._finished()
        if on_failure is not None:
            on_failure(error)
            return
        log.error("task %s failed with no failure handler", _name(fn))
        sys.excepthook(type(error), error, error.__traceback__)

    def _started(self) -> None:
        self._in_flight += 1
        if self._in_flight == 1:
            self.idle_changed.emit(False)

    def _finished(self) -> None:
        self._in_flight -= 1
        if self._in_flight == 0:
            self.idle_changed.emit(True)

    @Slot(object)
    def _run_delivered(self, fn: Callable[[], None]) -> None:
        if not self._closed:
            fn()
        elif isinstance(fn, functools.partial) and fn.func == self._deliver_job:
            fn.args[0].clear()  # closed: no callback runs, but the job is let go here too


class ImmediateTaskManager(TaskManager):
    """Runs every task at once on the calling thread (tests; Picard's pattern).

    Callbacks run before run() returns, so a test sees the result without waiting. Work that
    comes from other threads (call_in_gui) still goes through the queued signal.
    """

    def _submit(
        self,
        pool: QThreadPool,
        fn: Callable[[], T],
        on_success: Callable[[T], None] | None,
        on_failure: FailureCallback | None,
    ) -> None:
        if self._closed:
            return
        self._started()
        try:
            result = fn()
        except Exception as exc:
            self._finish_failure(exc, on_failure, fn)
        else:
            self._finish_success(result, on_success)

    def submit(
        self,
        lane: Lane,
        fn: Callable[[], T],
        on_success: Callable[[T], None] | None = None,
        on_failure: FailureCallback | None = None,
    ) -> None:
        """Run `fn` on `lane` (what ops.Op.run calls; widgets run operations, not this)."""
        self._submit(self._lanes[lane], fn, on_success, on_failure)

    def call_in_gui(self, fn: Callable[[], None]) -> None:
        if threading.current_thread() is threading.main_thread():
            fn()
        else:
            super().call_in_gui(fn)


def _name(fn: Callable[..., Any]) -> str:
    return getattr(fn, "__qualname__", None) or repr(fn)
