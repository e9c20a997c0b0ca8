"""Statistics from the count tables: a venue's day by scope, checkpoint and hour, distinct
persons, the abnormal drill-down, trends, the region view, bad input and the role table."""

from __future__ import annotations

import hashlib
import random
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import update

from shoumen_core.timeutil import local_hour
from shoumen_server.models import Venue
from tests.server.conftest import Server
from tests.server.fixtures_sync import (
    TODAY,
    add_checkpoint,
    anomaly,
    check,
    checkpoint_ids,
    db,
    local,
    push,
    push_ok,
)
from tests.server.journeys import (
    API,
    OTHER_REGION,
    REGION,
    ROLES,
    Actors,
    add_staff,
    error_code,
    make_supervisor,
    register_venue,
    role_actors,
)

YESTERDAY = TODAY - timedelta(days=1)


def _stats(server: Server, headers: dict[str, str], venue_id: int, **params: Any) -> dict[str, Any]:
    r = server.client.get(f"{API}/venues/{venue_id}/stats", params=params, headers=headers)
    assert r.status_code == 200, r.text
    counts: dict[str, Any] = r.json()["counts"]
    return counts


def _figures(counts: dict[str, Any]) -> tuple[int, int, int, int, int]:
    return counts["checked"], counts["passed"], counts["review"], counts["abnormal"], counts["persons"]


def _day_of_checks(server: Server, actors: Actors) -> dict[str, Any]:
    """Venue A's day: the owner at gate 1, the staff member at gate 2 and without a gate."""
    venue_id = actors.venue_id
    owner, staff = actors.headers["owner"], actors.headers["staff"]
    gate1 = checkpoint_ids(server, venue_id)[0]
    gate2 = add_checkpoint(server, venue_id, owner, "南门")
    deny = check(venue_id, level="deny", at=local(TODAY, 9, 30), checkpoint_id=gate1, person_ref="P3")
    owner_checks = [
        check(venue_id, at=local(TODAY, 8, 10), checkpoint_id=gate1, person_ref="P1"),
        check(venue_id, at=local(TODAY, 8, 20), checkpoint_id=gate1, person_ref="P1"),
        check(venue_id, level="review", at=local(TODAY, 9, 5), checkpoint_id=gate1, person_ref="P2"),
        deny,
        check(venue_id, at=local(YESTERDAY, 18), checkpoint_id=gate1, person_ref="P1"),
    ]
    anonymous = check(
        venue_id,
        level="cannot_verify",
        method="manual",
        at=local(TODAY, 9, 50),
        checkpoint_id=gate2,
        person_ref="",
        masked_name="",
        masked_id="",
    )
    staff_checks = [
        check(venue_id, at=local(TODAY, 9, 10), checkpoint_id=gate2, person_ref="P1"),
        anonymous,
        check(venue_id, level="deny", at=local(TODAY, 7, 0), person_ref="P4"),
    ]
    push_ok(server, owner, owner_checks)
    push_ok(server, staff, staff_checks)
    registered = anomaly(venue_id, check_id=deny["id"], anomaly_type="red_code", action="report_community")
    r = server.client.post(f"{API}/venues/{venue_id}/anomalies", json=registered, headers=owner)
    assert r.status_code == 201, r.text
    return {"gate1": gate1, "gate2": gate2, "deny": deny, "anonymous": anonymous, "anomaly": registered}


def test_counts_by_scope_checkpoint_and_hour(server: Server) -> None:
    actors = role_actors(server)
    day = _day_of_checks(server, actors)
    venue_id = actors.venue_id
    owner, staff = actors.headers["owner"], actors.headers["staff"]

    unit = _stats(server, owner, venue_id)
    assert _figures(unit) == (7, 3, 1, 3, 5)
    assert unit["day"] == TODAY.isoformat()
    assert unit["by_hour"] == [0] * 7 + [1, 2, 4] + [0] * 14
    assert _figures(_stats(server, staff, venue_id, scope="unit", checkpoint_id=day["gate1"])) == (
        4,
        2,
        1,
        1,
        3,
    )
    assert _figures(_stats(server, staff, venue_id, checkpoint_id=day["gate2"])) == (2, 1, 0, 1, 2)
    assert _figures(_stats(server, staff, venue_id, scope="personal")) == (3, 1, 0, 2, 3)
    # Persons per staff member and checkpoint are not pre-aggregated: counted from the checks.
    assert _figures(_stats(server, staff, venue_id, scope="personal", checkpoint_id=day["gate2"])) == (
        2,
        1,
        0,
        1,
        2,
    )
    assert _figures(_stats(server, owner, venue_id, scope="personal", checkpoint_id=day["gate1"])) == (
        4,
        2,
        1,
        1,
        3,
    )
    assert _figures(_stats(server, owner, venue_id, date=YESTERDAY.isoformat())) == (1, 1, 0, 0, 1)
    future = _stats(server, owner, venue_id, date="2027-01-01")
    assert _figures(future) == (0, 0, 0, 0, 0) and future["by_hour"] == [0] * 24

    r = server.client.get(
        f"{API}/venues/{venue_id}/stats",
        params={"scope": "personal", "checkpoint_id": day["gate2"]},
        headers=staff,
    )
    assert r.json()["scope"] == "personal" and r.json()["checkpoint_id"] == day["gate2"]


