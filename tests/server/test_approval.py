"""Venue approval (issue 13 §1): a venue anyone registered starts pending, and until a
supervisor of its region approves it the server is no oracle for it — ID lookups (by document
and by personal code) and full details answer 403 venue_pending / venue_rejected. 代为注册
venues and the demo seed's start approved; venues of an upgraded database become approved.
Only a supervisor of the venue's region lists, approves and rejects (with a reason), audited."""

from __future__ import annotations

import importlib.util
import json
from datetime import date
from typing import Any

from sqlalchemy import select, text

from shoumen_core.identity import make_resident_id
from shoumen_core.schemas import MAX_REJECT_REASON
from shoumen_server import migrate
from shoumen_server.db import make_engine
from shoumen_server.health import RegistryHealthSource, issue_code_for
from shoumen_server.models import AuditEntry, User, Venue
from shoumen_server.seed import HOSPITAL_NAME, SHOP_NAME, SUPERVISOR, seed_demo
from tests.server.conftest import Server
from tests.server.fixtures_sync import check, ctx_of, db, push_ok, sealed_for
from tests.server.journeys import (
    API,
    OTHER_REGION,
    REGION,
    add_staff,
    error_code,
    make_supervisor,
    register_venue,
    venue_body,
)

PERSON_ID = make_resident_id("330624", date(1978, 11, 23), 123)
OWNER, STAFF, SUP_IN, SUP_OUT = "13900000001", "13900000002", "13700000001", "13700000002"


class Pending:
    """A venue its owner just registered (pending), its staff member and two supervisors."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self.venue_id, owner = register_venue(server, OWNER, approved=False)
        self.headers = {
            "owner": owner,
            "staff": add_staff(server, self.venue_id, owner, STAFF),
            "sup_out": make_supervisor(server, SUP_OUT, OTHER_REGION, region_name="嵊州市"),
            "sup_in": make_supervisor(server, SUP_IN, REGION),
        }

    def post(self, who: str, path: str, body: dict[str, Any] | None = None) -> Any:
        return self.server.client.post(f"{API}{path}", json=body, headers=self.headers[who])

    def get(self, who: str, path: str) -> Any:
        return self.server.client.get(f"{API}{path}", headers=self.headers[who])

    def lookup(self, who: str, body: dict[str, Any]) -> Any:
        return self.post(who, f"/venues/{self.venue_id}/lookup", body)


def _audit(server: Server, *actions: str) -> list[AuditEntry]:
    with db(server) as session:
        rows = list(
            session.scalars(select(AuditEntry).where(AuditEntry.action.in_(actions)).order_by(AuditEntry.id))
        )
        session.expunge_all()
        return rows


def _personal_code(server: Server) -> str:
    """A valid personal code of a demo person (the seed fills the registry)."""
    ctx = ctx_of(server)
    seed_demo(ctx.sessions, ctx.keys, server.clock())
    with ctx.sessions() as session:
        record = RegistryHealthSource(session, ctx.keys).find_by_document("resident_id", "330624198503121012")
        assert record is not None
        return issue_code_for(ctx, record, server.clock())


def test_a_pending_venue_is_no_lookup_oracle(server: Server) -> None:
    """The finding: any phone registered a venue and looked up any ID number at once."""
    pending = Pending(server)
    code = _personal_code(server)
    for who in ("owner", "staff"):
        for body in ({"document": {"number": PERSON_ID}}, {"personal_code": code}):
            r = pending.lookup(who, body)
            assert r.status_code == 403, r.text
            assert r.json()["error"] == {
                "code": "venue_pending",
                "message": "场所尚待所在乡镇街道审核，审核通过后才能查询证件信息",
            }
    assert _audit(server, "lookup") == []  # refused before anything was looked up


def test_a_pending_venue_still_registers_staff_prints_its_code_and_syncs(server: Server) -> None:
    pending = Pending(server)
    venue = pending.get("owner", f"/venues/{pending.venue_id}").json()
    assert (venue["status"], venue["status_reason"], venue["status_at"]) == ("pending", "", None)
    [member] = pending.get("staff", "/me").json()["venues"]
    assert (member["venue_status"], member["venue_status_reason"]) == ("pending", "")
    assert pending.get("staff", f"/venues/{pending.venue_id}/code").status_code == 200
    pulled = pending.get("staff", f"/sync/pull?venue_id={pending.venue_id}").json()
    assert pulled["venue"]["status"] == "pending"
    push_ok(server, pending.headers["staff"], [check(pending.venue_id, level="pass")])
    r = pending.post("owner", f"/venues/{pending.venue_id}/staff", {"name": "王五", "phone": "13900000003"})
    assert r.status_code == 201, r.text


def test_full_details_wait_for_approval_too(server: Server) -> None:
    """A pending venue's owner cannot read back the document numbers its guards typed offline
    (sealed on the device); the region's supervisor, who decides on the venue, still can."""
    pending = Pending(server)
    body = check(
        pending.venue_id,
        level="deny",
        offline=True,
        person_ref="",
        sealed_document=sealed_for(server, PERSON_ID),
    )
    push_ok(server, pending.headers["staff"], [body])
    details = f"/venues/{pending.venue_id}/full-details"
    r = pending.post("owner", details, {"check_id": body["id"]})
    assert (r.status_code, error_code(r)) == (403, "venue_pending"), r.text
    r = pending.post("sup_in", details, {"check_id": body["id"]})
    assert r.status_code == 200 and r.json()["document_number"] == PERSON_ID, r.text
    pending.post("sup_in", f"/venues/{pending.venue_id}/approve")
    r = pending.post("owner", details, {"check_id": body["id"]})
    assert r.status_code == 200 and r.json()["document_number"] == PERSON_ID, r.text


