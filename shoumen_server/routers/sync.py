"""Device sync (DESIGN §4): push check records and anomaly registrations, pull what changed."""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta
from typing import Annotated

import anyio.to_thread
from fastapi import APIRouter, FastAPI, Query
from fastapi.responses import Response
from sqlalchemy.orm import Session
from starlette.types import Message, Receive, Scope

from shoumen_core.schemas import (
    PullResponse,
    PushRequest,
    PushResponse,
    Rejected,
    Role,
    StaffState,
)
from shoumen_core.timeutil import local_day, local_day_bounds
from shoumen_server.anomaly_store import apply_anomaly
from shoumen_server.counts import days_counts
from shoumen_server.db import session_scope
from shoumen_server.deps import (
    Caller,
    Ctx,
    Db,
    DbSlot,
    ServerContext,
    StationCaller,
    StationCredential,
    StationHeaders,
    require_checker,
)
from shoumen_server.devices import device_scope
from shoumen_server.errors import ApiError
from shoumen_server.fast_routes import install, read_body, read_credential
from shoumen_server.ingest import MAX_ID, PushLimits, ingest_checks, venue_gate
from shoumen_server.keys import b64u
from shoumen_server.metrics import count_push
from shoumen_server.trust_root import signed_trust_list, trust_list_version
from shoumen_server.venue_admin import staff_briefs
from shoumen_server.venue_refs import registry_refs
from shoumen_server.views import venue_out

router = APIRouter(tags=["sync"])
log = logging.getLogger("shoumen.server.sync")


@router.post("/sync/push", response_model=PushResponse)
async def push(body: PushRequest, credential: StationHeaders, ctx: Ctx, _slot: DbSlot) -> Response:
    """Store what the device committed; per-id answers. Resends are harmless (by client id).

    The caller, the records and the commit in one hop to the thread pool (issue 15 §6): as a
    sync route with the caller and the session as sync dependencies it took four (the
    session's enter and exit, the caller, the route); one hop less CPU is ~1-2 ms of a
    one-record push's ~10-12 ms (bench_lookup_cpu.py). The answer is the commit's: a push is
    answered only after its records are stored. A request with no credential at all is refused
    before its body is validated (deps.station_credential), as the lookup is.
    """
    answer = await anyio.to_thread.run_sync(_push_in_session, ctx, body, credential)
    return Response(answer.model_dump_json().encode(), media_type="application/json")


def _push_in_session(ctx: ServerContext, body: PushRequest, credential: StationCredential) -> PushResponse:
    with session_scope(ctx.sessions) as db:
        return _push(db, ctx, credential.caller(ctx, db), body)


# The push's own route (fast_routes.py says why): the ordinary push, past FastAPI's routing.
async def _read_push(
    scope: Scope, receive: Receive, received: list[Message]
) -> tuple[PushRequest, StationCredential] | None:
    credential = read_credential(scope)
    if credential is None:
        return None
    body = await read_body(PushRequest, receive, received)
    return None if body is None else (body, credential)


def _serve_push(ctx: ServerContext, request: tuple[PushRequest, StationCredential]) -> bytes:
    body, credential = request
    return _push_in_session(ctx, body, credential).model_dump_json().encode()


def install_fast_push(app: FastAPI, prefix: str) -> None:
    """Put the push's own route first in the app's routes (after the FastAPI one exists)."""
    install(app, prefix, router.routes, "/sync/push", _read_push, _serve_push)


def _push(db: Session, ctx: ServerContext, caller: Caller, body: PushRequest) -> PushResponse:
    body, outside = device_scope(caller.device, body)  # an enrolled station: its checkpoint only
    now = ctx.clock()
    user_id = caller.user_id
    limits = PushLimits(
        # The first moment the purge keeps (it keeps whole local days): an older check would be
        # counted now and silently deleted by the next purge.
        oldest=local_day_bounds(local_day(now) - timedelta(days=ctx.settings.check_retention_days))[0],
        sealing_private=ctx.keys.sealing_private,
    )
    # Stored with the registry's person references, whichever form the device had (venue_refs).
    checks = registry_refs(ctx.keys, body.checks)
    accepted, rejected = ingest_checks(db, checks, user_id, now, device_id=body.device_id, limits=limits)
    rejected.extend(outside)
    versions: dict[str, int] = {}
    if body.anomalies:
        gate = venue_gate(db, user_id, {item.venue_id for item in body.anomalies})
        done: set[uuid.UUID] = set()
        for item in body.anomalies:
            if item.id in done:
                continue
            problem = gate[item.venue_id]
            if problem is not None:
                rejected.append(problem.rejected(item.id))
                continue
            try:
                row = apply_anomaly(db, ctx.keys, item, user_id, now, oldest=limits.oldest)
            except ApiError as exc:
                rejected.append(Rejected(id=item.id, code=exc.code, message=exc.message_in()))
                continue
            done.add(item.id)
            accepted.append(item.id)
            versions[str(item.id)] = row.version
    if rejected:
        log.info(
            "push from user %s: %d accepted, %d rejected (%s)",
            user_id,
            len(accepted),
            len(rejected),
            ",".join(sorted({r.code for r in rejected})),
        )
    return count_push(body, PushResponse(accepted=accepted, rejected=rejected, anomaly_versions=versions))


def _cursor(epoch: str, config_version: int, trust_version: int) -> str:
    """The trust list's version is part of the cursor: a new issuer key or root reaches every
    device with its next pull, not only when its venue's configuration changes."""
    return f"{epoch}:{config_version}.{trust_version}"


@router.get("/sync/pull", response_model=PullResponse)
def pull(
    venue_id: Annotated[int, Query(ge=1, le=MAX_ID)],
    caller: StationCaller,
    ctx: Ctx,
    db: Db,
    cursor: Annotated[str, Query(max_length=200)] = "",
) -> PullResponse:
    """The venue's configuration when it changed since `cursor` (or the epoch did), and the
    server's counts for today and yesterday, always. A revoked guard gets 403 staff_revoked."""
    venue, member = require_checker(db, caller, venue_id)
    now = ctx.clock()
    keys = ctx.keys
    today = local_day(now)
    days = [today, today - timedelta(days=1)]
    current = _cursor(keys.epoch, venue.config_version, trust_list_version(db))
    response = PullResponse(
        epoch=keys.epoch,
        cursor=current,
        changed=cursor != current,
        unit_counts=days_counts(db, venue.id, days),
        # A device's checks are its enrolling owner's: no personal figures for it.
        personal_counts=[] if caller.device else days_counts(db, venue.id, days, user_id=caller.user_id),
        server_time=now,
    )
    if response.changed:
        validity = timedelta(days=ctx.settings.trust_list_validity_days)
        response.venue = venue_out(db, venue)
        response.staff = staff_briefs(db, venue.id)
        response.my_role = Role.DEVICE if caller.device else Role(member.role)
        response.my_state = StaffState(member.state)
        response.trust_list = signed_trust_list(db, keys, now, validity).to_json()
        response.sealing_public_key = b64u(keys.sealing_public)
    return response
