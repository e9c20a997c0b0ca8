"""POST /venues/{id}/lookup on the demo data: every verdict path by document and by personal
code, the code errors, bad input, the role cells of DESIGN §5, the audit trail; and the public
trust list and sealing key."""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any

import anyio.to_thread
import httpx
import pytest
from sqlalchemy import create_engine, delete, event, func, select, update

from shoumen_core.codes import (
    SigningKey,
    b64url_decode,
    issue_personal_code,
    venue_code_url,
    verify_personal_code,
)
from shoumen_core.policy import (
    MaskingLevel,
    VaccinationRequirement,
    VenuePolicy,
    VerdictLevel,
)
from shoumen_core.schemas import StaffState
from shoumen_core.trust import root_public_key, verify_trust_list
from shoumen_server import venue_admin
from shoumen_server.db import make_session_factory
from shoumen_server.deps import ServerContext
from shoumen_server.health import PersonRecord, RegistryHealthSource, issue_code_for
from shoumen_server.keys import rotate_signing_key
from shoumen_server.models import AuditEntry, Check, Checkpoint, Membership, Person, User, Venue
from shoumen_server.routers import checks
from shoumen_server.seed import DEMO_PATHS, DEMO_PATHS_BY_KEY, HOSPITAL_STAFF, seed_demo
from shoumen_server.venue_refs import venue_ref
from tests.server.conftest import Server, key_provider
from tests.server.journeys import (
    FAST_ROUTE_REFUSALS,
    assert_refused_in_english,
    count_dependency_solving,
    error_code,
    make_supervisor,
    refused_request,
)

API = "/api/v1"
OWNER, SHOP_OWNER, SUPERVISOR = "13900000001", "13900000004", "13900000000"
UNKNOWN_ID = "330624198503121020"  # valid check digit, not in the registry


@dataclass
class Demo:
    server: Server
    ctx: ServerContext
    venue_id: int
    shop_id: int
    owner: dict[str, str]

    def lookup(self, headers: dict[str, str] | None = None, venue_id: int | None = None, **body: Any) -> Any:
        return self.server.client.post(
            f"{API}/venues/{venue_id or self.venue_id}/lookup",
            json=body,
            headers=self.owner if headers is None else headers,
        )

    def record(self, path_key: str) -> PersonRecord:
        path = DEMO_PATHS_BY_KEY[path_key]
        with self.ctx.sessions() as session:
            record = RegistryHealthSource(session, self.ctx.keys).find_by_document(path.kind, path.number)
        assert record is not None
        return record

    def code(self, path_key: str) -> str:
        return issue_code_for(self.ctx, self.record(path_key), self.server.clock())

    def checkpoints(self, venue_id: int) -> list[int]:
        with self.ctx.sessions() as session:
            return list(session.scalars(select(Checkpoint.id).where(Checkpoint.venue_id == venue_id)))


@pytest.fixture
def demo(server: Server) -> Demo:
    ctx: ServerContext = server.client.app.state.ctx  # type: ignore[attr-defined]
    result = seed_demo(ctx.sessions, ctx.keys, server.clock())
    hospital, shop = result.venue_ids
    return Demo(server, ctx, hospital, shop, server.login(OWNER, device_name="南门平板"))


def reasons(body: dict[str, Any]) -> list[str]:
    return [finding["reason"] for finding in body["findings"]]


# ---- every verdict path ---------------------------------------------------------------------


def test_every_path_by_document(demo: Demo) -> None:
    for path in DEMO_PATHS:
        r = demo.lookup(document={"number": path.number})
        assert r.status_code == 200, (path.key, r.text)
        body = r.json()
        assert body["level"] == path.expected.value, path.key
        assert body["person"]["masked_name"] == demo.record(path.key).masked_name
        assert body["person"]["masked_id"].endswith(path.number[-1:])
        assert path.number not in r.text
        assert body["snapshot"] is None  # the rows say what the screen shows, nothing more
        assert {f["source"] for f in body["findings"]} >= {"health_code", "vaccination", "nat", "travel"}
        assert body["evaluated_at"].startswith(demo.server.clock().strftime("%Y-%m-%dT%H:%M"))
    body = demo.lookup(document={"kind": "hk_macao_pass", "number": "h1234 5678"}).json()
    assert body["level"] == "review" and reasons(body)[0] == "code_missing"


