"""Exports for contact tracing: CSV and XLSX read back, masked, audited; ranges, formats,
filenames, and who may export (owner for the venue, supervisor for the region)."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta
from typing import Any
from urllib.parse import unquote

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from shoumen_server.models import AuditEntry
from tests.server.conftest import Server
from tests.server.fixtures_sync import TODAY, check, checkpoint_ids, db, local, push_ok
from tests.server.journeys import (
    API,
    OTHER_REGION,
    REGION,
    ROLES,
    Actors,
    error_code,
    register_venue,
    role_actors,
)

HEADER = ["时间", "场所", "卡口", "核验方式", "结论", "人工决定", "姓名", "证件号", "原因", "核验人员"]


def _fill(server: Server, actors: Actors) -> None:
    venue_id = actors.venue_id
    gate = checkpoint_ids(server, venue_id)[0]
    push_ok(
        server,
        actors.headers["owner"],
        [
            check(venue_id, at=local(TODAY - timedelta(days=2), 8, 1), checkpoint_id=gate),
            check(
                venue_id,
                level="deny",
                at=local(TODAY, 9, 30),
                checkpoint_id=gate,
                masked_name="=cmd|' /C calc'!A0",
            ),
        ],
    )
    push_ok(
        server,
        actors.headers["staff"],
        [check(venue_id, level="review", method="document", at=local(TODAY, 8, 15), masked_name="李*")],
    )
    push_ok(server, actors.headers["other_staff"], [check(actors.other_venue_id, at=local(TODAY, 7, 0))])
    push_ok(server, actors.headers["owner"], [check(venue_id, at=local(TODAY - timedelta(days=5), 7))])


def _range(days_back: int = 3, days_forward: int = 0) -> dict[str, str]:
    start = TODAY - timedelta(days=days_back)
    return {"start": start.isoformat(), "end": (TODAY + timedelta(days=days_forward)).isoformat()}


def _audits(server: Server) -> list[dict[str, Any]]:
    with db(server) as session:
        rows = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "export").order_by(AuditEntry.id)
        )
        return [
            {
                "actor": row.actor_user_id,
                "venue_id": row.venue_id,
                "region": row.region_code,
                **json.loads(row.detail),
            }
            for row in rows
        ]


def test_venue_csv_export_reads_back_masked_in_time_order(server: Server) -> None:
    actors = role_actors(server)
    _fill(server, actors)
    r = server.client.get(
        f"{API}/venues/{actors.venue_id}/export", params=_range(), headers=actors.headers["owner"]
    )
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "text/csv; charset=utf-8"
    assert r.content.startswith("\ufeff".encode())
    disposition = r.headers["content-disposition"]
    assert disposition.startswith(
        f'attachment; filename="shoumen-checks-venue{actors.venue_id}-20261117-20261120.csv"'
    )
    utf8_name = unquote(disposition.split("filename*=UTF-8''")[1])
    assert utf8_name == "守小门核验记录_新昌县城关农贸市场_20261117-20261120.csv"

    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert rows[0] == HEADER
    body = rows[1:]
    assert [row[0] for row in body] == ["2026-11-18 08:01:00", "2026-11-20 08:15:00", "2026-11-20 09:30:00"]
    assert {row[1] for row in body} == {"新昌县城关农贸市场"}
    first, staff_row, deny_row = body
    assert first[2:5] == ["大门", "扫码", "通行"]
    assert staff_row[2:7] == ["", "证件", "人工核验", "未决定", "李*"]
    assert staff_row[7] == "330624********1234"
    assert staff_row[8] == "核酸检测已超过 48 小时"
    assert staff_row[9] == "李* 139****0002"
    assert deny_row[4] == "禁止通行" and deny_row[5] == "" and deny_row[8] == "红码，请报告社区"
    # The server masked the pushed "masked" name again (issue 13 §5); still never a formula.
    assert deny_row[6] == "'=" + "*" * 17
    assert deny_row[9].endswith("139****0001")
    text = r.content.decode("utf-8-sig")
    assert "13900000002" not in text and "13900000001" not in text

    audits = _audits(server)
    assert audits == [
        {
            "actor": audits[0]["actor"],
            "venue_id": actors.venue_id,
            "region": REGION,
            "start": "2026-11-17",
            "end": "2026-11-20",
            "format": "csv",
            "rows": 3,
            "venue_ids": [actors.venue_id],
        }
    ]


def test_xlsx_export_reads_back(server: Server) -> None:
    actors = role_actors(server)
    _fill(server, actors)
    params = {**_range(0, 1), "format": "xlsx"}
    r = server.client.get(
        f"{API}/venues/{actors.venue_id}/export", params=params, headers=actors.headers["owner"]
    )
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert 'filename="shoumen-checks-venue' in r.headers["content-disposition"]
    assert r.headers["content-disposition"].endswith(".xlsx")
    sheet = load_workbook(io.BytesIO(r.content), read_only=True).active
    assert sheet is not None
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0] == HEADER
    assert [row[0] for row in rows[1:]] == ["2026-11-20 08:15:00", "2026-11-20 09:30:00"]
    assert rows[2][6] == "'=" + "*" * 17
    assert _audits(server)[0]["format"] == "xlsx" and _audits(server)[0]["rows"] == 2


def test_export_says_the_manual_decision_of_each_check(server: Server) -> None:
    """Issue 16 §7: contact tracing must see who was let in by hand (人工放行) or turned away."""
    actors = role_actors(server)
    venue_id = actors.venue_id
    push_ok(
        server,
        actors.headers["owner"],
        [
            check(venue_id, level="review", at=local(TODAY, 8, 0), manual_decision="admit"),
            check(venue_id, level="cannot_verify", at=local(TODAY, 8, 1), manual_decision="turn_away"),
            check(venue_id, level="review", at=local(TODAY, 8, 2)),
            check(venue_id, at=local(TODAY, 8, 3)),
        ],
    )
    for fmt in ("csv", "xlsx"):
        r = server.client.get(
            f"{API}/venues/{venue_id}/export",
            params={**_range(0), "format": fmt},
            headers=actors.headers["owner"],
        )
        assert r.status_code == 200, r.text
        if fmt == "csv":
            rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
        else:
            sheet = load_workbook(io.BytesIO(r.content), read_only=True).active
            assert sheet is not None
            rows = [[cell or "" for cell in row] for row in sheet.iter_rows(values_only=True)]
        assert rows[0][5] == "人工决定"
        assert [(row[4], row[5]) for row in rows[1:]] == [
            ("人工核验", "人工放行"),
            ("无法核验", "劝返"),
            ("人工核验", "未决定"),
            ("通行", ""),
        ]


def test_region_export_all_or_some_venues(server: Server) -> None:
    actors = role_actors(server)
    _fill(server, actors)
    far_id, far_owner = register_venue(server, "13900000007", name="嵊州商场", region_code=OTHER_REGION)
    push_ok(server, far_owner, [check(far_id)])
    sup = actors.headers["sup_in"]
    r = server.client.get(f"{API}/regions/{REGION}/export", params=_range(), headers=sup)
    assert r.status_code == 200, r.text
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))[1:]
    assert len(rows) == 4
    assert {row[1] for row in rows} == {"新昌县城关农贸市场", "南明超市"}
    assert "region330624" in r.headers["content-disposition"]

    params = {**_range(), "venue_ids": str(actors.other_venue_id)}
    r = server.client.get(f"{API}/regions/{REGION}/export", params=params, headers=sup)
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))[1:]
    assert [row[1] for row in rows] == ["南明超市"]
    audits = _audits(server)
    assert [a["rows"] for a in audits] == [4, 1]
    assert audits[1]["venue_ids"] == [actors.other_venue_id] and audits[1]["region"] == REGION

    for venue_ids, status, code in [
        (f"{actors.venue_id},{far_id}", 403, "outside_region"),
        ("1;2", 422, "bad_venue_ids"),
        ("a", 422, "bad_venue_ids"),
    ]:
        r = server.client.get(
            f"{API}/regions/{REGION}/export", params={**_range(), "venue_ids": venue_ids}, headers=sup
        )
        assert (r.status_code, error_code(r)) == (status, code), venue_ids
    assert len(_audits(server)) == 2


def test_export_bad_input(server: Server) -> None:
    venue_id, owner = register_venue(server)
    url = f"{API}/venues/{venue_id}/export"
    cases: list[tuple[dict[str, str], str]] = [
        ({"start": "2026-10-20", "end": "2026-11-20"}, "range_too_long"),
        ({"start": "2026-11-20", "end": "2026-11-19"}, "bad_date"),
        ({"start": "2026-11-20"}, "bad_date"),
        ({"start": "20261120", "end": "2026-11-20"}, "bad_date"),
        ({**_range(), "format": "pdf"}, "bad_format"),
    ]
    for params, code in cases:
        r = server.client.get(url, params=params, headers=owner)
        assert (r.status_code, error_code(r)) == (422, code), params
    r = server.client.get(url, params={"start": "2026-10-21", "end": "2026-11-20"}, headers=owner)
    assert r.status_code == 200  # 31 days is the limit, inclusive
    assert list(csv.reader(io.StringIO(r.content.decode("utf-8-sig")))) == [HEADER]
    assert len(_audits(server)) == 1


VENUE_EXPORT = {
    "owner": (200, None),
    "staff": (403, "owner_only"),
    "revoked": (403, "staff_revoked"),
    "other_staff": (403, "not_venue_staff"),
    "sup_in": (403, "not_venue_staff"),
    "sup_out": (403, "not_venue_staff"),
    "anonymous": (401, "not_authenticated"),
}
REGION_EXPORT = {
    **{role: (403, "supervisor_only") for role in ("owner", "staff", "revoked", "other_staff")},
    "sup_in": (200, None),
    "sup_out": (403, "outside_region"),
    "anonymous": (401, "not_authenticated"),
}


@pytest.mark.parametrize("role", ROLES)
def test_role_table_for_exports(server: Server, role: str) -> None:
    actors = role_actors(server)
    headers = actors.headers[role]
    r = server.client.get(f"{API}/venues/{actors.venue_id}/export", params=_range(), headers=headers)
    assert (r.status_code, error_code(r)) == VENUE_EXPORT[role]
    r = server.client.get(f"{API}/regions/{REGION}/export", params=_range(), headers=headers)
    assert (r.status_code, error_code(r)) == REGION_EXPORT[role]
    expected = sum(1 for cell in (VENUE_EXPORT[role], REGION_EXPORT[role]) if cell[0] == 200)
    assert len(_audits(server)) == expected


def test_our_illegal_character_filter_is_openpyxls() -> None:
    """export.py keeps its own copy so openpyxl loads only for XLSX; it must not drift."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    from shoumen_server.routers.export import _ILLEGAL_CHARACTERS

    assert _ILLEGAL_CHARACTERS.pattern == ILLEGAL_CHARACTERS_RE.pattern