def test_only_a_supervisor_of_the_region_lists_approves_and_rejects(server: Server) -> None:
    pending = Pending(server)
    queue = f"/regions/{REGION}/pending-venues"
    approve, reject = f"/venues/{pending.venue_id}/approve", f"/venues/{pending.venue_id}/reject"
    reason = {"reason": "营业执照与场所名称不符"}
    expected = {"owner": "supervisor_only", "staff": "supervisor_only", "sup_out": "outside_region"}
    for who, code in expected.items():
        assert error_code(pending.get(who, queue)) == code, who
        assert error_code(pending.post(who, approve)) == code, who
        assert error_code(pending.post(who, reject, reason)) == code, who
        assert pending.get("owner", f"/venues/{pending.venue_id}").json()["status"] == "pending"
    assert _audit(server, "venue_approved", "venue_rejected") == []
    assert error_code(pending.get("sup_out", f"/regions/{OTHER_REGION}/pending-venues")) is None
    assert pending.get("sup_out", f"/regions/{OTHER_REGION}/pending-venues").json() == []
    assert error_code(pending.get("sup_in", "/regions/33062x/pending-venues")) == "bad_region"

    [row] = pending.get("sup_in", queue).json()
    assert (row["id"], row["name"], row["unit_type_name"]) == (
        pending.venue_id,
        venue_body()["name"],
        "农贸/集贸市场",
    )
    assert (row["owner_phone_masked"], row["contact_phone_masked"]) == ("139****0001", "139****0001")
    r = pending.post("sup_in", approve)
    assert r.status_code == 200 and r.json()["status"] == "approved" and r.json()["status_at"], r.text
    assert pending.get("sup_in", queue).json() == []
    [entry] = _audit(server, "venue_approved")
    assert (entry.venue_id, entry.region_code) == (pending.venue_id, REGION)
    assert json.loads(entry.detail) == {"previous": "pending", "reason": ""}
    r = pending.lookup("staff", {"document": {"number": PERSON_ID}})
    assert r.status_code == 200 and r.json()["level"] == "cannot_verify", r.text  # not in the registry


