"""Anomaly registrations (核查登记) over REST: create, edit with a version, conflicts, masked
reads, PII encrypted at rest, validation codes, and the role table of DESIGN §5."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from shoumen_core.codes import unseal
from shoumen_server.models import Anomaly
from tests.server.conftest import Server
from tests.server.fixtures_sync import (
    TODAY,
    anomaly,
    checkpoint_ids,
    count_rows,
    ctx_of,
    db,
    local,
    sealed_for,
)
from tests.server.journeys import API, ROLES, error_code, register_venue, role_actors


def _url(venue_id: int, anomaly_id: str | None = None) -> str:
    base = f"{API}/venues/{venue_id}/anomalies"
    return f"{base}/{anomaly_id}" if anomaly_id else base


def test_create_read_edit_and_conflict(server: Server) -> None:
    venue_id, owner = register_venue(server)
    gate = checkpoint_ids(server, venue_id)[0]
    body = anomaly(venue_id, checkpoint_id=gate, snapshot={"code_colour": "yellow", "temperature": 37.9})
    r = server.client.post(_url(venue_id), json=body, headers=owner)
    assert r.status_code == 201, r.text
    out = r.json()
    assert out["version"] == 1 and out["checkpoint_id"] == gate
    assert (out["masked_name"], out["phone_masked"], out["masked_id"]) == (
        "张*",
        "138****5678",
        "110105********002X",
    )
    assert out["document_kind"] == "resident_id"
    assert out["snapshot"]["code_colour"] == "yellow"
    assert out["created_at"].startswith("2026-11-20T01:30")
    text = r.text
    assert "张三" not in text and "13812345678" not in text and "11010519491231002X" not in text

    # Encrypted at rest, readable with the server's data key only.
    keys = ctx_of(server).keys
    with db(server) as session:
        row = session.get(Anomaly, uuid.UUID(body["id"]))
        assert row is not None and row.doc_enc is not None and row.name_enc is not None
        assert row.phone_enc is not None
        assert b"11010519491231002X" not in row.doc_enc
        assert keys.decrypt(row.doc_enc) == "11010519491231002X"
        assert (keys.decrypt(row.name_enc), keys.decrypt(row.phone_enc)) == ("张三", "13812345678")
        assert row.day == TODAY

    assert server.client.get(_url(venue_id, body["id"]), headers=owner).json() == out

    edit = {**body, "notes": "已通知社区", "action": "report_community", "name": "", "base_version": 1}
    server.clock.advance(minutes=5)
    r = server.client.put(_url(venue_id, body["id"]), json=edit, headers=owner)
    assert r.status_code == 200, r.text
    assert (r.json()["version"], r.json()["notes"], r.json()["action"]) == (
        2,
        "已通知社区",
        "report_community",
    )
    assert r.json()["masked_name"] == "张*"  # an empty name on an edit keeps the stored one
    assert r.json()["updated_at"] != out["updated_at"]

    stale = {**body, "notes": "劝返", "base_version": 1}
    r = server.client.put(_url(venue_id, body["id"]), json=stale, headers=owner)
    assert r.status_code == 409
    assert r.json()["error"] == {
        "code": "version_conflict",
        "message": "登记已被他人修改（服务器版本 2）",
        "detail": {"server_version": 2},
    }
    # Resending the edit that was applied is harmless.
    assert server.client.put(_url(venue_id, body["id"]), json=edit, headers=owner).json()["version"] == 2


def test_create_is_idempotent_and_lists_by_day(server: Server) -> None:
    venue_id, owner = register_venue(server)
    first = anomaly(venue_id)
    assert server.client.post(_url(venue_id), json=first, headers=owner).status_code == 201
    assert server.client.post(_url(venue_id), json=first, headers=owner).json()["version"] == 1
    changed = {**first, "notes": "不同内容"}
    r = server.client.post(_url(venue_id), json=changed, headers=owner)
    assert (r.status_code, error_code(r)) == (409, "version_conflict")
    second = anomaly(venue_id, created_at=local(TODAY, 9, 45).isoformat())
    yesterday = anomaly(venue_id, created_at=local(TODAY - timedelta(days=1), 23).isoformat())
    for body in (second, yesterday):
        assert server.client.post(_url(venue_id), json=body, headers=owner).status_code == 201
    assert count_rows(server, Anomaly) == 3

    today = server.client.get(_url(venue_id), headers=owner).json()
    assert [a["id"] for a in today] == [second["id"], first["id"]]
    r = server.client.get(_url(venue_id), params={"date": "2026-11-19"}, headers=owner)
    assert [a["id"] for a in r.json()] == [yesterday["id"]]
    assert server.client.get(_url(venue_id), params={"date": "2030-01-01"}, headers=owner).json() == []
    r = server.client.get(_url(venue_id), params={"date": "20261119"}, headers=owner)
    assert (r.status_code, error_code(r)) == (422, "bad_date")


def test_documents_are_optional_and_sealed_ones_are_stored_as_bytes(server: Server) -> None:
    venue_id, owner = register_venue(server)
    manual = anomaly(
        venue_id,
        document_number=None,
        phone="",
        name="李大爷",
        no_phone_reason="老人独居，无电话",
        anomaly_type="no_phone_no_id",
        action="other",
    )
    r = server.client.post(_url(venue_id), json=manual, headers=owner)
    assert r.status_code == 201, r.text
    assert (r.json()["masked_id"], r.json()["phone_masked"], r.json()["masked_name"]) == ("", "", "李**")

    sealed = sealed_for(server, "11010519491231002X")
    offline = anomaly(
        venue_id,
        document_number=None,
        sealed_document=sealed,
        masked_id="110105********002X",
        document_kind="resident_id",
    )
    r = server.client.post(_url(venue_id), json=offline, headers=owner)
    assert r.status_code == 201, r.text
    assert r.json()["masked_id"] == "110105********002X"
    with db(server) as session:
        row = session.get(Anomaly, uuid.UUID(offline["id"]))
        assert row is not None and row.sealed_document is not None and row.doc_enc is None
        assert unseal(row.sealed_document, ctx_of(server).keys.sealing_private) == b"11010519491231002X"

    other = anomaly(
        venue_id, document_number=None, name="", phone="", anomaly_type="other", action="turn_away"
    )
    assert server.client.post(_url(venue_id), json=other, headers=owner).status_code == 201


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"temperature": 29.9}, "bad_temperature"),
        ({"temperature": 45.1}, "bad_temperature"),
        ({"document_number": "110105194912310021"}, "bad_document"),
        ({"document_kind": "library_card"}, "bad_document"),
        ({"document_number": None, "sealed_document": "***"}, "bad_document"),
        ({"phone": "1381234567"}, "bad_phone"),
        ({"checkpoint_id": 2**40}, "bad_checkpoint"),
        ({"created_at": "2026-11-20T02:30:00+00:00"}, "bad_time"),
        ({"notes": "a\x00b"}, "bad_record"),
        ({"venue_id": 99999}, "venue_mismatch"),
        ({"base_version": 1}, "bad_version"),
        ({"anomaly_type": "purple"}, "invalid_request"),
        ({"temperature": "hot"}, "invalid_request"),
    ],
)
def test_create_bad_input(server: Server, overrides: dict[str, Any], code: str) -> None:
    venue_id, owner = register_venue(server)
    r = server.client.post(_url(venue_id), json={**anomaly(venue_id), **overrides}, headers=owner)
    assert (r.status_code, error_code(r)) == (422, code)
    assert count_rows(server, Anomaly) == 0


def test_edit_bad_input(server: Server) -> None:
    venue_id, owner = register_venue(server)
    body = anomaly(venue_id)
    assert server.client.post(_url(venue_id), json=body, headers=owner).status_code == 201
    cases = [
        (_url(venue_id, str(uuid.uuid4())), {**body, "base_version": 1}, 422, "id_mismatch"),
        (_url(venue_id, body["id"]), {**body, "base_version": 0}, 422, "bad_version"),
        (_url(venue_id, body["id"]), {**body, "temperature": 50, "base_version": 1}, 422, "bad_temperature"),
        (_url(venue_id, "not-a-uuid"), {**body, "base_version": 1}, 422, "invalid_request"),
    ]
    unknown = anomaly(venue_id, base_version=1)
    cases.append((_url(venue_id, unknown["id"]), unknown, 404, "anomaly_not_found"))
    for url, payload, status, code in cases:
        r = server.client.put(url, json=payload, headers=owner)
        assert (r.status_code, error_code(r)) == (status, code), url
    r = server.client.get(_url(venue_id, str(uuid.uuid4())), headers=owner)
    assert (r.status_code, error_code(r)) == (404, "anomaly_not_found")


def test_an_anomaly_of_another_venue_is_not_found(server: Server) -> None:
    venue_id, owner = register_venue(server)
    other_id, other_owner = register_venue(server, "13900000004", name="南明超市")
    body = anomaly(venue_id)
    assert server.client.post(_url(venue_id), json=body, headers=owner).status_code == 201
    r = server.client.get(_url(other_id, body["id"]), headers=other_owner)
    assert (r.status_code, error_code(r)) == (404, "anomaly_not_found")
    moved = {**body, "venue_id": other_id, "base_version": 1}
    r = server.client.put(_url(other_id, body["id"]), json=moved, headers=other_owner)
    assert (r.status_code, error_code(r)) == (404, "anomaly_not_found")


EXPECTED_WRITE = {
    "owner": (201, None),
    "staff": (201, None),
    "revoked": (403, "staff_revoked"),
    "other_staff": (403, "not_venue_staff"),
    "sup_in": (403, "not_venue_staff"),
    "sup_out": (403, "not_venue_staff"),
    "anonymous": (401, "not_authenticated"),
}
EXPECTED_READ = {
    **{role: (200, None) for role in ("owner", "staff", "sup_in")},
    "revoked": (403, "staff_revoked"),
    "other_staff": (403, "not_venue_staff"),
    "sup_out": (403, "not_venue_staff"),
    "anonymous": (401, "not_authenticated"),
}


def _version(server: Server, anomaly_id: str) -> int:
    with db(server) as session:
        version = session.scalar(select(Anomaly.version).where(Anomaly.id == uuid.UUID(anomaly_id)))
    assert version is not None
    return version


def test_role_table_for_anomaly_endpoints(server: Server) -> None:
    actors = role_actors(server)
    venue_id = actors.venue_id
    stored = anomaly(venue_id)
    assert server.client.post(_url(venue_id), json=stored, headers=actors.headers["owner"]).status_code == 201
    for role in ROLES:
        headers = actors.headers[role]
        r = server.client.post(_url(venue_id), json=anomaly(venue_id), headers=headers)
        assert (r.status_code, error_code(r)) == EXPECTED_WRITE[role], role
        edit = {**stored, "notes": f"edited by {role}", "base_version": _version(server, stored["id"])}
        r = server.client.put(_url(venue_id, stored["id"]), json=edit, headers=headers)
        expected = (200, None) if EXPECTED_WRITE[role][0] == 201 else EXPECTED_WRITE[role]
        assert (r.status_code, error_code(r)) == expected, role
        for url in (_url(venue_id), _url(venue_id, stored["id"])):
            r = server.client.get(url, headers=headers)
            assert (r.status_code, error_code(r)) == EXPECTED_READ[role], (role, url)
    assert _version(server, stored["id"]) == 3  # edited by the owner and the staff member only
