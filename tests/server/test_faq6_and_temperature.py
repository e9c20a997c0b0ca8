"""Issue 16 §3 and §4 on the server, on both backends: FAQ 6 registrations (no smartphone, no
ID number) are accepted exactly as the station's form allows them (shoumen_core.anomalies), and
the temperature a station may commit is the one range of shoumen_core.temperature."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from shoumen_core.temperature import TEMPERATURE_MAX, TEMPERATURE_MIN
from shoumen_server.models import Anomaly
from tests.server.conftest import Server
from tests.server.fixtures_sync import anomaly, count_rows, push
from tests.server.journeys import API, error_code, register_venue


def _url(venue_id: int, anomaly_id: str | None = None) -> str:
    base = f"{API}/venues/{venue_id}/anomalies"
    return f"{base}/{anomaly_id}" if anomaly_id else base


def faq6(venue_id: int, **overrides: Any) -> dict[str, Any]:
    body = anomaly(
        venue_id,
        document_number=None,
        phone="",
        name="王奶奶",
        temperature=None,
        origin="",
        transport="",
        anomaly_type="no_phone_no_id",
        action="admit_paper",
        notes="无智能手机、未带身份证；已做纸质登记，体温正常",
        no_phone_reason="老人无手机，家属电话记不清",
    )
    body.update(overrides)
    return body


def test_faq6_with_name_description_and_no_phone_reason_is_accepted(server: Server) -> None:
    venue_id, owner = register_venue(server)
    body = faq6(venue_id)
    r = server.client.post(_url(venue_id), json=body, headers=owner)
    assert r.status_code == 201, r.text
    out = r.json()
    assert (out["action"], out["phone_masked"], out["masked_name"]) == ("admit_paper", "", "王**")
    assert out["no_phone_reason"] == "老人无手机，家属电话记不清"
    # With a phone, no reason is needed.
    with_phone = faq6(venue_id, phone="13812345678", no_phone_reason="")
    assert server.client.post(_url(venue_id), json=with_phone, headers=owner).status_code == 201


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"name": ""}, "anomaly_name_missing"),
        ({"notes": "  "}, "anomaly_notes_missing"),
        ({"no_phone_reason": ""}, "anomaly_no_phone_reason"),
        ({"anomaly_type": "fever"}, "anomaly_bad_action"),  # 放行 only for FAQ 6
    ],
)
def test_faq6_refuses_what_the_form_refuses(server: Server, overrides: dict[str, Any], code: str) -> None:
    venue_id, owner = register_venue(server)
    r = server.client.post(_url(venue_id), json=faq6(venue_id, **overrides), headers=owner)
    assert (r.status_code, error_code(r)) == (422, code)
    assert count_rows(server, Anomaly) == 0


def test_faq6_edit_keeps_the_stored_name(server: Server) -> None:
    venue_id, owner = register_venue(server)
    body = faq6(venue_id)
    assert server.client.post(_url(venue_id), json=body, headers=owner).status_code == 201
    edit = {**body, "name": "", "notes": "补充：已电话联系社区", "base_version": 1}
    r = server.client.put(_url(venue_id, body["id"]), json=edit, headers=owner)
    assert r.status_code == 200, r.text
    assert r.json()["masked_name"] == "王**"


def test_faq6_push_is_rejected_per_row(server: Server) -> None:
    venue_id, owner = register_venue(server)
    good, bad = faq6(venue_id), faq6(venue_id, no_phone_reason="")
    r = push(server, owner, anomalies=[good, bad])
    assert r.status_code == 200, r.text
    answer = r.json()
    assert answer["accepted"] == [good["id"]]
    assert [(x["id"], x["code"]) for x in answer["rejected"]] == [(bad["id"], "anomaly_no_phone_reason")]


@pytest.mark.parametrize("celsius", [TEMPERATURE_MIN - 0.1, TEMPERATURE_MAX + 0.1, 368.0])
def test_a_lookup_with_a_temperature_out_of_the_shared_range_is_refused(
    server: Server, celsius: float
) -> None:
    venue_id, owner = register_venue(server)
    r = server.client.post(
        f"{API}/venues/{venue_id}/lookup",
        json={"document": {"number": "11010519491231002X"}, "temperature": celsius},
        headers=owner,
    )
    assert r.status_code == 422, r.text


def test_a_pushed_check_at_the_range_edges_is_accepted(server: Server) -> None:
    venue_id, owner = register_venue(server)
    checks = [
        {
            "id": str(uuid.uuid4()),
            "venue_id": venue_id,
            "method": "document",
            "checked_at": anomaly(venue_id)["created_at"],
            "level": "deny",
            "temperature": celsius,
        }
        for celsius in (TEMPERATURE_MIN, TEMPERATURE_MAX)
    ]
    r = push(server, owner, checks=checks)
    assert r.status_code == 200, r.text
    assert sorted(r.json()["accepted"]) == sorted(c["id"] for c in checks)