def test_every_path_by_personal_code(demo: Demo) -> None:
    for path in DEMO_PATHS:
        r = demo.lookup(personal_code=demo.code(path.key))
        assert r.status_code == 200, (path.key, r.text)
        assert r.json()["level"] == path.expected.value, path.key
        ref = demo.record(path.key).person_ref
        assert r.json()["person"]["person_ref"] == venue_ref(demo.ctx.keys, demo.venue_id, ref) != ref


def test_reasons_name_each_path(demo: Demo) -> None:
    expected = {
        "nat_49h": "nat_too_old",
        "no_nat": "nat_none",
        "nat_pending": "nat_pending",
        "nat_positive": "nat_positive",
        "yellow": "code_yellow",
        "red": "code_red",
        "no_code": "code_missing",
        "travel_abnormal": "travel_abnormal",
        "travel_unverified": "travel_unverified",
    }
    for key, reason in expected.items():
        body = demo.lookup(document={"number": DEMO_PATHS_BY_KEY[key].number}).json()
        assert reason in reasons(body), key


def test_venue_policy_is_applied(demo: Demo) -> None:
    policy = VenuePolicy(vaccination_required=VaccinationRequirement.BOOSTER, masking=MaskingLevel.STRICT)
    with demo.ctx.sessions.begin() as session:
        session.execute(
            update(Venue).where(Venue.id == demo.venue_id).values(policy_json=policy.model_dump_json())
        )
    levels = {
        key: demo.lookup(document={"number": DEMO_PATHS_BY_KEY[key].number}).json()
        for key in ("vacc_none", "vacc_partial", "vacc_full", "vacc_booster")
    }
    assert [body["level"] for body in levels.values()] == ["review", "review", "review", "pass"]
    number = DEMO_PATHS_BY_KEY["vacc_booster"].number
    assert levels["vacc_booster"]["person"]["masked_id"] == number[:4] + "*" * 12 + number[-2:]
    # The shop keeps the default policy: no vaccination rule, the standard mask.
    shop_owner = demo.server.login(SHOP_OWNER)
    number = DEMO_PATHS_BY_KEY["vacc_none"].number
    body = demo.lookup(shop_owner, demo.shop_id, document={"number": number}).json()
    assert body["level"] == "pass"
    assert body["person"]["masked_id"] == number[:6] + "*" * 8 + number[-4:]


def test_temperature_joins_the_verdict(demo: Demo) -> None:
    green = DEMO_PATHS_BY_KEY["green_fresh"].number
    body = demo.lookup(document={"number": green}, temperature=37.8).json()
    assert body["level"] == "deny"
    assert reasons(body)[-1] == "temperature_fever"
    assert body["findings"][-1]["source"] == "temperature"
    body = demo.lookup(personal_code=demo.code("green_fresh"), temperature=36.5).json()
    assert body["level"] == "pass" and reasons(body)[-1] == "temperature_normal"


def test_nat_ages_with_the_clock(demo: Demo) -> None:
    number = DEMO_PATHS_BY_KEY["nat_47h"].number
    assert demo.lookup(document={"number": number}).json()["level"] == "pass"
    demo.server.clock.advance(hours=1, minutes=1)
    body = demo.lookup(document={"number": number}).json()
    assert body["level"] == "review" and "nat_too_old" in reasons(body)


# ---- personal codes: freshness and errors ---------------------------------------------------


