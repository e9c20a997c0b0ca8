"""Sync push and pull (DESIGN §4): idempotent push by client id, per-id decisions, the
pre-aggregated counts it maintains, anomalies in a push, and the pull cursor."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select, update

from shoumen_core.codes import unseal
from shoumen_core.trust import root_public_key, verify_trust_list
from shoumen_server.ingest import store_checks
from shoumen_server.models import Check, CheckCount, DayPersonCount, ServerMeta, Venue
from tests.server.conftest import Server
from tests.server.fixtures_sync import (
    TODAY,
    anomaly,
    check,
    checkpoint_ids,
    count_rows,
    ctx_of,
    db,
    local,
    push,
    sealed_for,
)
from tests.server.journeys import (
    API,
    FAST_ROUTE_REFUSALS,
    add_staff,
    assert_refused_in_english,
    count_dependency_solving,
    error_code,
    refused_request,
    register_venue,
    role_actors,
    user_id_of,
)


def _count_table(server: Server) -> list[tuple[Any, ...]]:
    with db(server) as session:
        rows = session.execute(
            select(
                CheckCount.venue_id,
                CheckCount.day,
                CheckCount.hour,
                CheckCount.checkpoint_key,
                CheckCount.user_key,
                CheckCount.level,
                CheckCount.n,
                CheckCount.last_at,
            ).order_by(CheckCount.id)
        ).all()
        persons = session.execute(
            select(DayPersonCount.venue_id, DayPersonCount.day, DayPersonCount.user_key, DayPersonCount.n)
        ).all()
    return sorted(tuple(r) for r in rows) + sorted(tuple(r) for r in persons)


def test_push_stores_records_and_a_resend_changes_nothing(server: Server) -> None:
    venue_id, owner = register_venue(server)
    staff = add_staff(server, venue_id, owner, "13900000002")
    staff_id = user_id_of(server, staff)
    gate = checkpoint_ids(server, venue_id)[0]
    sealed = sealed_for(server, "11010519491231002X")
    batch = [
        check(venue_id, level="pass", at=local(TODAY, 8, 5), checkpoint_id=gate, person_ref="P1"),
        check(venue_id, level="pass", at=local(TODAY, 8, 50), checkpoint_id=gate, person_ref="P1"),
        check(venue_id, level="review", at=local(TODAY, 9, 1), person_ref="P2"),
        check(venue_id, level="deny", at=local(TODAY, 0, 30), person_ref="P3"),
        check(
            venue_id,
            level="cannot_verify",
            method="document",
            person_ref="",
            at=local(TODAY, 9, 2),
            sealed_document=sealed,
            offline=True,
            temperature=36.6,
        ),
    ]
    r = push(server, staff, batch)
    assert r.status_code == 200, r.text
    body = r.json()
    assert sorted(body["accepted"]) == sorted(c["id"] for c in batch)
    assert body["rejected"] == []
    counts_before = _count_table(server)

    with db(server) as session:
        stored = {row.id: row for row in session.scalars(select(Check))}
    assert len(stored) == 5
    first = stored[uuid.UUID(batch[0]["id"])]
    assert (first.user_id, first.day, first.hour, first.checkpoint_id) == (staff_id, TODAY, 8, gate)
    assert first.received_at == server.clock() and first.device_id == "tablet-1"
    assert "绿码" in first.findings_json
    offline = stored[uuid.UUID(batch[4]["id"])]
    assert offline.sealed_document is not None
    assert unseal(offline.sealed_document, ctx_of(server).keys.sealing_private) == b"11010519491231002X"
    assert offline.offline and offline.temperature == 36.6
    # 00:30 China time is still the local day, though it is the previous day in UTC.
    assert stored[uuid.UUID(batch[3]["id"])].day == TODAY

    # The device never got the answer and sends the batch again (plus duplicates inside it).
    r = push(server, staff, batch + batch[:2])
    assert r.status_code == 200
    assert sorted(r.json()["accepted"]) == sorted(c["id"] for c in batch)
    assert r.json()["rejected"] == []
    assert count_rows(server, Check) == 5
    assert _count_table(server) == counts_before

    stats = server.client.get(f"{API}/venues/{venue_id}/stats", headers=owner).json()["counts"]
    assert (stats["checked"], stats["passed"], stats["review"], stats["abnormal"]) == (5, 2, 1, 2)
    # P1 twice is one person; the anonymous offline check is a person of its own.
    assert stats["persons"] == 4


def test_one_batch_mixes_accepted_and_rejected_ids(server: Server) -> None:
    venue_id, owner = register_venue(server)
    other_id, other_owner = register_venue(server, "13900000004", name="南明超市")
    gate = checkpoint_ids(server, venue_id)[0]
    other_gate = checkpoint_ids(server, other_id)[0]
    now = server.clock()
    good = check(venue_id, checkpoint_id=gate)
    nine_minutes_ahead = check(venue_id, at=now + timedelta(minutes=9))
    cases = {
        "not_venue_staff": [check(other_id), check(99999), check(2**40)],
        "bad_checkpoint": [check(venue_id, checkpoint_id=other_gate), check(venue_id, checkpoint_id=2**40)],
        "bad_time": [check(venue_id, at=now + timedelta(minutes=11))],
        "bad_document": [check(venue_id, sealed_document="not base64!")],
        "bad_record": [check(venue_id, masked_name="张" * 51), check(venue_id, person_ref="P\x00")],
    }
    batch = [good, nine_minutes_ahead] + [c for group in cases.values() for c in group]
    r = push(server, owner, batch)
    assert r.status_code == 200, r.text
    body = r.json()
    assert sorted(body["accepted"]) == sorted([good["id"], nine_minutes_ahead["id"]])
    codes = {item["id"]: item["code"] for item in body["rejected"]}
    assert codes == {c["id"]: code for code, group in cases.items() for c in group}
    assert all(item["message"] and not item["message"].isascii() for item in body["rejected"])
    assert count_rows(server, Check) == 2
    # The other venue's owner may push there.
    r = push(server, other_owner, cases["not_venue_staff"][:1])
    assert r.json()["accepted"] == [cases["not_venue_staff"][0]["id"]]


def test_revoked_staff_is_refused_but_a_resend_of_a_stored_record_is_accepted(server: Server) -> None:
    actors = role_actors(server)
    venue_id = actors.venue_id
    staff = actors.headers["staff"]
    stored = check(venue_id)
    assert push(server, staff, [stored]).json()["accepted"] == [stored["id"]]

    r = server.client.post(
        f"{API}/venues/{venue_id}/staff/{actors.staff_user_id}/revoke", headers=actors.headers["owner"]
    )
    assert r.status_code == 200, r.text
    fresh = check(venue_id)
    r = push(server, staff, [stored, fresh])
    assert r.json()["accepted"] == [stored["id"]]
    assert r.json()["rejected"] == [
        {"id": fresh["id"], "code": "staff_revoked", "message": "您的核验权限已被收回，请联系场所管理员"}
    ]
    assert (
        push(server, actors.headers["revoked"], [check(venue_id)]).json()["rejected"][0]["code"]
        == "staff_revoked"
    )
    for role in ("sup_in", "sup_out", "other_staff"):
        rejected = push(server, actors.headers[role], [check(venue_id)]).json()["rejected"]
        assert [item["code"] for item in rejected] == ["not_venue_staff"], role
    assert push(server, {}, [check(venue_id)]).status_code == 401


def test_oversize_batches_are_refused_whole(server: Server) -> None:
    venue_id, owner = register_venue(server)
    r = push(server, owner, [check(venue_id) for _ in range(501)])
    assert r.status_code == 422
    assert r.json()["error"]["code"] == "batch_too_large"
    assert "500" in r.json()["error"]["message"]
    r = push(server, owner, anomalies=[anomaly(venue_id) for _ in range(501)])
    assert r.status_code == 422
    assert r.json()["error"]["code"] == "batch_too_large"
    assert count_rows(server, Check) == 0
    r = push(server, owner, [check(venue_id) for _ in range(500)])
    assert r.status_code == 200 and len(r.json()["accepted"]) == 500


def test_push_of_a_malformed_record_is_422(server: Server) -> None:
    venue_id, owner = register_venue(server)
    bad = check(venue_id, level="green")
    r = push(server, owner, [bad])
    assert r.status_code == 422
    assert r.json()["error"]["code"] == "invalid_request"


def test_a_push_without_credentials_is_refused_before_its_body_is_validated(server: Server) -> None:
    """The push authenticates inside its one thread hop, after FastAPI read the body; a request
    with no bearer or device credential at all is still refused before its body is validated, whatever the body."""
    for headers in ({}, {"Authorization": "Basic eDp5"}):
        r = server.client.post(f"{API}/sync/push", json={"checks": 5}, headers=headers)
        assert r.status_code == 401 and error_code(r) == "not_authenticated", r.text
    # An unknown token is found in the hop, after its (valid) body was read: the same answer as
    # before the hop, a session that is no longer valid.
    r = server.client.post(
        f"{API}/sync/push", json={"device_id": "t", "checks": []}, headers={"Authorization": "Bearer x"}
    )
    assert r.status_code == 401 and error_code(r) == "session_expired", r.text


def test_a_push_takes_one_thread_hop_and_commits_before_it_answers(
    server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 15 §6: the caller, the records and the commit run in one hop to the thread pool
    (as sync dependencies they took four: each hop is CPU a busy server spends on every push),
    and the push is answered only after its records are committed."""
    import anyio.to_thread

    venue_id, owner = register_venue(server)
    real_run_sync = anyio.to_thread.run_sync
    hops: list[str] = []

    async def counting_run_sync(func: Any, *args: Any, **kwargs: Any) -> Any:
        hops.append(getattr(func, "__name__", repr(func)))
        return await real_run_sync(func, *args, **kwargs)

    monkeypatch.setattr(anyio.to_thread, "run_sync", counting_run_sync)
    batch = [check(venue_id, person_ref="P1")]
    r = push(server, owner, batch)
    monkeypatch.undo()
    assert r.status_code == 200 and r.json()["accepted"] == [batch[0]["id"]], r.text
    assert hops == ["_serve_push"], hops  # the push's own route (fast_routes.py)
    assert count_rows(server, Check) == 1


