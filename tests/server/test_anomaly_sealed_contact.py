"""Issue 13 §6: a device pushes an anomaly registration's name and phone sealed to the
backend's key; the server opens them, re-masks them and stores them encrypted at rest as before.
A resend of the same registration (sealed afresh, so different bytes) changes nothing."""

from __future__ import annotations

import uuid

from shoumen_core.codes import b64url_encode, seal
from shoumen_server.models import Anomaly
from tests.server.conftest import Server
from tests.server.fixtures_sync import anomaly, ctx_of, db, push, sealed_for
from tests.server.journeys import API, error_code, register_venue


def sealed_contact(server: Server, venue_id: int, **overrides: object) -> dict[str, object]:
    values: dict[str, object] = {
        "name": "",
        "phone": "",
        "sealed_name": sealed_for(server, "王大爷"),
        "sealed_phone": sealed_for(server, "13700000099"),
        "masked_name": "device says",  # the server masks for itself
        "phone_masked": "device says",
    }
    return anomaly(venue_id, **{**values, **overrides})


def test_a_sealed_name_and_phone_are_opened_masked_and_encrypted_at_rest(server: Server) -> None:
    venue_id, owner = register_venue(server)
    body = sealed_contact(server, venue_id)
    r = push(server, owner, anomalies=[body])
    assert r.status_code == 200, r.text
    assert r.json()["accepted"] == [body["id"]], r.text
    keys = ctx_of(server).keys
    with db(server) as session:
        row = session.get(Anomaly, uuid.UUID(str(body["id"])))
        assert row is not None and row.name_enc is not None and row.phone_enc is not None
        assert (row.masked_name, row.phone_masked) == ("王**", "137****0099")
        assert (keys.decrypt(row.name_enc), keys.decrypt(row.phone_enc)) == ("王大爷", "13700000099")
        version = row.version
    # The outbox resends it sealed afresh: the same content, no new version.
    again = {
        **body,
        "sealed_name": sealed_for(server, "王大爷"),
        "sealed_phone": sealed_for(server, "13700000099"),
    }
    assert push(server, owner, anomalies=[again]).json()["accepted"] == [body["id"]]
    with db(server) as session:
        row = session.get(Anomaly, uuid.UUID(str(body["id"])))
        assert row is not None and row.version == version


def test_a_sealed_name_that_does_not_open_is_refused(server: Server) -> None:
    venue_id, owner = register_venue(server)
    other_key = b64url_encode(seal(b"x" * 32, b"\x09" * 32))  # sealed to some other key
    for bad in ("***", other_key, sealed_for(server, "名" * 51)):
        body = sealed_contact(server, venue_id, sealed_name=bad)
        r = server.client.post(f"{API}/venues/{venue_id}/anomalies", json=body, headers=owner)
        assert r.status_code == 422 and error_code(r) in {"bad_sealed_text", "bad_record"}, r.text
