# mypy: allow-untyped-calls
"""End to end on the real embedded backend: demo persons get their verdicts; with the backend
down the checks go on offline; when it comes back every check reaches the server exactly once.

Driven as a guard would: the login page with the demo code, the checkpoint picker, the ID pad.
"""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from shoumen_core.policy import LEVEL_WORDS
from shoumen_core.schemas import PushRequest
from shoumen_gui.services.checks import CheckResult
from shoumen_server.seed import DEMO_PATHS
from tests.gui.conftest import GUARD_PHONE, LiveBackend, MakeApp, MemoryKeyring
from tests.gui.helpers import click, find, log_in, type_id, verdict, wait_for_page

pytestmark = pytest.mark.slow

UNKNOWN_PERSON = "330624198503121020"  # valid, not in the registry (docs/DEMO.md)


def status_text(window: object, name: str) -> str:
    text: str = find(window, QLabel, name).text()  # type: ignore[arg-type]
    return text


def test_checks_online_offline_and_back(
    qtbot: QtBot,
    make_station_app: MakeApp,
    embedded: LiveBackend,
    memory_keyring: MemoryKeyring,
) -> None:
    app = make_station_app()
    app.start()
    window = app.window
    log_in(qtbot, window, GUARD_PHONE)
    wait_for_page(qtbot, window, "checkpointPicker")
    south = next(b for b in window.checkpoint_picker.buttons if b.text() == "南门")
    with qtbot.waitSignal(app.flow.ready, timeout=20_000):
        click(qtbot, window, south.objectName())

    results: list[CheckResult] = []
    window.workbench.check_finished.connect(
        lambda outcome: results.append(outcome) if isinstance(outcome, CheckResult) else None
    )

    # Online: every documented demo person gets the documented verdict.
    for path in DEMO_PATHS:
        if path.kind.value != "resident_id":
            click(qtbot, window, "kindPass")
        type_id(qtbot, window, path.number)
        assert verdict(window) == LEVEL_WORDS[path.expected], path.key
        assert status_text(window, "resultSource") == "在线核验"
        if path.kind.value != "resident_id":
            click(qtbot, window, "kindResidentId")
    type_id(qtbot, window, UNKNOWN_PERSON)
    assert verdict(window) == "无法核验"
    assert status_text(window, "rowHealthCodeReason") == "未查询到该证件的健康信息，请人工核验"
    online = len(results)
    assert online == len(DEMO_PATHS) + 1
    qtbot.waitUntil(lambda: status_text(window, "syncPending") == "待同步 0", timeout=15_000)
    qtbot.waitUntil(lambda: embedded.count_checks() == online, timeout=10_000)

    # The backend goes down: checks go on, offline, grey, and wait for the guard's decision.
    embedded.backend.stop()
    offline_paths = [p for p in DEMO_PATHS if p.key in ("green_fresh", "red", "no_nat")]
    for path in offline_paths:
        type_id(qtbot, window, path.number)
        assert verdict(window) == "无法核验"
        assert status_text(window, "resultSource") == "离线，未能核验"
        assert status_text(window, "rowHealthCodeReason") == "离线状态无法核验证件，请人工决定"
    with qtbot.waitSignal(window.workbench.result_panel.decision_recorded, timeout=10_000):
        click(qtbot, window, "manualTurnAway")
    qtbot.waitUntil(lambda: status_text(window, "syncOnline") == "○ 离线", timeout=10_000)
    qtbot.waitUntil(
        lambda: status_text(window, "syncPending") == f"待同步 {len(offline_paths)}", timeout=10_000
    )
    assert embedded.count_checks() == online

    # It comes back on the same address: the outbox drains by itself.
    embedded.backend.start()
    qtbot.waitUntil(lambda: status_text(window, "syncOnline") == "● 在线", timeout=20_000)
    qtbot.waitUntil(lambda: status_text(window, "syncPending") == "待同步 0", timeout=20_000)

    local_ids = [result.record_id for result in results]
    assert len(set(local_ids)) == len(local_ids) == online + len(offline_paths)
    qtbot.waitUntil(lambda: embedded.count_checks() == len(local_ids), timeout=10_000)
    server = embedded.server_checks()
    assert set(server) == set(local_ids)  # every check arrived, and nothing else
    for result in results[online:]:
        row = server[result.record_id]
        assert row.offline is True and row.level == "cannot_verify"
        assert row.checkpoint_id == int(south.objectName().removeprefix("checkpoint_"))
    assert server[results[-1].record_id].manual_decision == "turn_away"

    # A resend is harmless: the server upserts by the device's id (e.g. an answer lost in transit).
    cache, api = app.flow.cache, app.flow.api
    assert cache is not None and api is not None
    again = [stored.record for record_id in local_ids[-3:] if (stored := cache.check(record_id)) is not None]
    answer = api.sync.push(PushRequest(device_id=cache.device_id(), checks=again))
    assert set(answer.accepted) == set(local_ids[-3:]) and not answer.rejected
    assert embedded.count_checks() == len(local_ids)