def test_a_push_skips_fastapi_route_matching_and_dependency_solving(
    server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 15 §6: FastAPI's routing and dependency solving were ~28 % of a one-record push's
    CPU; the ordinary push has a route of its own, tried first (fast_routes.py)."""
    venue_id, owner = register_venue(server)
    assert push(server, owner, [check(venue_id, person_ref="P0")]).status_code == 200  # warm
    solved = count_dependency_solving(monkeypatch)
    batch = [check(venue_id, person_ref="P1")]
    r = push(server, {**owner, "X-Shoumen-Version": "1.0", "X-Shoumen-Pending": "3"}, batch)
    assert r.status_code == 200 and r.json()["accepted"] == [batch[0]["id"]], r.text
    assert solved == []
    assert server.client.get(f"{API}/me", headers=owner).status_code == 200
    assert solved, "the probe counts FastAPI's dependency solving"


@pytest.mark.parametrize(("case", "status", "code"), FAST_ROUTE_REFUSALS)
def test_a_push_refused_on_its_input_answers_as_the_fastapi_route_did(
    server: Server, case: str, status: int, code: str
) -> None:
    """The push's own route hands every request it does not serve to the FastAPI route with the
    body replayed: the same status, code and words, in the caller's language."""
    venue_id, owner = register_venue(server)
    ordinary = json.dumps(
        {"device_id": "tablet-1", "checks": [check(venue_id, person_ref="P1")]}, default=str
    )
    wrong_type = json.dumps({"device_id": "tablet-1", "checks": "many"})
    headers, content = refused_request(case, owner, ordinary, wrong_type)
    r = server.client.post(f"{API}/sync/push", content=content, headers=headers)
    assert_refused_in_english(r, status, code)
    assert count_rows(server, Check) == 0


def test_a_one_record_push_reads_its_venue_once(server: Server) -> None:
    """Issue 15 §6: the venue's masking policy, the caller's membership and the record's
    checkpoint were three queries on every push; now one (`ingest.venue_facts`). Counted by
    statement (a checkpoint of another venue is still refused: the bad_checkpoint case above)."""
    from sqlalchemy import event

    venue_id, owner = register_venue(server)
    gate = checkpoint_ids(server, venue_id)[0]
    assert push(server, owner, [check(venue_id, person_ref="P0")]).status_code == 200  # counts made
    engine = server.client.app.state.engine  # type: ignore[attr-defined]
    statements: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        batch = [check(venue_id, person_ref="P1", checkpoint_id=gate)]
        r = push(server, owner, batch)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert r.status_code == 200 and r.json()["accepted"] == [batch[0]["id"]], r.text
    venue_reads = [s for s in statements if "FROM venues" in s or "FROM checkpoints" in s]
    assert len(venue_reads) == 1, venue_reads


def test_a_push_builds_its_statements_once_not_on_every_push(
    server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 15 §6: the push built its queries and upserts again on every push (the venue
    facts, the stored-id probe, the two count upserts: SQLAlchemy constructs, then their cache
    keys), ~30 % of a one-record push's CPU. Now each is built once per shape and dialect."""
    from shoumen_server import ingest
    from shoumen_server.bulk import dialect_insert

    venue_id, owner = register_venue(server)
    gate = checkpoint_ids(server, venue_id)[0]
    a, b, c = (check(venue_id, person_ref=ref, checkpoint_id=gate) for ref in ("PA", "PB", "PC"))
    assert push(server, owner, [a]).status_code == 200
    assert push(server, owner, [a, b]).status_code == 200  # a resend and a new one: every shape
    built: list[str] = []

    def counted_select(*args: Any, **kwargs: Any) -> Any:
        built.append("select")
        return select(*args, **kwargs)

    def counted_insert(*args: Any) -> Any:
        built.append("insert")
        return dialect_insert(*args)

    monkeypatch.setattr(ingest, "select", counted_select)
    monkeypatch.setattr(ingest, "dialect_insert", counted_insert, raising=False)
    r = push(server, owner, [b, c])
    assert r.status_code == 200 and sorted(r.json()["accepted"]) == sorted([b["id"], c["id"]]), r.text
    assert built == []
    assert count_rows(server, Check) == 3


def test_anomalies_in_a_push_create_resend_edit_and_conflict(server: Server) -> None:
    venue_id, owner = register_venue(server)
    staff = add_staff(server, venue_id, owner, "13900000002")
    item = anomaly(venue_id)
    r = push(server, staff, anomalies=[item])
    assert r.json() == {"accepted": [item["id"]], "rejected": [], "anomaly_versions": {item["id"]: 1}}
    # A resend of the same creation is accepted and stays at version 1.
    r = push(server, staff, anomalies=[item])
    assert r.json()["anomaly_versions"] == {item["id"]: 1}

    owner_edit = {**item, "notes": "已送临时隔离点", "base_version": 1}
    assert push(server, owner, anomalies=[owner_edit]).json()["anomaly_versions"] == {item["id"]: 2}
    # The guard's offline edit was made on version 1 too: a conflict the device must show.
    staff_edit = {**item, "notes": "劝返", "base_version": 1}
    r = push(server, staff, anomalies=[staff_edit])
    assert r.json()["accepted"] == []
    assert r.json()["rejected"] == [
        {"id": item["id"], "code": "version_conflict", "message": "登记已被他人修改（服务器版本 2）"}
    ]
    # The create, resent after the edit, no longer matches: also a conflict, nothing changes.
    assert push(server, staff, anomalies=[item]).json()["rejected"][0]["code"] == "version_conflict"
    rebased = {**staff_edit, "base_version": 2}
    assert push(server, staff, anomalies=[rebased]).json()["anomaly_versions"] == {item["id"]: 3}
    got = server.client.get(f"{API}/venues/{venue_id}/anomalies/{item['id']}", headers=owner).json()
    assert (got["notes"], got["version"], got["masked_name"]) == ("劝返", 3, "张*")

    bad = [
        anomaly(venue_id, temperature=52.0),
        anomaly(venue_id, document_number="110105194912310021"),
        anomaly(venue_id, phone="12345"),
        anomaly(venue_id, base_version=4),
        anomaly(venue_id + 1000),
    ]
    r = push(server, staff, anomalies=bad)
    assert [x["code"] for x in r.json()["rejected"]] == [
        "bad_temperature",
        "bad_document",
        "bad_phone",
        "anomaly_not_found",
        "not_venue_staff",
    ]


def test_checks_and_anomalies_share_one_answer(server: Server) -> None:
    venue_id, owner = register_venue(server)
    records = [check(venue_id, level="deny")]
    item = anomaly(venue_id, check_id=records[0]["id"], anomaly_type="red_code", action="report_community")
    r = push(server, owner, records, [item])
    assert sorted(r.json()["accepted"]) == sorted([records[0]["id"], item["id"]])


# ---- pull -----------------------------------------------------------------------------------


def _pull(server: Server, headers: dict[str, str], venue_id: int, cursor: str = "") -> dict[str, Any]:
    r = server.client.get(
        f"{API}/sync/pull", params={"venue_id": venue_id, "cursor": cursor}, headers=headers
    )
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def test_pull_sends_the_configuration_only_when_it_changed(server: Server) -> None:
    venue_id, owner = register_venue(server)
    staff = add_staff(server, venue_id, owner, "13900000002", "李四")
    first = _pull(server, staff, venue_id)
    assert first["changed"] is True
    assert first["my_role"] == "staff" and first["my_state"] == "authorised"
    assert [s["name"] for s in first["staff"]][1:] == ["李四"]
    assert first["staff"][0]["role"] == "owner"
    assert first["venue"]["id"] == venue_id
    root = root_public_key(ctx_of(server).keys.trust_root)
    trust = verify_trust_list(str(first["trust_list"]), [root]).trust_list
    assert trust.is_fresh(server.clock())
    assert trust.valid_until - server.clock() == timedelta(days=server.settings.trust_list_validity_days)
    assert first["sealing_public_key"]
    assert first["epoch"] == ctx_of(server).keys.epoch
    assert str(first["cursor"]).startswith(f"{first['epoch']}:")

    again = _pull(server, staff, venue_id, str(first["cursor"]))
    assert again["changed"] is False
    assert all(again[k] is None for k in ("venue", "staff", "my_role", "trust_list", "sealing_public_key"))
    assert again["cursor"] == first["cursor"]

    policy = {**first["venue"]["policy"], "nat_window_hours": 24}
    assert server.client.put(f"{API}/venues/{venue_id}/policy", json=policy, headers=owner).status_code == 200
    after_policy = _pull(server, staff, venue_id, str(first["cursor"]))
    assert after_policy["changed"] is True
    assert after_policy["venue"]["policy"]["nat_window_hours"] == 24
    assert after_policy["cursor"] != first["cursor"]

    add_staff(server, venue_id, owner, "13900000003", "王五")
    after_staff = _pull(server, staff, venue_id, str(after_policy["cursor"]))
    assert after_staff["changed"] is True
    assert {s["name"] for s in after_staff["staff"]} >= {"李四", "王五"}

    # A version bump made directly (any writer) is seen too; garbage cursors mean "send all".
    with db(server) as session:
        session.execute(
            update(Venue).where(Venue.id == venue_id).values(config_version=Venue.config_version + 1)
        )
    assert _pull(server, staff, venue_id, str(after_staff["cursor"]))["changed"] is True
    for cursor in ("garbage", ":", f"{first['epoch']}:x"):
        assert _pull(server, staff, venue_id, cursor)["changed"] is True


def test_a_new_epoch_forces_a_full_resync(server: Server) -> None:
    venue_id, owner = register_venue(server)
    first = _pull(server, owner, venue_id)
    with db(server) as session:
        session.execute(update(ServerMeta).where(ServerMeta.key == "epoch").values(value="new-epoch"))
    ctx_of(server).reload_keys()
    after = _pull(server, owner, venue_id, str(first["cursor"]))
    assert after["changed"] is True
    assert after["epoch"] == "new-epoch"
    assert after["cursor"] != first["cursor"]
    assert _pull(server, owner, venue_id, str(after["cursor"]))["changed"] is False


def test_pull_carries_unit_and_personal_counts_for_today_and_yesterday(server: Server) -> None:
    venue_id, owner = register_venue(server)
    staff = add_staff(server, venue_id, owner, "13900000002")
    yesterday = TODAY - timedelta(days=1)
    push(server, owner, [check(venue_id, level="deny"), check(venue_id, at=local(yesterday, 20))])
    push(server, staff, [check(venue_id), check(venue_id, level="review")])
    body = _pull(server, staff, venue_id)
    unit = body["unit_counts"]
    personal = body["personal_counts"]
    assert [c["day"] for c in unit] == [TODAY.isoformat(), yesterday.isoformat()]
    assert [(c["checked"], c["abnormal"], c["review"]) for c in unit] == [(3, 1, 1), (1, 0, 0)]
    assert [c["checked"] for c in personal] == [2, 0]
    assert unit[0]["by_hour"][9] == 3


@pytest.mark.parametrize("role", ["revoked", "other_staff", "sup_in", "sup_out", "anonymous"])
def test_pull_role_cells(server: Server, role: str) -> None:
    actors = role_actors(server)
    r = server.client.get(
        f"{API}/sync/pull", params={"venue_id": actors.venue_id}, headers=actors.headers[role]
    )
    expected = {
        "revoked": (403, "staff_revoked"),
        "other_staff": (403, "not_venue_staff"),
        "sup_in": (403, "not_venue_staff"),
        "sup_out": (403, "not_venue_staff"),
        "anonymous": (401, "not_authenticated"),
    }[role]
    assert (r.status_code, error_code(r)) == expected


def test_pull_bad_input(server: Server) -> None:
    _, owner = register_venue(server)
    for params in ({}, {"venue_id": "x"}, {"venue_id": 0}, {"venue_id": 2**40}):
        r = server.client.get(f"{API}/sync/pull", params=params, headers=owner)
        assert r.status_code == 422, params
        assert error_code(r) == "invalid_request"
    r = server.client.get(f"{API}/sync/pull", params={"venue_id": 99999}, headers=owner)
    assert (r.status_code, error_code(r)) == (404, "venue_not_found")


def test_store_checks_skips_stored_ids_and_counts_self_check_ins(server: Server) -> None:
    """The lower-level entry used by the visitor self check-in page: rows without a staff
    member, persons told apart by phone hash; ids already stored are neither stored nor
    counted again (a concurrent resend that raced past the caller's own check)."""
    venue_id, owner = register_venue(server)
    now = server.clock()

    def row(phone_hash: str, minutes: int) -> dict[str, Any]:
        return {
            "id": uuid.uuid4(),
            "venue_id": venue_id,
            "method": "self",
            "checked_at": now - timedelta(minutes=minutes),
            "level": "pass",
            "phone_hash": phone_hash,
            "declaration_json": '{"fever": false}',
            "received_at": now,
        }

    rows = [row("a" * 64, 5), row("a" * 64, 4), row("b" * 64, 3)]
    with db(server) as session:
        assert sorted(store_checks(session, rows)) == sorted(r["id"] for r in rows)
    with db(server) as session:
        again = [*rows, row("c" * 64, 2)]
        assert store_checks(session, again) == [again[-1]["id"]]
        stored = session.get(Check, rows[0]["id"])
        assert stored is not None and (stored.user_id, stored.hour, stored.day) == (None, 9, TODAY)
        visitor_counts = session.scalars(select(CheckCount.n).where(CheckCount.user_key == 0)).all()
    assert visitor_counts == [4]
    stats = server.client.get(f"{API}/venues/{venue_id}/stats", headers=owner).json()["counts"]
    assert (stats["checked"], stats["persons"]) == (4, 3)
