"""The abnormal lists answer their findings as codes with args (issue 17 §5): a station asks with
`?findings=true` and says "NAT 60 hours ago" or "38.2 °C" in its own language; a station that
predates the field (it forbids unknown keys) gets the answer it always got."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import select, update

from shoumen_core.policy import HealthSnapshot, NatResult, VenuePolicy, evaluate
from shoumen_core.schemas import AbnormalList, RegionAbnormalList
from shoumen_server.models import Check
from tests.server.conftest import Server
from tests.server.fixtures_sync import TODAY, check, db, local, push, push_ok
from tests.server.journeys import API, REGION, role_actors

# The keys of an abnormal item before it had `findings`: what an older station accepts.
OLD_ITEM_KEYS = {
    "check_id",
    "checked_at",
    "checkpoint_id",
    "masked_name",
    "masked_id",
    "level",
    "reasons",
    "registered",
    "anomaly_id",
}


def _fever_and_old_nat() -> dict[str, Any]:
    """A check as a station pushes it: the real policy's findings, NAT 60 h old (window 48 h)
    and 38.2 °C at the door (threshold 37.3 °C)."""
    at = local(TODAY, 9, 30)
    snapshot = HealthSnapshot(
        code_colour="green",
        vaccination="full",
        nat_sampled_at=at - timedelta(hours=60, minutes=5),
        nat_result=NatResult.NEGATIVE,
        travel="normal",
        temperature=38.2,
    )
    verdict = evaluate(snapshot, VenuePolicy(), at)
    return {"level": verdict.level.value, "findings": [f.model_dump(mode="json") for f in verdict.findings]}


def _pushed(server: Server) -> tuple[Any, dict[str, Any]]:
    actors = role_actors(server)
    record = check(actors.venue_id, at=local(TODAY, 9, 30), temperature=38.2, **_fever_and_old_nat())
    push_ok(server, actors.headers["owner"], [record])
    return actors, record


def _briefs(item: dict[str, Any]) -> list[tuple[str, str, dict[str, str]]]:
    return [(f["reason"], f["state"], f.get("args", {})) for f in item["findings"]]


def test_abnormal_list_answers_nat_hours_and_fever_as_codes_with_args(server: Server) -> None:
    actors, record = _pushed(server)
    r = server.client.get(
        f"{API}/venues/{actors.venue_id}/abnormal",
        params={"findings": "true"},
        headers=actors.headers["owner"],
    )
    assert r.status_code == 200, r.text
    [item] = r.json()["items"]
    assert item["check_id"] == record["id"] and item["level"] == "deny"
    assert _briefs(item) == [
        ("nat_too_old", "review", {"hours": "60", "window": "48"}),
        ("temperature_fever", "fail", {"celsius": "38.2", "threshold": "37.3", "above": "1"}),
    ]
    # One for one with the Chinese reasons an older station shows.
    assert item["reasons"] == ["核酸 60 小时前，超过 48 小时", "体温 38.2 °C，超过 37.3 °C"]
    assert [f["message"] for f in item["findings"]] == item["reasons"]
    assert AbnormalList.model_validate(r.json()).items[0].findings is not None

    region = server.client.get(
        f"{API}/regions/{REGION}/abnormal", params={"findings": "true"}, headers=actors.headers["sup_in"]
    )
    assert region.status_code == 200, region.text
    [region_item] = region.json()["items"]
    assert _briefs(region_item) == _briefs(item)
    assert region_item["venue_id"] == actors.venue_id
    RegionAbnormalList.model_validate(region.json())


def test_abnormal_list_unasked_answers_an_older_station_as_before(server: Server) -> None:
    actors, _ = _pushed(server)
    venue = server.client.get(f"{API}/venues/{actors.venue_id}/abnormal", headers=actors.headers["owner"])
    region = server.client.get(f"{API}/regions/{REGION}/abnormal", headers=actors.headers["sup_in"])
    assert venue.status_code == region.status_code == 200
    assert set(venue.json()) == {"venue_id", "day", "items"}
    assert [set(i) for i in venue.json()["items"]] == [OLD_ITEM_KEYS]
    assert set(region.json()) == {"region_code", "day", "items"}
    assert [set(i) for i in region.json()["items"]] == [OLD_ITEM_KEYS | {"venue_id", "venue_name"}]
    assert venue.json()["items"][0]["anomaly_id"] is None  # set, if None: still answered


def test_abnormal_list_row_stored_before_args_answers_codes_and_takes_a_resend(server: Server) -> None:
    actors, record = _pushed(server)
    with db(server) as session:  # as a server before this change stored it: no args
        stored = session.scalar(select(Check.findings_json).where(Check.id == uuid.UUID(record["id"])))
        assert stored is not None and '"args"' in stored
        old = stored.replace(',"args":{"hours":"60","window":"48"}', "").replace(
            ',"args":{"celsius":"38.2","threshold":"37.3","above":"1"}', ""
        )
        assert '"args"' not in old
        session.execute(update(Check).where(Check.id == uuid.UUID(record["id"])).values(findings_json=old))

    r = server.client.get(
        f"{API}/venues/{actors.venue_id}/abnormal",
        params={"findings": "true"},
        headers=actors.headers["owner"],
    )
    [item] = r.json()["items"]
    assert _briefs(item) == [("nat_too_old", "review", {}), ("temperature_fever", "fail", {})]
    assert item["reasons"] == ["核酸 60 小时前，超过 48 小时", "体温 38.2 °C，超过 37.3 °C"]

    # The station resends the same record (its answer was lost): the same facts, not a conflict.
    again = push(server, actors.headers["owner"], [record])
    assert again.status_code == 200, again.text
    assert (again.json()["accepted"], again.json()["rejected"]) == ([record["id"]], [])


def test_abnormal_list_stores_no_args_of_passing_findings(server: Server) -> None:
    """Most checks pass: their stored findings are no longer than before."""
    actors = role_actors(server)
    at = local(TODAY, 9, 30)
    snapshot = HealthSnapshot(
        code_colour="green",
        vaccination="full",
        nat_sampled_at=at - timedelta(hours=5),
        nat_result=NatResult.NEGATIVE,
        travel="normal",
        temperature=36.5,
    )
    verdict = evaluate(snapshot, VenuePolicy(), at)
    assert verdict.level.value == "pass" and any(f.args for f in verdict.findings)
    record = check(actors.venue_id, at=at, findings=[f.model_dump(mode="json") for f in verdict.findings])
    push_ok(server, actors.headers["owner"], [record])
    with db(server) as session:
        stored = session.scalar(select(Check.findings_json).where(Check.id == uuid.UUID(record["id"])))
    assert stored is not None and '"args"' not in stored