def test_code_lookup_prefers_the_registry_and_falls_back_to_the_code(demo: Demo) -> None:
    code = demo.code("green_fresh")
    record = demo.record("green_fresh")
    with demo.ctx.sessions.begin() as session:
        session.execute(
            update(Person).where(Person.person_ref == record.person_ref).values(code_colour="red")
        )
    body = demo.lookup(personal_code=code).json()
    assert body["level"] == "deny" and reasons(body)[0] == "code_red"
    with demo.ctx.sessions.begin() as session:
        session.execute(delete(Person).where(Person.person_ref == record.person_ref))
    body = demo.lookup(personal_code=code).json()
    assert body["level"] == "pass" and reasons(body)[0] == "code_green"
    assert body["person"] == {
        "person_ref": venue_ref(demo.ctx.keys, demo.venue_id, record.person_ref),
        "masked_name": record.masked_name,
        "masked_id": record.masked_id,
    }


def _foreign_code(demo: Demo) -> str:
    record = demo.record("green_fresh")
    return issue_personal_code(
        key=SigningKey.generate(),
        person_ref=record.person_ref,
        masked_name=record.masked_name,
        masked_id=record.masked_id,
        snapshot=record.snapshot,
        issued_at=demo.server.clock(),
    )


def _tampered(code: str) -> str:
    prefix, payload, signature = code.split(".")
    flipped = "A" if signature[0] != "A" else "B"
    return f"{prefix}.{payload}.{flipped}{signature[1:]}"


def test_each_code_error_is_a_422_with_its_code(demo: Demo) -> None:
    now = demo.server.clock()
    record = demo.record("green_fresh")
    cases = {
        "malformed_code": "SMHC1.abc.def",
        "bad_signature": _tampered(demo.code("green_fresh")),
        "unknown_key": _foreign_code(demo),
        "code_expired": issue_code_for(demo.ctx, record, now - timedelta(hours=25)),
        "code_not_yet_valid": issue_code_for(demo.ctx, record, now + timedelta(hours=1)),
    }
    for code, text in cases.items():
        r = demo.lookup(personal_code=text)
        assert r.status_code == 422, code
        assert r.json()["error"]["code"] == code
        assert r.json()["error"]["message"]
    assert demo.lookup(personal_code="hello").json()["error"]["message"] == "不是有效的个人健康码，请重新扫码"


def test_stale_trust_list_maps_to_its_code(demo: Demo) -> None:
    demo.ctx.settings = replace(demo.ctx.settings, trust_list_validity_days=-1)
    r = demo.lookup(personal_code=demo.code("green_fresh"))
    assert r.status_code == 422 and error_code(r) == "stale_trust_list"


def test_venue_code_given_by_mistake(demo: Demo) -> None:
    url = venue_code_url(
        demo.server.settings.public_base_url, demo.venue_id, None, demo.ctx.keys.venue_secret
    )
    r = demo.lookup(personal_code=url)
    assert r.status_code == 422
    assert r.json()["error"] == {"code": "venue_code_given", "message": "这是场所码，请扫描访客的个人健康码"}


def test_code_of_a_rotated_key_still_verifies(demo: Demo) -> None:
    old = demo.code("green_fresh")
    with demo.ctx.sessions.begin() as session:
        rotate_signing_key(session, demo.server.clock(), key_provider(demo.server.settings.database_url))
    demo.ctx.reload_keys()
    new = demo.code("yellow")
    assert (
        json.loads(b64url_decode(old.split(".")[1]))["k"] != json.loads(b64url_decode(new.split(".")[1]))["k"]
    )
    assert demo.lookup(personal_code=old).json()["level"] == "pass"
    assert demo.lookup(personal_code=new).json()["level"] == "deny"


# ---- documents and bad input ----------------------------------------------------------------


def test_unknown_document_cannot_be_verified(demo: Demo) -> None:
    r = demo.lookup(document={"number": UNKNOWN_ID})
    assert r.status_code == 200
    body = r.json()
    assert body["level"] == "cannot_verify"
    assert body["person"] is None and body["snapshot"] is None
    assert body["findings"] == [
        {
            "source": "health_code",
            "state": "unknown",
            "reason": "person_not_found",
            "message": "未查询到该证件的健康信息，请人工核验",
            "args": {},  # a finding's values for the app's language (issue 17 §5): none here
        }
    ]


