"""What a device pushes is not believed as sent (issue 13 §5, issue 14 §7): every implausible
value is refused on its own row with a code the station keeps and shows, a conflicting resend
is a conflict, and a "masked" name or ID is masked again by the server before any list or
export shows it."""

from __future__ import annotations

import csv
import io
import json
import uuid
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from shoumen_core.timeutil import LOCAL_TZ
from shoumen_server.models import Anomaly, Check
from tests.server.conftest import Server
from tests.server.fixtures_sync import TODAY, anomaly, check, count_rows, db, local, push, push_ok, sealed_for
from tests.server.journeys import API, register_venue

FULL_ID = "11010519491231002X"
FULL_NAME = "张三丰"


def _codes(response: Any) -> dict[str, str]:
    assert response.status_code == 200, response.text
    return {item["id"]: item["code"] for item in response.json()["rejected"]}


def _stored(server: Server, check_id: str) -> Any:
    with db(server) as session:
        return session.execute(
            select(Check.level, Check.venue_id, Check.masked_name, Check.masked_id).where(
                Check.id == uuid.UUID(check_id)
            )
        ).one_or_none()


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-Infinity", "1e308", "29.9", "45.1"])
def test_a_pushed_temperature_outside_30_to_45_is_refused_per_row(server: Server, value: str) -> None:
    venue_id, owner = register_venue(server)
    good = check(venue_id, temperature=36.6)
    bad = check(venue_id)
    # NaN and Infinity are JSON extensions: written by hand, as a broken device would.
    body = (
        '{"device_id": "t", "anomalies": [], "checks": ['
        + ", ".join(
            [
                _json(good),
                _json(bad)[:-1] + f', "temperature": {value}}}',
            ]
        )
        + "]}"
    )
    r = server.client.post(
        f"{API}/sync/push", content=body, headers={**owner, "Content-Type": "application/json"}
    )
    assert _codes(r) == {bad["id"]: "bad_temperature"}
    assert r.json()["accepted"] == [good["id"]]
    assert _stored(server, bad["id"]) is None


def _json(body: dict[str, Any]) -> str:
    return json.dumps(body, ensure_ascii=False)


def test_checked_at_outside_the_window_or_without_a_zone_is_refused(server: Server) -> None:
    venue_id, owner = register_venue(server)
    now = server.clock()
    naive = check(venue_id)
    naive["checked_at"] = local(TODAY, 9).replace(tzinfo=None).isoformat()
    rows = {
        "epoch": check(venue_id, at=datetime(1970, 1, 1, tzinfo=LOCAL_TZ)),
        "year_one": check(venue_id, at=datetime(1, 1, 2, tzinfo=LOCAL_TZ)),
        "retention": check(venue_id, at=now - timedelta(days=server.settings.check_retention_days + 1)),
        "future": check(venue_id, at=now + timedelta(minutes=11)),
        "naive": naive,
        "fine": check(venue_id, at=now + timedelta(minutes=9)),
    }
    codes = _codes(push(server, owner, list(rows.values())))
    assert codes == {
        rows["epoch"]["id"]: "time_too_old",
        rows["year_one"]["id"]: "time_too_old",
        rows["retention"]["id"]: "time_too_old",
        rows["future"]["id"]: "bad_time",
        rows["naive"]["id"]: "time_no_timezone",
    }
    assert count_rows(server, Check) == 1


def test_a_record_with_2000_findings_or_a_100000_character_message_is_refused(server: Server) -> None:
    venue_id, owner = register_venue(server)
    finding = {
        "source": "nat",
        "state": "review",
        "reason": "nat_too_old",
        "message": "核酸检测已超过 48 小时",
    }
    many = check(venue_id, findings=[finding] * 2000)
    long = check(venue_id, findings=[{**finding, "message": "长" * 100_000}])
    long_reason = check(venue_id, findings=[{**finding, "reason": "r" * 65}])
    fine = check(venue_id, findings=[finding] * 7)
    r = push(server, owner, [many, long, long_reason, fine])
    assert _codes(r) == {
        many["id"]: "bad_findings",
        long["id"]: "bad_findings",
        long_reason["id"]: "bad_findings",
    }
    assert r.json()["accepted"] == [fine["id"]]


def test_a_duplicate_id_with_different_content_in_one_batch_stores_neither(server: Server) -> None:
    venue_id, owner = register_venue(server)
    first = check(venue_id, level="pass")
    second = {**first, "level": "deny"}
    same = check(venue_id)
    r = push(server, owner, [first, second, same, dict(same)])
    assert _codes(r) == {first["id"]: "check_conflict"}
    assert r.json()["accepted"] == [same["id"]]
    assert _stored(server, first["id"]) is None


