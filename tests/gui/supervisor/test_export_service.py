"""AdminService exports (Qt-free): streamed to disk with progress, cancellable, never leaving a
partial file under the real name; refusals and a lost connection are typed errors."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from shoumen_core.policy import VerdictLevel
from shoumen_core.schemas import ExportFormat
from shoumen_core.timeutil import local_day, utcnow
from shoumen_gui.services.admin import AdminService, ExportCancelled
from shoumen_gui.services.api import ApiClient
from shoumen_gui.services.errors import OfflineError, PermissionDenied, ServerRejected
from shoumen_gui.services.session import login_with_demo_code
from tests.gui.conftest import GUARD_PHONE, LiveBackend
from tests.gui.venue.drive import REGION, SUPERVISOR_PHONE, guard_checks


@pytest.fixture
def out(tmp_path: Path) -> Path:
    """A folder of its own (tmp_path also holds the backend's database)."""
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


@pytest.fixture
def supervisor(embedded: LiveBackend) -> Iterator[AdminService]:
    api = ApiClient(embedded.url)
    login_with_demo_code(api, SUPERVISOR_PHONE)
    yield AdminService(api)
    api.close()


def test_csv_streams_with_progress(embedded: LiveBackend, supervisor: AdminService, out: Path) -> None:
    guard_checks(embedded, GUARD_PHONE, [VerdictLevel.PASS] * 30 + [VerdictLevel.DENY])
    today = local_day(utcnow())
    seen: list[tuple[int, int | None]] = []
    dest = out / "all.csv"
    result = supervisor.export_region(
        REGION, today, today, ExportFormat.CSV, dest, on_progress=lambda got, total: seen.append((got, total))
    )
    data = dest.read_bytes()
    assert result.bytes == len(data) and seen and seen[-1][0] == len(data)
    assert [got for got, _ in seen] == sorted(got for got, _ in seen)  # grows monotonically
    lines = data.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("时间,场所,卡口") and len(lines) == 32
    assert list(out.iterdir()) == [dest]


def test_cancel_removes_the_partial_file(embedded: LiveBackend, supervisor: AdminService, out: Path) -> None:
    guard_checks(embedded, GUARD_PHONE, [VerdictLevel.PASS] * 5)
    today = local_day(utcnow())
    with pytest.raises(ExportCancelled) as cancelled:
        supervisor.export_region(
            REGION, today, today, ExportFormat.CSV, out / "x.csv", cancelled=lambda: True
        )
    assert cancelled.value.code == "cancelled"
    assert list(out.iterdir()) == []


def test_refusals_and_offline_are_typed(embedded: LiveBackend, supervisor: AdminService, out: Path) -> None:
    today = local_day(utcnow())
    with pytest.raises(ServerRejected) as too_long:
        supervisor.export_region(REGION, today - timedelta(days=40), today, ExportFormat.XLSX, out / "a.xlsx")
    assert too_long.value.code == "range_too_long"
    with pytest.raises(PermissionDenied) as outside:
        supervisor.export_region("330683", today, today, ExportFormat.CSV, out / "b.csv")
    assert outside.value.code == "outside_region"
    embedded.backend.stop()
    with pytest.raises(OfflineError):
        supervisor.export_region(REGION, today, today, ExportFormat.CSV, out / "c.csv")
    assert list(out.iterdir()) == []