@pytest.mark.parametrize(
    ("document", "code"),
    [
        ({"number": UNKNOWN_ID[:-1] + "9"}, "bad_checksum"),
        ({"number": UNKNOWN_ID[:12]}, "bad_length"),
        ({"number": "99" + UNKNOWN_ID[2:]}, "bad_checksum"),
        ({"number": "330624189901011234"}, "bad_birth_date"),
        ({"number": "张三"}, "bad_format"),
        ({"kind": "library_card", "number": UNKNOWN_ID}, "bad_document_kind"),
        ({"kind": "taiwan_pass", "number": "1234"}, "bad_length"),
    ],
)
def test_bad_document_is_a_422_with_its_code(demo: Demo, document: dict[str, str], code: str) -> None:
    r = demo.lookup(document=document)
    assert r.status_code == 422
    assert error_code(r) == code
    assert r.json()["error"]["message"]


def test_exactly_one_of_code_and_document(demo: Demo) -> None:
    both = demo.lookup(personal_code=demo.code("green_fresh"), document={"number": UNKNOWN_ID})
    neither = demo.lookup(temperature=36.5)
    for r in (both, neither):
        assert r.status_code == 422 and error_code(r) == "bad_lookup"
    r = demo.lookup(document={"number": ""})
    assert r.status_code == 422 and error_code(r) == "invalid_request"
    r = demo.lookup(personal_code="x" * 3000)
    assert r.status_code == 422 and error_code(r) == "invalid_request"


def test_checkpoint_must_belong_to_the_venue(demo: Demo) -> None:
    number = DEMO_PATHS_BY_KEY["green_fresh"].number
    own = demo.checkpoints(demo.venue_id)
    assert len(own) == 3
    assert demo.lookup(document={"number": number}, checkpoint_id=own[1]).status_code == 200
    for wrong in (demo.checkpoints(demo.shop_id)[0], 999_999):
        r = demo.lookup(document={"number": number}, checkpoint_id=wrong)
        assert r.status_code == 422 and error_code(r) == "bad_checkpoint"


# ---- roles, audit, read-only ----------------------------------------------------------------


def test_role_cells(demo: Demo) -> None:
    server = demo.server
    staff_phone, revoked_phone = HOSPITAL_STAFF[0][0], HOSPITAL_STAFF[1][0]
    with demo.ctx.sessions.begin() as session:
        revoked = session.scalar(select(User).where(User.phone == revoked_phone))
        hospital = session.get(Venue, demo.venue_id)
        assert revoked is not None and hospital is not None
        venue_admin.set_staff_state(session, demo.ctx, hospital, revoked.id, StaffState.REVOKED)
    headers = {
        "owner": demo.owner,
        "staff": server.login(staff_phone),
        "revoked": server.login(revoked_phone),
        "other_staff": server.login(SHOP_OWNER),
        "sup_in": server.login(SUPERVISOR),
        "sup_out": make_supervisor(server, "13800000009", "330683", region_name="嵊州市"),
        "anonymous": {},
    }
    expected = {
        "owner": None,
        "staff": None,
        "revoked": "staff_revoked",
        "other_staff": "not_venue_staff",
        "sup_in": "not_venue_staff",
        "sup_out": "not_venue_staff",
        "anonymous": "not_authenticated",
    }
    number = DEMO_PATHS_BY_KEY["green_fresh"].number
    got = {role: error_code(demo.lookup(h, document={"number": number})) for role, h in headers.items()}
    assert got == expected
    r = demo.lookup(venue_id=987_654, document={"number": number})
    assert r.status_code == 404 and error_code(r) == "venue_not_found"
    # Refused callers learn nothing, not even whether the input was valid.
    assert error_code(demo.lookup(headers["other_staff"], document={"number": "1"})) == "not_venue_staff"


