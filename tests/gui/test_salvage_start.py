# mypy: allow-untyped-calls
"""Issue 14 §2 at the app's start: a damaged cache no longer stops the app at the start page.
It is moved aside, the guard is told how many unsynced checks were recovered, the app goes on
to log in, and the recovered checks reach the server."""

from __future__ import annotations

import random
import uuid
from datetime import timedelta

from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from shoumen_core.policy import Finding, FindingState, Source, VerdictLevel
from shoumen_core.schemas import CheckMethod, CheckRecordIn
from shoumen_core.timeutil import utcnow
from shoumen_gui.services.ids import uuid7
from tests.gui.conftest import GUARD_PHONE, LiveBackend, MakeApp, MemoryKeyring

UNSYNCED = 40


def test_a_damaged_cache_is_salvaged_at_start_and_the_guard_is_told(
    qtbot: QtBot, make_station_app: MakeApp, embedded: LiveBackend, memory_keyring: MemoryKeyring
) -> None:
    first = make_station_app(demo_login=GUARD_PHONE)
    first.start()
    station = first.station
    venue_id, checkpoint_id, user_id = station.post.venue_id, station.post.checkpoint_id, station.post.user.id
    first.flow.shutdown()  # no more syncing: what follows stays unsynced
    records = [
        CheckRecordIn(
            id=uuid7(),
            venue_id=venue_id,
            checkpoint_id=checkpoint_id,
            method=CheckMethod.SCAN,
            checked_at=utcnow() - timedelta(minutes=1),
            level=VerdictLevel.PASS,
            findings=[
                Finding(source=Source.HEALTH_CODE, state=FindingState.OK, reason="code_green", message="绿码")
            ],
            person_ref=uuid.uuid4().hex,
            masked_name="张*",
            masked_id="3306**********1234",
            device_id="dev",
        )
        for _ in range(UNSYNCED)
    ]
    first.cache.add_checks_bulk((r, user_id) for r in records)
    path = first.cache.path
    first.close()
    first.flow.cache = None  # closed: the fixture must not close it again
    data = bytearray(path.read_bytes())
    data[:100] = random.Random(14).randbytes(100)  # a garbage header: "file is not a database"
    path.write_bytes(bytes(data))

    second = make_station_app(demo_login=GUARD_PHONE)
    with qtbot.waitSignal(second.flow.salvaged, timeout=20_000) as told:
        second.start()  # reaches the workbench: no dead end at the start page
    assert second.window.current_page is second.window.workbench
    moved = [p for p in path.parent.iterdir() if p.name.startswith(path.name + ".damaged-")]
    assert [p.name for p in moved if not p.name.endswith(("-wal", "-shm"))] != []
    notice = second.flow.salvage_notice
    assert isinstance(notice, QMessageBox) and notice.objectName() == "salvageNotice" and notice.isVisible()
    assert told.args[0].startswith("本机数据文件已损坏，已另存为 ")
    assert f"已恢复 {UNSYNCED} 条未上传的核验记录" in notice.text()
    notice.accept()
    qtbot.waitUntil(lambda: {r.id for r in records} <= set(embedded.server_checks()), timeout=20_000)
