"""The tests' typing helper (helpers.type_id) is one scan however this process is scheduled.

Seen in the parallel suite (two pytest-xdist workers on two busy cores): the test process waited
for a core longer than the wedge filter's 50 ms between two of keyClicks' synthetic key presses,
and the filter took the first digits for a person's typing and the rest for a shorter scan; the
check never passed. The wait is made here on purpose, on the filter's clock."""

from __future__ import annotations

from collections.abc import Callable

from shoumen_gui.paths import AppPaths
from shoumen_server.seed import DEMO_PATHS_BY_KEY
from tests.gui.conftest import GUARD_PHONE, LiveBackend, MakeApp, MemoryKeyring
from tests.gui.helpers import type_id, verdict

GREEN = DEMO_PATHS_BY_KEY["green_fresh"].number  # 通行


class DescheduledMidNumber:
    """The real clock, 200 ms later from its `after`-th reading on: as if the process had waited
    that long for a core between two key presses."""

    def __init__(self, real: Callable[[], float], after: int) -> None:
        self.real, self.after, self.readings = real, after, 0

    def __call__(self) -> float:
        self.readings += 1
        return self.real() + (200.0 if self.readings > self.after else 0.0)


def test_a_typed_number_is_one_scan_even_when_the_test_waits_for_a_core_mid_number(
    make_station_app: MakeApp, embedded: LiveBackend, app_paths: AppPaths, memory_keyring: MemoryKeyring
) -> None:
    app = make_station_app(demo_login=GUARD_PHONE)
    app.start()
    workbench = app.window.workbench
    assert workbench.wedge is not None
    clock = DescheduledMidNumber(workbench.wedge.clock, after=8)
    workbench.wedge.clock = clock
    type_id(app.qtbot, app.window, GREEN)
    assert clock.readings > 8  # the wait did fall inside the number
    assert verdict(app.window) == "通行"