def test_lookups_are_audited_and_write_no_check(demo: Demo) -> None:
    staff = demo.server.login(HOSPITAL_STAFF[0][0], device_name="急诊扫码枪")
    checkpoint = demo.checkpoints(demo.venue_id)[2]
    by_code = demo.lookup(staff, personal_code=demo.code("red"), checkpoint_id=checkpoint).json()
    by_doc = demo.lookup(document={"number": DEMO_PATHS_BY_KEY["yellow"].number}).json()
    unknown = demo.lookup(document={"number": UNKNOWN_ID}).json()
    refused = demo.lookup(document={"number": "1"})
    assert refused.status_code == 422
    with demo.ctx.sessions() as session:
        rows = {
            row.id: row for row in session.scalars(select(AuditEntry).where(AuditEntry.action == "lookup"))
        }
        users = {user.phone: user.id for user in session.scalars(select(User))}
        checks = session.scalar(select(func.count()).select_from(Check))
        members = session.scalar(select(func.count()).select_from(Membership))
    assert checks == 0
    assert members == 4
    assert sorted(rows) == sorted([by_code["lookup_id"], by_doc["lookup_id"], unknown["lookup_id"]])
    row = rows[by_code["lookup_id"]]
    assert row.actor_user_id == users[HOSPITAL_STAFF[0][0]]
    assert row.venue_id == demo.venue_id and row.region_code == "330624"
    assert row.person_ref == demo.record("red").person_ref
    assert row.device_name == "急诊扫码枪"
    assert row.at == demo.server.clock()
    assert json.loads(row.detail) == {
        "method": "scan",
        "checkpoint_id": checkpoint,
        "found": True,
        "level": "deny",
    }
    row = rows[by_doc["lookup_id"]]
    assert row.actor_user_id == users[OWNER] and row.device_name == "南门平板"
    assert row.person_ref == demo.record("yellow").person_ref
    assert json.loads(row.detail)["method"] == "document"
    row = rows[unknown["lookup_id"]]
    assert row.person_ref is None and json.loads(row.detail)["found"] is False
    for entry in rows.values():  # the audit log holds references, never the document itself
        assert UNKNOWN_ID not in entry.detail and DEMO_PATHS_BY_KEY["yellow"].number not in entry.detail


# ---- trust list and sealing key -------------------------------------------------------------


def test_trust_list_is_public_and_verifies_codes(demo: Demo) -> None:
    r = demo.server.client.get(f"{API}/trust-list")
    assert r.status_code == 200
    root = root_public_key(demo.ctx.keys.trust_root)
    trust = verify_trust_list(r.text, [root]).trust_list
    now = demo.server.clock()
    assert trust.issued_at == now
    assert trust.valid_until == now + timedelta(days=demo.server.settings.trust_list_validity_days)
    assert [key.key_id for key in trust.keys] == [demo.ctx.keys.signing.key_id]
    code = verify_personal_code(demo.code("green_fresh"), trust, now)
    assert code.to_snapshot() == demo.record("green_fresh").snapshot
    with demo.ctx.sessions.begin() as session:
        rotate_signing_key(session, now, key_provider(demo.server.settings.database_url))
    demo.ctx.reload_keys()
    keys = verify_trust_list(demo.server.client.get(f"{API}/trust-list").text, [root]).trust_list.keys
    assert len(keys) == 2


def test_sealing_key_is_public(demo: Demo) -> None:
    r = demo.server.client.get(f"{API}/sealing-key")
    assert r.status_code == 200
    assert b64url_decode(r.json()["public_key"]) == demo.ctx.keys.sealing_public
    assert len(demo.ctx.keys.sealing_public) == 32


def test_unused_snapshot_fields_do_not_leak(demo: Demo) -> None:
    body = demo.lookup(document={"number": DEMO_PATHS_BY_KEY["no_nat"].number}).json()
    assert body["snapshot"] is None
    assert set(body) == {"lookup_id", "person", "snapshot", "level", "findings", "evaluated_at"}
    assert VerdictLevel(body["level"]) is VerdictLevel.REVIEW


