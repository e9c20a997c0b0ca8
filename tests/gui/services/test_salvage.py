"""Issue 14 §2: a damaged cache is salvaged, not a dead end.

Real caches with synced and unsynced checks are damaged on disk the ways the issue saw —
garbage pages, truncated to half, a garbage header — then opened: the file is moved aside
(byte for byte), the unsynced checks that can still be read go into a fresh cache's outbox,
and they reach a real backend exactly once.
"""

from __future__ import annotations

import os
import random
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from shoumen_core.policy import Finding, FindingState, Source, VerdictLevel
from shoumen_core.schemas import AnomalyAction, AnomalyIn, AnomalyType, CheckMethod, CheckRecordIn
from shoumen_core.timeutil import utcnow
from shoumen_gui.services.cache import LocalCache
from shoumen_gui.services.ids import uuid7
from shoumen_gui.services.salvage import damage, open_or_salvage, recover, salvage
from shoumen_gui.services.sync import SyncEngine
from tests.gui.services.live_server import LiveServer
from tests.gui.services.station import Station, make_station

UNSYNCED = 240
SYNCED = 60
PAGE = 4096


def record(station: Station, at: datetime) -> CheckRecordIn:
    return CheckRecordIn(
        id=uuid7(),
        venue_id=station.venue_id,
        checkpoint_id=None,
        method=CheckMethod.SCAN,
        checked_at=at,
        level=VerdictLevel.PASS,
        findings=[
            Finding(source=Source.HEALTH_CODE, state=FindingState.OK, reason="code_green", message="绿码")
        ],
        person_ref=uuid.uuid4().hex,
        masked_name="张*",
        masked_id="3306**********1234",
        device_id="dev",
    )


@pytest.fixture
def filled(live: LiveServer, tmp_path: Path) -> Iterator[tuple[Station, set[str]]]:
    """A station whose cache holds SYNCED checks the server has and UNSYNCED it has not,
    closed (everything checkpointed into the file). Yields it and the unsynced ids."""
    station = make_station(live, tmp_path)
    start = utcnow() - timedelta(hours=1)
    synced = [record(station, start + timedelta(seconds=i)) for i in range(SYNCED)]
    station.cache.add_checks_bulk((r, station.user_id) for r in synced)
    engine = SyncEngine(station.cache, station.api, station.connectivity)
    assert engine.sync_now(station.venue_id, station.user_id).pending == 0
    unsynced = [record(station, start + timedelta(minutes=5, seconds=i)) for i in range(UNSYNCED)]
    station.cache.add_checks_bulk((r, station.user_id) for r in unsynced)
    assert station.cache.pending_count() == UNSYNCED
    station.cache.close()
    yield station, {str(r.id) for r in unsynced}


