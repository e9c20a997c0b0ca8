"""The gate fields of a pushed check (issue 9): stored with a new record, and applied when the
device resends its own record after a later gate opening or decision — without counting it
again, without a plain resend erasing a decision, and never from another user's push."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select

from shoumen_server.models import Check
from tests.server.conftest import Server
from tests.server.fixtures_sync import TODAY, check, checkpoint_ids, db, local, push, push_ok
from tests.server.journeys import add_staff, register_venue


def _row(server: Server, check_id: str) -> tuple[Any, ...]:
    with db(server) as session:
        row = session.execute(
            select(Check.gate_opened, Check.gate_reason, Check.manual_decision, Check.level).where(
                Check.id == uuid.UUID(check_id)
            )
        ).one()
    return tuple(row)


def test_gate_fields_are_stored_and_later_edits_applied(server: Server) -> None:
    venue_id, owner = register_venue(server)
    staff = add_staff(server, venue_id, owner, "13900000002")
    other = add_staff(server, venue_id, owner, "13900000003")
    gate = checkpoint_ids(server, venue_id)[0]
    manual = check(
        venue_id,
        level="review",
        method="manual",
        checkpoint_id=gate,
        at=local(TODAY, 9, 5),
        manual_decision="admit",
        gate_opened=True,
        gate_reason="老人无手机，登记后放行",
    )
    denied = check(venue_id, level="deny", checkpoint_id=gate, at=local(TODAY, 9, 6))
    push_ok(server, staff, [manual, denied])
    assert _row(server, manual["id"]) == (True, "老人无手机，登记后放行", "admit", "review")
    assert _row(server, denied["id"]) == (False, "", None, "deny")

    # Another guard's device cannot rewrite this guard's record (accepted: it is stored).
    push_ok(server, other, [{**denied, "gate_opened": True, "gate_reason": "x"}])
    assert _row(server, denied["id"]) == (False, "", None, "deny")

    # 手动开闸 after the first push: the resend carries it. A resend that also changes the
    # verdict is a conflict (issue 14 §7) and changes nothing, the gate fields included.
    opened = {**denied, "gate_opened": True, "gate_reason": "社区医生到场核实"}
    r = push(server, staff, [{**opened, "level": "pass"}])
    assert [x["code"] for x in r.json()["rejected"]] == ["check_conflict"]
    assert _row(server, denied["id"]) == (False, "", None, "deny")
    push_ok(server, staff, [opened])
    assert _row(server, denied["id"]) == (True, "社区医生到场核实", None, "deny")

    # A decision arrives later; a resend without one does not erase it.
    push_ok(server, staff, [{**opened, "manual_decision": "turn_away"}])
    push_ok(server, staff, [opened])
    assert _row(server, denied["id"]) == (True, "社区医生到场核实", "turn_away", "deny")


def test_an_overlong_gate_reason_is_refused(server: Server) -> None:
    venue_id, owner = register_venue(server)
    staff = add_staff(server, venue_id, owner, "13900000002")
    r = push(server, staff, [check(venue_id, gate_opened=True, gate_reason="长" * 201)])
    assert r.status_code == 422