def test_a_lookup_runs_four_statements_on_postgresql(demo: Demo) -> None:
    """Issue 15 §6: a lookup cost 12 SQL statements (token, user, venue, membership, checkpoint,
    checkpoint count, two bucket UPDATEs, registry, audit, watch, region bucket), ~1 ms of server
    CPU each through SQLAlchemy, then 8. Now: caller; venue with membership and checkpoint
    figures; the staff and venue buckets in one UPDATE; registry; and audit row, watch count and
    region bucket as one statement on PostgreSQL (three on SQLite) — still audited, watched and
    limited in the database. Then 5 -> 4: a person's token and the venue in one query."""
    engine = demo.server.client.app.state.engine  # type: ignore[attr-defined]
    gate = demo.checkpoints(demo.venue_id)[0]
    number = DEMO_PATHS[0].number
    assert demo.lookup(document={"number": number}, checkpoint_id=gate).status_code == 200  # buckets made
    code = demo.code(DEMO_PATHS[0].key)
    statements: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        r = demo.lookup(document={"number": number}, checkpoint_id=gate)
        statements_by_document = len(statements)
        statements.clear()
        r2 = demo.lookup(personal_code=code, checkpoint_id=gate)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert r.status_code == 200 and r2.status_code == 200, (r.text, r2.text)
    most = 4 if engine.dialect.name == "postgresql" else 6
    # Exactly: the statements run at the driver level (direct.py) are heard too.
    assert statements_by_document == most
    assert len(statements) == most, statements
    with demo.ctx.sessions() as session:
        audited = session.scalars(select(AuditEntry.id).where(AuditEntry.action == "lookup")).all()
    assert r.json()["lookup_id"] in audited and r2.json()["lookup_id"] in audited


def test_a_lookup_reads_only_the_columns_it_uses(demo: Demo) -> None:
    """Issue 15 §6: the caller (token + user) and the venue + membership were read as four ORM
    entities with all their columns — ~54 result columns a lookup, each a driver column object
    and an ORM attribute, for the dozen values the lookup reads. Now Core rows of those columns."""
    engine = demo.server.client.app.state.engine  # type: ignore[attr-defined]
    gate = demo.checkpoints(demo.venue_id)[0]
    number = DEMO_PATHS[0].number
    assert demo.lookup(document={"number": number}, checkpoint_id=gate).status_code == 200  # buckets made
    columns: list[int] = []

    def count(_conn: object, cursor: Any, *_args: object) -> None:
        columns.append(len(cursor.description or ()))

    event.listen(engine, "after_cursor_execute", count)
    try:
        r = demo.lookup(document={"number": number}, checkpoint_id=gate)
    finally:
        event.remove(engine, "after_cursor_execute", count)
    assert r.status_code == 200, r.text
    assert sum(columns) <= 30, columns


