"""Issue 13 §2: personal codes have a maximum lifetime, on the server and offline."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

from shoumen_core.codes import issue_personal_code
from shoumen_server.deps import ServerContext
from shoumen_server.health import add_person, issue_code_for
from shoumen_server.seed import demo_people
from tests.server.conftest import Server
from tests.server.journeys import API, register_venue

END_OF_TIME = datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)


def ctx_of(server: Server) -> ServerContext:
    ctx: ServerContext = server.client.app.state.ctx  # type: ignore[attr-defined]
    return ctx


def test_correctly_signed_code_valid_until_9999_is_refused(server: Server) -> None:
    """Finding: with the signing key, a code valid for ever was answered like any other."""
    ctx = ctx_of(server)
    now = server.clock()
    with ctx.sessions.begin() as session:
        record = add_person(session, ctx.keys, demo_people(now, count=0)[0].data, now)
    venue_id, owner = register_venue(server)

    def lookup(code: str) -> tuple[int, str]:
        r = server.client.post(f"{API}/venues/{venue_id}/lookup", json={"personal_code": code}, headers=owner)
        return r.status_code, "" if r.status_code == 200 else r.json()["error"]["code"]

    forever = issue_personal_code(
        key=ctx.keys.signing,
        person_ref=record.person_ref,
        masked_name=record.masked_name,
        masked_id=record.masked_id,
        snapshot=record.snapshot,
        issued_at=now,
        ttl=END_OF_TIME - now,
    )
    assert lookup(forever) == (422, "code_lifetime_too_long")
    assert lookup(issue_code_for(ctx, record, now)) == (200, "")  # the server's own 24 h code
    a_day_and_a_second = issue_code_for(ctx, record, now, ttl=timedelta(hours=24, seconds=1))
    assert lookup(a_day_and_a_second) == (422, "code_lifetime_too_long")
    ctx.settings = dataclasses.replace(ctx.settings, personal_code_max_lifetime_hours=48)
    assert lookup(a_day_and_a_second) == (200, "")