def test_a_rejected_venue_is_told_why_and_stays_refused(server: Server) -> None:
    pending = Pending(server)
    reject = f"/venues/{pending.venue_id}/reject"
    for bad in ({}, {"reason": ""}, {"reason": "   "}, {"reason": "长" * (MAX_REJECT_REASON + 1)}):
        assert pending.post("sup_in", reject, bad).status_code == 422, bad
    before = pending.get("staff", f"/sync/pull?venue_id={pending.venue_id}").json()["cursor"]
    r = pending.post("sup_in", reject, {"reason": " 营业执照与场所名称不符 "})
    assert r.status_code == 200, r.text
    assert (r.json()["status"], r.json()["status_reason"]) == ("rejected", "营业执照与场所名称不符")
    r = pending.lookup("staff", {"document": {"number": PERSON_ID}})
    assert r.status_code == 403 and r.json()["error"] == {
        "code": "venue_rejected",
        "message": "场所未通过所在乡镇街道审核，不能查询证件信息（原因：营业执照与场所名称不符）",
    }
    # The station learns it at its next pull (the decision bumps the venue's configuration).
    pulled = pending.get("staff", f"/sync/pull?venue_id={pending.venue_id}&cursor={before}").json()
    assert pulled["changed"] and pulled["venue"]["status"] == "rejected"
    [member] = pending.get("owner", "/me").json()["venues"]
    assert (member["venue_status"], member["venue_status_reason"]) == ("rejected", "营业执照与场所名称不符")
    [entry] = _audit(server, "venue_rejected")
    assert json.loads(entry.detail) == {"previous": "pending", "reason": "营业执照与场所名称不符"}
    # Not in the queue any more; a supervisor may reconsider and approve after all.
    assert pending.get("sup_in", f"/regions/{REGION}/pending-venues").json() == []
    r = pending.post("sup_in", f"/venues/{pending.venue_id}/approve")
    assert (r.json()["status"], r.json()["status_reason"]) == ("approved", "")


def test_on_behalf_and_demo_venues_start_approved(server: Server) -> None:
    supervisor = make_supervisor(server, SUP_IN, REGION)
    body = {**venue_body(name="南明街道老年食堂"), "owner_phone": "13900000007", "owner_name": "陈大妈"}
    r = server.client.post(f"{API}/venues/on-behalf", json=body, headers=supervisor)
    assert r.status_code == 201 and r.json()["status"] == "approved", r.text
    ctx = ctx_of(server)
    seed_demo(ctx.sessions, ctx.keys, server.clock())
    with db(server) as session:
        statuses = {name: status for name, status in session.execute(select(Venue.name, Venue.status))}
        by = session.scalar(select(Venue.status_by_user_id).where(Venue.name == HOSPITAL_NAME))
        demo_supervisor = session.scalar(select(User.id).where(User.phone == SUPERVISOR[0]))
    assert statuses == {"南明街道老年食堂": "approved", HOSPITAL_NAME: "approved", SHOP_NAME: "approved"}
    assert by == demo_supervisor is not None


def test_venues_of_an_upgraded_database_become_approved(database_url: str) -> None:
    """The data step of 0005: venues that were in use before the upgrade keep working."""
    path = migrate.MIGRATIONS / "versions" / "0005_venue_approval.py"
    spec = importlib.util.spec_from_file_location("m0005", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    migrate.downgrade(database_url, module.down_revision)
    engine = make_engine(database_url)
    try:
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO venues (name, address, region_code, township, unit_type, contact_phone,"
                    " active, policy_json, config_version, created_at, updated_at) VALUES"
                    " ('老场所', '地址', '330624', '', 'supermarket', '13900000001', :t, '{}', 1,"
                    " '2026-11-01 00:00:00', '2026-11-01 00:00:00')"
                ),
                {"t": True},
            )
        migrate.upgrade(database_url)
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT name, status, status_reason FROM venues")).all()
        assert [tuple(row) for row in rows] == [("老场所", "approved", "")]
    finally:
        engine.dispose()


def test_visitors_check_themselves_in_at_a_pending_venue(server: Server) -> None:
    """Self check-in shows the visitor their own status (after their own SMS code): no oracle,
    so it does not wait for the township."""
    from tests.server.test_visitor import GREEN_PHONE, add_demo_persons, new_phone

    pending = Pending(server)
    url = pending.get("owner", f"/venues/{pending.venue_id}/code").json()["url"]
    add_demo_persons(server, GREEN_PHONE)
    visitor = new_phone(server, url)
    try:
        page = visitor.check_in_with_code(GREEN_PHONE)
    finally:
        visitor.client.close()
    assert page.status_code == 200 and 'data-level="pass"' in page.text