def test_a_resend_with_another_verdict_or_venue_is_a_conflict_and_changes_nothing(server: Server) -> None:
    venue_id, owner = register_venue(server)
    other_venue, _ = register_venue(server, "13900000001", name="另一个场所")
    original = check(venue_id, level="deny")
    push_ok(server, owner, [original])
    push_ok(server, owner, [original])  # an identical resend stays harmless
    for changed in ({"level": "pass"}, {"venue_id": other_venue}, {"masked_name": "李*"}):
        r = push(server, owner, [{**original, **changed}])
        assert _codes(r) == {original["id"]: "check_conflict"}, changed
    assert tuple(_stored(server, original["id"]))[:2] == ("deny", venue_id)


def test_a_full_name_and_id_pushed_as_masked_never_reach_the_abnormal_list_or_the_export(
    server: Server,
) -> None:
    venue_id, owner = register_venue(server)
    full = check(venue_id, level="deny", masked_name=FULL_NAME, masked_id=FULL_ID)
    # Offline: the server opens the sealed number and masks it itself, whatever the device says.
    sealed = check(
        venue_id,
        level="deny",
        method="document",
        offline=True,
        person_ref="",
        masked_name="李四",
        masked_id="330624199001011234",
        sealed_document=sealed_for(server, FULL_ID),
    )
    push_ok(server, owner, [full, sealed])
    assert tuple(_stored(server, full["id"]))[2:] == ("张**", "110105********002X")
    assert tuple(_stored(server, sealed["id"]))[2:] == ("李*", "110105********002X")

    r = server.client.get(
        f"{API}/venues/{venue_id}/abnormal", params={"date": TODAY.isoformat()}, headers=owner
    )
    assert r.status_code == 200, r.text
    shown = {(item["masked_name"], item["masked_id"]) for item in r.json()["items"]}
    assert shown == {("张**", "110105********002X"), ("李*", "110105********002X")}

    r = server.client.get(
        f"{API}/venues/{venue_id}/export",
        params={"start": TODAY.isoformat(), "end": TODAY.isoformat(), "format": "csv"},
        headers=owner,
    )
    assert r.status_code == 200, r.text
    text = r.content.decode("utf-8-sig")
    assert FULL_ID not in text and FULL_NAME not in text and "330624199001011234" not in text
    rows = list(csv.reader(io.StringIO(text)))
    id_column = rows[0].index("证件号")
    assert {row[id_column] for row in rows[1:]} == {"110105********002X"}


def test_an_anomaly_masked_id_sent_in_full_is_masked_by_the_server(server: Server) -> None:
    venue_id, owner = register_venue(server)
    item = anomaly(venue_id, document_number=None, masked_id=FULL_ID, name=FULL_NAME)
    r = push(server, owner, anomalies=[item])
    assert _codes(r) == {}
    with db(server) as session:
        row = session.get(Anomaly, uuid.UUID(item["id"]))
        assert row is not None
        assert (row.masked_name, row.masked_id) == ("张**", "110105********002X")


def test_a_registration_can_only_attach_to_a_check_of_its_own_venue(server: Server) -> None:
    venue_id, owner = register_venue(server)
    other_venue, _ = register_venue(server, "13900000001", name="另一个场所")
    elsewhere = check(other_venue, level="deny")
    here = check(venue_id, level="deny")
    push_ok(server, owner, [elsewhere, here])
    wrong = anomaly(venue_id, check_id=elsewhere["id"])
    right = anomaly(venue_id, check_id=here["id"])
    r = push(server, owner, anomalies=[wrong, right])
    assert _codes(r) == {wrong["id"]: "bad_check"}
    assert r.json()["accepted"] == [right["id"]]
    r = server.client.post(f"{API}/venues/{venue_id}/anomalies", json=wrong, headers=owner)
    assert r.status_code == 422 and r.json()["error"]["code"] == "bad_check"


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("temperature", 1e308, "bad_temperature"),
        ("created_at", datetime(1970, 1, 1, tzinfo=LOCAL_TZ).isoformat(), "time_too_old"),
        ("created_at", "2026-11-20T09:30:00", "time_no_timezone"),
        ("arrival_at", "2026-11-20T09:30:00", "time_no_timezone"),
    ],
)
def test_an_anomaly_with_an_implausible_value_is_refused_per_row(
    server: Server, field: str, value: Any, code: str
) -> None:
    venue_id, owner = register_venue(server)
    bad, good = anomaly(venue_id, **{field: value}), anomaly(venue_id)
    r = push(server, owner, anomalies=[bad, good])
    assert _codes(r) == {bad["id"]: code}
    assert r.json()["accepted"] == [good["id"]]


def test_a_resend_after_the_venue_switched_to_strict_masking_is_not_a_conflict(server: Server) -> None:
    venue_id, owner = register_venue(server)
    first = check(venue_id, masked_id="330624********1234")
    push_ok(server, owner, [first])
    r = server.client.put(f"{API}/venues/{venue_id}/policy", json={"masking": "strict"}, headers=owner)
    assert r.status_code == 200, r.text
    push_ok(server, owner, [{**first, "gate_opened": True, "gate_reason": "复核后放行"}])
    with db(server) as session:
        assert session.scalar(select(Check.gate_opened).where(Check.id == uuid.UUID(first["id"]))) is True