def test_a_lookup_makes_one_thread_hop(demo: Demo, monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 15 §6: the caller and the session were sync dependencies — each a hop to the thread
    pool (the session's set-up and its exit one each), and the route a fourth and fifth — with
    FastAPI's dependency machinery around each. The whole lookup is one hop now."""
    demo.lookup(document={"number": DEMO_PATHS[0].number})  # warm: keys, buckets
    hops: list[str] = []
    real = anyio.to_thread.run_sync

    async def counted(func: Any, *args: Any, **kwargs: Any) -> Any:
        hops.append(getattr(func, "__name__", repr(func)))
        return await real(func, *args, **kwargs)

    monkeypatch.setattr(anyio.to_thread, "run_sync", counted)
    r = demo.lookup(document={"number": DEMO_PATHS[0].number})
    assert r.status_code == 200, r.text
    assert len(hops) == 1, hops


def test_a_lookup_skips_fastapi_route_matching_and_dependency_solving(
    demo: Demo, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 15 §6: FastAPI tried ~27 routes and solved the lookup's dependency tree (path,
    headers, body, slot, context) on every lookup — ~30 % of its CPU. The ordinary lookup has a
    route of its own now, tried first."""
    demo.lookup(document={"number": DEMO_PATHS[0].number})  # warm
    solved = count_dependency_solving(monkeypatch)
    r = demo.lookup(
        document={"number": DEMO_PATHS[0].number}, headers={**demo.owner, "X-Shoumen-Version": "1.0"}
    )
    assert r.status_code == 200, r.text
    assert solved == []
    assert demo.server.client.get(f"{API}/me", headers=demo.owner).status_code == 200
    assert solved, "the probe counts FastAPI's dependency solving"


@pytest.mark.parametrize(
    ("case", "status", "code"),
    [
        *FAST_ROUTE_REFUSALS,
        ("venue id zero", 422, "invalid_request"),
        ("venue id past the column", 422, "invalid_request"),
        ("venue id not a number", 422, "invalid_request"),
        ("unknown venue", 404, "venue_not_found"),
        ("neither code nor document", 422, "bad_lookup"),
    ],
)
def test_a_lookup_refused_on_its_input_answers_as_the_fastapi_route_did(
    demo: Demo, case: str, status: int, code: str
) -> None:
    """The lookup's own route hands every request it does not serve (no credentials, a body or
    header that does not validate, an id out of range) to the FastAPI route with the body
    replayed: the same status, code and words as before, in the caller's language; errors met
    inside the lookup go through the same exception handlers."""
    ordinary = json.dumps({"document": {"number": DEMO_PATHS[0].number}})
    wrong_type = json.dumps({"document": {"number": DEMO_PATHS[0].number}, "temperature": "hot"})
    headers, content = refused_request(case, demo.owner, ordinary, wrong_type)
    venue = str(demo.venue_id)
    if case == "venue id zero":
        venue = "0"
    elif case == "venue id past the column":
        venue = str(2**31)
    elif case == "venue id not a number":
        venue = "x1"
    elif case == "unknown venue":
        venue = "999999"
    elif case == "neither code nor document":
        content = "{}"
    r = demo.server.client.post(f"{API}/venues/{venue}/lookup", content=content, headers=headers)
    assert_refused_in_english(r, status, code)


def test_a_lookup_with_another_method_is_answered_405(demo: Demo) -> None:
    r = demo.server.client.get(f"{API}/venues/{demo.venue_id}/lookup", headers=demo.owner)
    assert r.status_code == 405, r.text


def test_a_lookup_without_credentials_is_refused_before_its_body_is_read(demo: Demo) -> None:
    """The lookup authenticates inside its one thread hop (after FastAPI validated the body); a
    request without bearer credentials is still refused first, whatever its body."""
    for headers in ({}, {"Authorization": "Basic eDp5"}):
        r = demo.server.client.post(
            f"{API}/venues/{demo.venue_id}/lookup", json={"document": 5}, headers=headers
        )
        assert r.status_code == 401 and error_code(r) == "not_authenticated", r.text


def test_a_lookup_commits_before_it_answers(demo: Demo, monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 15 §6 (found by bench_capacity.py): the region bucket's row stays locked until the
    lookup commits, and the commit ran in the session dependency's exit — another hop to the
    thread pool. With more lookups in flight than pool threads, every thread waited for that
    lock and the commit that would release it never got a thread: a region's lookups hung. The
    lookup now commits on its own thread, before it builds its answer."""
    engine = demo.server.client.app.state.engine  # type: ignore[attr-defined]
    order: list[str] = []
    real_venue_ref = checks.venue_ref

    def answer_built(*args: Any) -> str:
        order.append("answer")
        return real_venue_ref(*args)

    def committed(*_args: object) -> None:
        order.append("commit")

    monkeypatch.setattr(checks, "venue_ref", answer_built)
    event.listen(engine, "commit", committed)
    try:
        r = demo.lookup(document={"number": DEMO_PATHS[0].number})
    finally:
        event.remove(engine, "commit", committed)
    assert r.status_code == 200, r.text
    assert order[:2] == ["commit", "answer"], order
    with demo.ctx.sessions() as session:
        assert (
            session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "lookup"))
            == 1
        )


def test_a_lookup_commits_its_session_once(demo: Demo) -> None:
    """The lookup commits itself (finish_lookup); the session's scope then has nothing to commit
    and no longer makes and ends an empty transaction for it (db.session_scope)."""
    demo.lookup(document={"number": DEMO_PATHS[0].number})  # warm
    commits: list[object] = []

    def committed(session: object) -> None:
        commits.append(session)

    event.listen(demo.ctx.sessions, "after_commit", committed)
    try:
        r = demo.lookup(document={"number": DEMO_PATHS[0].number})
    finally:
        event.remove(demo.ctx.sessions, "after_commit", committed)
    assert r.status_code == 200, r.text
    assert len(commits) == 1, commits