def _expected(checks: list[dict[str, Any]], keep: Any) -> tuple[int, int, int, int, int]:
    chosen = [c for c in checks if keep(c)]
    levels = [c["level"] for c in chosen]
    persons = set()
    for c in chosen:
        if c["person_ref"]:
            persons.add(c["person_ref"])
        elif c["masked_id"] or c["masked_name"]:
            persons.add(hashlib.sha256(f"{c['masked_id']}|{c['masked_name']}".encode()).hexdigest())
        else:
            persons.add(c["id"])
    return (
        len(chosen),
        levels.count("pass"),
        levels.count("review"),
        levels.count("deny") + levels.count("cannot_verify"),
        len(persons),
    )


def test_counts_match_the_pushed_records_for_every_scope(server: Server) -> None:
    """Random traffic from two guards over two gates, pushed in overlapping batches: every
    figure equals the one computed from the records themselves."""
    venue_id, owner = register_venue(server)
    staff = add_staff(server, venue_id, owner, "13900000002")
    gates = [checkpoint_ids(server, venue_id)[0], add_checkpoint(server, venue_id, owner, "南门")]
    rng = random.Random(20261120)
    levels = ["pass"] * 6 + ["review", "deny", "cannot_verify"]
    sent: dict[str, list[dict[str, Any]]] = {"owner": [], "staff": []}
    for who in ("owner", "staff"):
        for _ in range(240):
            minute = rng.randrange(0, 9 * 60)
            record = check(
                venue_id,
                level=rng.choice(levels),
                at=local(TODAY, minute // 60, minute % 60),
                checkpoint_id=rng.choice([*gates, None]),
                person_ref=rng.choice(["", f"P{rng.randrange(60)}"]),
                masked_name=rng.choice(["", "张*", "李*"]),
                masked_id=rng.choice(["", "330624********1234"]),
            )
            sent[who].append(record)
    for who, headers in (("owner", owner), ("staff", staff)):
        records = sent[who]
        for start in range(0, len(records), 70):
            r = push(server, headers, records[max(0, start - 20) : start + 70])  # overlapping resends
            assert r.status_code == 200 and r.json()["rejected"] == []
    everything = sent["owner"] + sent["staff"]
    assert _figures(_stats(server, owner, venue_id)) == _expected(everything, lambda c: True)
    for gate in gates:
        got = _figures(_stats(server, owner, venue_id, checkpoint_id=gate))
        assert got == _expected(everything, lambda c, g=gate: c["checkpoint_id"] == g)
        got = _figures(_stats(server, staff, venue_id, scope="personal", checkpoint_id=gate))
        assert got == _expected(sent["staff"], lambda c, g=gate: c["checkpoint_id"] == g)
    assert _figures(_stats(server, owner, venue_id, scope="personal")) == _expected(
        sent["owner"], lambda c: True
    )
    hours = _stats(server, owner, venue_id)["by_hour"]
    assert hours == [
        sum(1 for c in everything if local_hour(datetime.fromisoformat(c["checked_at"])) == h)
        for h in range(24)
    ]


def test_abnormal_list_with_reasons_and_registered_flag(server: Server) -> None:
    actors = role_actors(server)
    day = _day_of_checks(server, actors)
    venue_id = actors.venue_id
    r = server.client.get(f"{API}/venues/{venue_id}/abnormal", headers=actors.headers["owner"])
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["venue_id"] == venue_id and body["day"] == TODAY.isoformat()
    items = body["items"]
    assert [(i["level"], i["checked_at"][11:16]) for i in items] == [
        ("cannot_verify", "01:50"),
        ("deny", "01:30"),
        ("review", "01:05"),
        ("deny", "23:00"),
    ]
    assert items[1]["check_id"] == day["deny"]["id"]
    assert (items[1]["registered"], items[1]["anomaly_id"]) == (True, day["anomaly"]["id"])
    assert [i["registered"] for i in items] == [False, True, False, False]
    assert items[1]["reasons"] == ["红码，请报告社区"]
    assert items[2]["reasons"] == ["核酸检测已超过 48 小时"]  # the OK finding is no reason
    assert items[1]["masked_name"] == "张*" and items[1]["checkpoint_id"] == day["gate1"]

    mine = server.client.get(
        f"{API}/venues/{venue_id}/abnormal", params={"scope": "personal"}, headers=actors.headers["staff"]
    ).json()["items"]
    assert mine[0]["check_id"] == day["anonymous"]["id"]
    assert [i["level"] for i in mine] == ["cannot_verify", "deny"]
    r = server.client.get(
        f"{API}/venues/{venue_id}/abnormal",
        params={"date": YESTERDAY.isoformat()},
        headers=actors.headers["owner"],
    )
    assert r.json()["items"] == []


def test_region_stats_trend_and_abnormal(server: Server) -> None:
    actors = role_actors(server)
    _day_of_checks(server, actors)
    sup = actors.headers["sup_in"]
    # A third venue in the region that was closed, and one in the neighbouring county.
    closed_id, closed_owner = register_venue(server, "13900000006", name="已停业商店")
    push_ok(server, closed_owner, [check(closed_id)])
    with db(server) as session:
        session.execute(update(Venue).where(Venue.id == closed_id).values(active=False))
    far_id, far_owner = register_venue(server, "13900000007", name="嵊州商场", region_code=OTHER_REGION)
    push_ok(server, far_owner, [check(far_id, level="deny")])

    r = server.client.get(f"{API}/regions/{REGION}/stats", headers=sup)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["region_code"] == REGION and body["day"] == TODAY.isoformat()
    rows = {row["venue_id"]: row for row in body["venues"]}
    assert set(rows) == {actors.venue_id, actors.other_venue_id}
    a = rows[actors.venue_id]
    assert (a["checked"], a["passed"], a["review"], a["abnormal"]) == (7, 3, 1, 3)
    assert a["last_activity"].startswith("2026-11-20T01:50")
    b = rows[actors.other_venue_id]
    assert (b["checked"], b["abnormal"], b["last_activity"], b["name"]) == (0, 0, None, "南明超市")
    assert _figures(body["totals"]) == (7, 3, 1, 3, 5)
    assert sum(body["totals"]["by_hour"]) == 7

    push_ok(
        server, actors.headers["other_staff"], [check(actors.other_venue_id, level="review", person_ref="P1")]
    )
    totals = server.client.get(f"{API}/regions/{REGION}/stats", headers=sup).json()["totals"]
    assert _figures(totals) == (8, 3, 2, 3, 6)  # persons add up venue by venue
    empty = server.client.get(
        f"{API}/regions/{REGION}/stats", params={"date": "2026-12-01"}, headers=sup
    ).json()
    assert len(empty["venues"]) == 2 and _figures(empty["totals"]) == (0, 0, 0, 0, 0)

    trend = server.client.get(f"{API}/regions/{REGION}/trend", params={"days": 3}, headers=sup).json()[
        "points"
    ]
    assert [(p["day"], p["checked"], p["abnormal"]) for p in trend] == [
        ((TODAY - timedelta(days=2)).isoformat(), 0, 0),
        (YESTERDAY.isoformat(), 1, 0),
        (TODAY.isoformat(), 8, 3),
    ]
    assert len(server.client.get(f"{API}/regions/{REGION}/trend", headers=sup).json()["points"]) == 30
    one = server.client.get(
        f"{API}/regions/{REGION}/trend", params={"days": 2, "venue_id": actors.other_venue_id}, headers=sup
    ).json()["points"]
    assert [(p["checked"], p["abnormal"]) for p in one] == [(0, 0), (1, 0)]
    venue_trend = server.client.get(
        f"{API}/venues/{actors.venue_id}/trend", params={"days": 2}, headers=actors.headers["staff"]
    ).json()["points"]
    assert [(p["checked"], p["abnormal"]) for p in venue_trend] == [(1, 0), (7, 3)]

    r = server.client.get(f"{API}/regions/{REGION}/abnormal", headers=sup)
    assert r.status_code == 200, r.text
    items = r.json()["items"]
    a_id, b_id = actors.venue_id, actors.other_venue_id
    assert [(i["venue_id"], i["level"]) for i in items] == [
        (a_id, "cannot_verify"),
        (a_id, "deny"),
        (a_id, "review"),
        (b_id, "review"),
        (a_id, "deny"),
    ]
    assert len(items) == 5
    assert {i["venue_name"] for i in items} == {"新昌县城关农贸市场", "南明超市"}
    assert sum(i["registered"] for i in items) == 1


def test_stats_bad_input(server: Server) -> None:
    venue_id, owner = register_venue(server)
    other_id, _ = register_venue(server, "13900000004", name="南明超市")
    other_gate = checkpoint_ids(server, other_id)[0]
    sup = make_supervisor(server, "13700000001", REGION)
    cases: list[tuple[str, dict[str, Any], dict[str, str], int, str]] = [
        (f"/venues/{venue_id}/stats", {"date": "2026/11/20"}, owner, 422, "bad_date"),
        (f"/venues/{venue_id}/stats", {"date": "2026-02-30"}, owner, 422, "bad_date"),
        (f"/venues/{venue_id}/stats", {"scope": "everyone"}, owner, 422, "bad_scope"),
        (f"/venues/{venue_id}/stats", {"checkpoint_id": other_gate}, owner, 422, "bad_checkpoint"),
        (f"/venues/{venue_id}/stats", {"checkpoint_id": 0}, owner, 422, "invalid_request"),
        ("/venues/99999/stats", {}, owner, 404, "venue_not_found"),
        (f"/venues/{venue_id}/abnormal", {"date": "yesterday"}, owner, 422, "bad_date"),
        (f"/venues/{venue_id}/abnormal", {"scope": "all"}, owner, 422, "bad_scope"),
        (f"/venues/{venue_id}/trend", {"days": 0}, owner, 422, "bad_days"),
        (f"/venues/{venue_id}/trend", {"days": 400}, owner, 422, "bad_days"),
        (f"/regions/{REGION}/stats", {"date": "2026-13-01"}, sup, 422, "bad_date"),
        ("/regions/33062/stats", {}, sup, 422, "bad_region"),
        (f"/regions/{REGION}/trend", {"venue_id": 99999}, sup, 404, "venue_not_found"),
        (f"/regions/{REGION}/abnormal", {"date": "x"}, sup, 422, "bad_date"),
        (f"/regions/{REGION}/trend", {"days": -1}, sup, 422, "bad_days"),
    ]
    for path, params, headers, status, code in cases:
        r = server.client.get(f"{API}{path}", params=params, headers=headers)
        assert (r.status_code, error_code(r)) == (status, code), (path, params)
    far_id, _ = register_venue(server, "13900000007", name="嵊州商场", region_code=OTHER_REGION)
    r = server.client.get(f"{API}/regions/{REGION}/trend", params={"venue_id": far_id}, headers=sup)
    assert (r.status_code, error_code(r)) == (422, "venue_outside_region")


CHECKER_ONLY = {
    "owner": (200, None),
    "staff": (200, None),
    "revoked": (403, "staff_revoked"),
    "other_staff": (403, "not_venue_staff"),
    "sup_in": (403, "not_venue_staff"),
    "sup_out": (403, "not_venue_staff"),
    "anonymous": (401, "not_authenticated"),
}
UNIT_READERS = {**CHECKER_ONLY, "sup_in": (200, None)}
SUPERVISOR_ONLY = {
    **{role: (403, "supervisor_only") for role in ("owner", "staff", "revoked", "other_staff")},
    "sup_in": (200, None),
    "sup_out": (403, "outside_region"),
    "anonymous": (401, "not_authenticated"),
}


@pytest.mark.parametrize("role", ROLES)
def test_role_table_for_stats_endpoints(server: Server, role: str) -> None:
    actors = role_actors(server)
    venue = f"/venues/{actors.venue_id}"
    region = f"/regions/{REGION}"
    table: list[tuple[str, dict[str, Any], dict[str, tuple[int, str | None]]]] = [
        (f"{venue}/stats", {}, UNIT_READERS),
        (f"{venue}/stats", {"scope": "personal"}, CHECKER_ONLY),
        (f"{venue}/abnormal", {}, UNIT_READERS),
        (f"{venue}/abnormal", {"scope": "personal"}, CHECKER_ONLY),
        (f"{venue}/trend", {"days": 7}, UNIT_READERS),
        (f"{region}/stats", {}, SUPERVISOR_ONLY),
        (f"{region}/trend", {}, SUPERVISOR_ONLY),
        (f"{region}/abnormal", {}, SUPERVISOR_ONLY),
    ]
    for path, params, expected in table:
        r = server.client.get(f"{API}{path}", params=params, headers=actors.headers[role])
        assert (r.status_code, error_code(r)) == expected[role], (path, params)