def garbage_pages(path: Path) -> None:
    data = bytearray(path.read_bytes())
    rng = random.Random(14)
    pages = len(data) // PAGE
    for page in (pages // 3, pages // 2, pages - 2):  # a few pages in the middle and near the end
        data[page * PAGE : (page + 1) * PAGE] = rng.randbytes(PAGE)
    path.write_bytes(bytes(data))


def truncated_to_half(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def garbage_header(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[:100] = random.Random(2).randbytes(100)
    path.write_bytes(bytes(data))


DAMAGES: dict[str, Callable[[Path], None]] = {
    "garbage_pages": garbage_pages,
    "truncated_to_half": truncated_to_half,
    "garbage_header": garbage_header,
}


@pytest.mark.parametrize("damage_kind", list(DAMAGES))
def test_a_damaged_cache_is_salvaged_and_its_unsynced_checks_sync_exactly_once(
    live: LiveServer, filled: tuple[Station, set[str]], damage_kind: str
) -> None:
    station, unsynced = filled
    path = station.cache.path
    DAMAGES[damage_kind](path)
    damaged_bytes = path.read_bytes()
    assert damage(path) is not None  # the fault: LocalCache.open stopped here

    opened = open_or_salvage(path, now=datetime(2026, 12, 3, 9, 0, tzinfo=UTC))
    report = opened.salvaged
    assert report is not None
    # The moved file stays for support, untouched.
    assert report.moved_to == path.with_name(path.name + ".damaged-20261203-090000")
    assert report.moved_to.read_bytes() == damaged_bytes
    cache = opened.cache
    recovered = {str(r.id) for r in cache.pending_checks(1000)}
    assert recovered <= unsynced  # nothing synced comes back, nothing invented
    assert report.checks == len(recovered) == cache.pending_count()
    if damage_kind == "garbage_header":
        assert recovered == unsynced  # the data pages are all intact
    elif damage_kind == "garbage_pages":
        assert len(recovered) >= UNSYNCED - 3 * 20  # at most the rows of three pages are lost
    else:
        assert recovered  # the unsynced rows are the newest, mostly in the lost half
    assert report.message().startswith(
        f"本机数据文件已损坏，已另存为 {report.moved_to}，已恢复 {report.checks} 条"
    )

    # To the backend: each recovered check once, counted once, also when pushed again.
    cache.apply_pull(
        station.venue_id, station.api.sync.pull(station.venue_id, ""), utcnow(), user_id=station.user_id
    )
    engine = SyncEngine(cache, station.api, station.connectivity)
    assert engine.sync_now(station.venue_id, station.user_id).pending == 0
    assert live.count_checks() == SYNCED + len(recovered)
    assert recovered <= set(live.check_ids())
    cache.close()
    # The technician salvages the moved file again on another station: resent, not doubled.
    again = LocalCache.open(path.with_name("again.db"))
    again.restore_outbox(*recover(report.moved_to))
    assert again.pending_count() == len(recovered)
    again.apply_pull(
        station.venue_id, station.api.sync.pull(station.venue_id, ""), utcnow(), user_id=station.user_id
    )
    assert (
        SyncEngine(again, station.api, station.connectivity)
        .sync_now(station.venue_id, station.user_id)
        .pending
        == 0
    )
    assert live.count_checks() == SYNCED + len(recovered)
    again.close()


def test_unsynced_rows_only_in_the_wal_are_recovered(tmp_path: Path) -> None:
    """A crash leaves the newest rows in the WAL: they are read from there too."""
    path = tmp_path / "cache.db"
    cache = LocalCache.open(path)
    cache._conn.execute("PRAGMA wal_autocheckpoint=0")  # keep every page in the WAL
    now = utcnow()
    records = [
        CheckRecordIn(
            id=uuid7(),
            venue_id=7,
            method=CheckMethod.DOCUMENT,
            checked_at=now,
            level=VerdictLevel.CANNOT_VERIFY,
            findings=[],
            sealed_document="c2VhbGVk",
            temperature=37.5 if i % 2 else None,
        )
        for i in range(50)
    ]
    cache.add_checks_bulk((r, 5) for r in records)
    anomaly = AnomalyIn(
        id=uuid7(),
        venue_id=7,
        sealed_name="c2VhbGVk",
        masked_name="王**",
        anomaly_type=AnomalyType.FEVER,
        action=AnomalyAction.TURN_AWAY,
        notes="长" * 2000,  # 6000 bytes, bigger than a page: read through its overflow pages
        created_at=now,
    )
    cache.save_anomaly(anomaly, 5)
    # Copy the file and WAL as a power cut would leave them, then damage the copy's header.
    copy = tmp_path / "copy" / "cache.db"
    copy.parent.mkdir()
    copy.write_bytes(path.read_bytes())
    copy.with_name("cache.db-wal").write_bytes(path.with_name("cache.db-wal").read_bytes())
    cache.close()
    garbage_header(copy)
    report = salvage(copy, "test")
    assert (report.checks, report.anomalies) == (50, 1)
    fresh = LocalCache.open(copy)
    assert {r.id for r in fresh.pending_checks()} == {r.id for r in records}
    assert fresh.pending_checks()[1].temperature == 37.5
    restored = fresh.anomaly(anomaly.id)
    assert restored is not None and restored.anomaly == anomaly and restored.state == "pending"
    fresh.close()
    assert report.moved_to.with_name(report.moved_to.name + "-wal").exists()


def test_a_sound_cache_is_opened_as_it_is(tmp_path: Path) -> None:
    path = tmp_path / "cache.db"
    LocalCache.open(path).close()
    opened = open_or_salvage(path)
    assert opened.salvaged is None
    opened.cache.close()
    assert os.listdir(tmp_path) == ["cache.db"]