def _lookups_at_once(demo: Demo, n: int, *, threads: int) -> list[int]:
    """`n` document lookups sent at once into the demo's app, with `threads` worker threads:
    their status codes."""
    app = demo.server.client.app  # type: ignore[attr-defined]
    number = DEMO_PATHS[0].number

    async def rush() -> list[int]:
        anyio.to_thread.current_default_thread_limiter().total_tokens = threads
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://test", headers=demo.owner
        ) as client:
            lookup = f"{API}/venues/{demo.venue_id}/lookup"
            answers = await asyncio.wait_for(
                asyncio.gather(
                    *(client.post(lookup, json={"document": {"number": number}}) for _ in range(n))
                ),
                timeout=60,
            )
        return [r.status_code for r in answers]

    return asyncio.run(rush())


def test_lookups_beyond_the_pool_do_not_starve_the_threads(demo: Demo) -> None:
    """Issue 15 §6 (found by bench_capacity.py at 25 lookups/s): a session gives its connection
    back in the dependency's exit, a hop of its own to the thread pool. With more requests in
    flight than connections, every thread became a request waiting for a connection while
    the sessions holding them waited for a thread: nothing moved until the pool's timeout,
    and every request got 503. Here: 2 connections, 3 threads, 12 lookups at once."""
    app = demo.server.client.app  # type: ignore[attr-defined]
    ctx: ServerContext = app.state.ctx
    url = demo.server.settings.database_url
    sqlite_args = {"check_same_thread": False} if url.startswith("sqlite") else {}
    tiny = create_engine(url, pool_size=2, max_overflow=0, pool_timeout=5, connect_args=sqlite_args)
    ctx.sessions = make_session_factory(tiny)

    try:
        assert _lookups_at_once(demo, 12, threads=3) == [200] * 12
    finally:
        tiny.dispose()


def test_lookups_beyond_the_pool_wait_for_a_kept_connection(
    demo: Demo, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 15 §6 (bench_capacity.py, 300 lookups/s in the mix on 2 workers): the requests in
    flight were allowed as many as the pool could open (size + overflow), and the pool closes
    an overflow connection as soon as it is handed back, so every burst past the pool's size
    opened and closed PostgreSQL connections (~55 a second, p99 ~1-2 s). Now the slots are the
    connections the pool keeps: 12 lookups at once on a pool of 2 (+ 3 overflow) use the 2 and
    open no other."""
    app = demo.server.client.app  # type: ignore[attr-defined]
    ctx: ServerContext = app.state.ctx
    url = demo.server.settings.database_url
    sqlite_args = {"check_same_thread": False, "timeout": 10} if url.startswith("sqlite") else {}
    pool = create_engine(url, pool_size=2, max_overflow=3, pool_timeout=5, connect_args=sqlite_args)
    connects: list[object] = []
    out = [0, 0]  # checked out now, most at once

    def connected(*_args: object) -> None:
        connects.append(1)

    def checked_out(*_args: object) -> None:
        out[0] += 1
        out[1] = max(out[1], out[0])

    def checked_in(*_args: object) -> None:
        out[0] -= 1

    event.listen(pool, "connect", connected)
    event.listen(pool, "checkout", checked_out)
    event.listen(pool, "checkin", checked_in)
    ctx.sessions = make_session_factory(pool)
    real_venue_ref = checks.venue_ref

    def slow_answer(*args: Any) -> str:
        time.sleep(0.05)  # the lookups overlap: each holds its connection a while
        return real_venue_ref(*args)

    monkeypatch.setattr(checks, "venue_ref", slow_answer)

    try:
        assert _lookups_at_once(demo, 12, threads=20) == [200] * 12
    finally:
        pool.dispose()
    assert (len(connects), out[1]) == (2, 2)
