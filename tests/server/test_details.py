"""查看完整信息 (POST /venues/{id}/full-details): who may see a person's unmasked identity, from
which stored source, and that every view — and only a granted one — is audited."""

from __future__ import annotations

import json
import uuid
from datetime import date
from typing import Any

from sqlalchemy import select

from shoumen_core.identity import make_resident_id, parse_document
from shoumen_core.policy import HealthSnapshot
from shoumen_server.health import PersonData, add_person
from shoumen_server.models import AuditEntry
from tests.server.conftest import Server
from tests.server.fixtures_sync import anomaly, check, ctx_of, db, push, push_ok, sealed_for
from tests.server.journeys import API, REGION, Actors, error_code, role_actors

PERSON_ID = make_resident_id("330624", date(1978, 11, 23), 123)
PERSON_NAME = "吴国华"
PERSON_PHONE = "13700000003"


def _registered_person(server: Server) -> str:
    """A person of the health registry; returns their opaque person_ref."""
    data = PersonData(
        document=parse_document(PERSON_ID),
        name=PERSON_NAME,
        snapshot=HealthSnapshot(),
        phone=PERSON_PHONE,
    )
    with db(server) as session:
        return add_person(session, ctx_of(server).keys, data, server.clock()).person_ref


def _view(server: Server, headers: dict[str, str], venue_id: int, **ids: Any) -> Any:
    body = {key: str(value) for key, value in ids.items()}
    return server.client.post(f"{API}/venues/{venue_id}/full-details", json=body, headers=headers)


def _views(server: Server) -> list[AuditEntry]:
    with db(server) as session:
        rows = list(session.scalars(select(AuditEntry).where(AuditEntry.action == "view_full")))
        session.expunge_all()
        return rows


def _abnormal_check(server: Server, actors: Actors, **extra: Any) -> dict[str, Any]:
    body = check(actors.venue_id, level="deny", **extra)
    push_ok(server, actors.headers["staff"], [body])
    return body


def test_supervisor_sees_the_registry_person_and_the_view_is_audited(server: Server) -> None:
    actors = role_actors(server)
    person_ref = _registered_person(server)
    body = _abnormal_check(server, actors, person_ref=person_ref, masked_name="吴**")
    # Masked everywhere else: the region's abnormal list shows the masked name only.
    listed = server.client.get(f"{API}/regions/{REGION}/abnormal", headers=actors.headers["sup_in"])
    assert [item["masked_name"] for item in listed.json()["items"]] == ["吴**"]
    assert _views(server) == []

    r = _view(server, actors.headers["sup_in"], actors.venue_id, check_id=body["id"])
    assert r.status_code == 200, r.text
    out = r.json()
    assert (out["name"], out["document_number"], out["phone"]) == (PERSON_NAME, PERSON_ID, PERSON_PHONE)
    assert (out["document_kind"], out["source"]) == ("resident_id", "registry")

    [entry] = _views(server)
    assert entry.id == out["audit_id"]
    assert (entry.venue_id, entry.region_code, entry.person_ref) == (actors.venue_id, REGION, person_ref)
    detail = json.loads(entry.detail)
    assert detail == {"role": "supervisor", "check_id": body["id"], "anomaly_id": None}
    assert PERSON_ID not in entry.detail and PERSON_NAME not in entry.detail  # the log holds no PII


def test_owner_sees_a_registration_and_a_check_borrows_its_phone(server: Server) -> None:
    actors = role_actors(server)
    body = _abnormal_check(server, actors, person_ref="", masked_name="", masked_id="")
    registration = anomaly(actors.venue_id, check_id=body["id"])
    r = push(server, actors.headers["staff"], anomalies=[registration])
    assert r.status_code == 200 and r.json()["rejected"] == [], r.text

    by_registration = _view(server, actors.headers["owner"], actors.venue_id, anomaly_id=registration["id"])
    assert by_registration.status_code == 200, by_registration.text
    out = by_registration.json()
    assert (out["name"], out["document_number"], out["phone"], out["source"]) == (
        "张三",
        "11010519491231002X",
        "13812345678",
        "registration",
    )
    by_check = _view(server, actors.headers["owner"], actors.venue_id, check_id=body["id"]).json()
    assert (by_check["name"], by_check["phone"], by_check["source"]) == (
        "张三",
        "13812345678",
        "registration",
    )
    assert [json.loads(e.detail)["role"] for e in _views(server)] == ["owner", "owner"]


def test_a_document_typed_offline_is_unsealed(server: Server) -> None:
    actors = role_actors(server)
    body = _abnormal_check(
        server, actors, person_ref="", offline=True, sealed_document=sealed_for(server, PERSON_ID)
    )
    r = _view(server, actors.headers["sup_in"], actors.venue_id, check_id=body["id"])
    assert r.status_code == 200, r.text
    assert (r.json()["document_number"], r.json()["name"], r.json()["source"]) == (PERSON_ID, "", "sealed")


def test_only_the_owner_and_the_regions_supervisor_may_look(server: Server) -> None:
    actors = role_actors(server)
    body = _abnormal_check(server, actors, person_ref=_registered_person(server))
    expected = {
        "owner": None,
        "sup_in": None,
        "staff": "owner_only",
        "revoked": "staff_revoked",
        "other_staff": "not_venue_staff",
        "sup_out": "not_venue_staff",
        "anonymous": "not_authenticated",
    }
    got = {
        role: error_code(_view(server, actors.headers[role], actors.venue_id, check_id=body["id"]))
        for role in expected
    }
    assert got == expected
    assert len(_views(server)) == 2  # refusals are not views


def test_bad_requests_and_records_with_nothing_to_reveal(server: Server) -> None:
    actors = role_actors(server)
    owner, venue_id = actors.headers["owner"], actors.venue_id
    body = _abnormal_check(server, actors, person_ref=_registered_person(server))
    bare = _abnormal_check(server, actors, person_ref="", masked_name="", masked_id="", method="manual")
    other = check(actors.other_venue_id, level="deny")
    push_ok(server, actors.headers["other_staff"], [other])

    assert error_code(_view(server, owner, venue_id)) == "bad_details_request"
    both = _view(server, owner, venue_id, check_id=body["id"], anomaly_id=uuid.uuid4())
    assert error_code(both) == "bad_details_request"
    assert error_code(_view(server, owner, venue_id, check_id=uuid.uuid4())) == "check_not_found"
    assert error_code(_view(server, owner, venue_id, check_id=other["id"])) == "check_not_found"
    assert error_code(_view(server, owner, venue_id, anomaly_id=uuid.uuid4())) == "anomaly_not_found"
    nothing = _view(server, owner, venue_id, check_id=bare["id"])
    assert (nothing.status_code, error_code(nothing)) == (404, "no_full_details")
    assert _views(server) == []
