"""Lookup: a guard asks for the freshest health status of a visitor (DESIGN §2).

Audited and limited: a lookup takes tokens from the staff member's, the venue's and the
region's buckets (429 `lookup_rate_limited` when one is empty), then writes one audit row and
counts itself in its venue-day watch row (shoumen_server.lookup_watch); the check record itself
is committed by the device and pushed through sync. The answer carries what the guard's screen
shows — verdict, findings, masked name and ID — and this venue's own person reference
(shoumen_server.venue_refs), never the registry's or the raw health data.

Also the supervisor's list of venues whose lookups look like enumeration.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Annotated

import anyio.to_thread
from fastapi import APIRouter, FastAPI, Path
from fastapi.responses import Response
from sqlalchemy.orm import Session
from starlette.types import Message, Receive, Scope

from shoumen_core.codes import CodeError, looks_like_venue_code, verify_personal_code
from shoumen_core.identity import MASK_POLICIES, DocumentKind, InvalidDocument, mask_document, parse_document
from shoumen_core.policy import HealthSnapshot, VenuePolicy, Verdict, cannot_verify, evaluate
from shoumen_core.schemas import (
    CheckMethod,
    DocumentIn,
    LookupAlerts,
    LookupRequest,
    LookupResponse,
    PersonOut,
)
from shoumen_core.timeutil import local_day
from shoumen_server.audit import audit_values
from shoumen_server.db import session_scope
from shoumen_server.deps import (
    Caller,
    Ctx,
    CurrentCaller,
    Db,
    DbSlot,
    ServerContext,
    StationCredential,
    StationHeaders,
    caller_and_venue,
    device_checkpoint,
    require_approved_venue,
    require_authorised_state,
)
from shoumen_server.devices import DEVICE_SCOPE_MESSAGE, device_forbidden
from shoumen_server.errors import BadInput, NotFound
from shoumen_server.fast_routes import install, read_body, read_credential
from shoumen_server.health import PersonRecord, RegistryHealthSource
from shoumen_server.ingest import MAX_ID
from shoumen_server.lookup_watch import (
    VenueFound,
    admit_lookup,
    finish_lookup,
    region_alerts,
    venue_for_lookup,
)
from shoumen_server.query_args import DateQuery, checked_region, parse_day
from shoumen_server.routers.trust import trust_list_validity
from shoumen_server.venue_refs import venue_ref

router = APIRouter(tags=["checks"])

PERSON_NOT_FOUND = "未查询到该证件的健康信息，请人工核验"
VenueId = Annotated[int, Path(ge=1, le=MAX_ID)]


def _by_code(ctx: Ctx, registry: RegistryHealthSource, text: str, now: datetime) -> PersonRecord:
    if looks_like_venue_code(text):
        raise BadInput("这是场所码，请扫描访客的个人健康码", code="venue_code_given")
    try:
        code = verify_personal_code(
            text,
            ctx.keys.trust_list(now, trust_list_validity(ctx)),
            now,
            max_lifetime=timedelta(hours=ctx.settings.personal_code_max_lifetime_hours),
        )
    except CodeError as exc:
        raise BadInput(exc.message, code=exc.code) from exc
    # The registry is fresher than the signed snapshot; the code still answers if the person
    # has left the registry since it was issued.
    return registry.find_by_ref(code.person_ref) or PersonRecord(
        person_ref=code.person_ref,
        masked_name=code.masked_name,
        masked_id=code.masked_id,
        snapshot=code.to_snapshot(),
    )


def _parse(document: DocumentIn, now: datetime) -> tuple[DocumentKind, str]:
    kind: DocumentKind | None = None
    if document.kind:
        try:
            kind = DocumentKind(document.kind)
        except ValueError:
            raise BadInput("证件类型无效", code="bad_document_kind") from None
    try:
        parsed = parse_document(document.number, kind, today=local_day(now))
    except InvalidDocument as exc:
        raise BadInput(exc.message, code=exc.code.value) from exc
    return parsed.kind, parsed.number


@lru_cache(maxsize=256)
def _policy(policy_json: str) -> VenuePolicy:
    """A venue's policy, parsed once per distinct text (views.venue_policy's work: the JSON was
    validated again on every lookup). Read only: the lookup never changes it."""
    return VenuePolicy.model_validate_json(policy_json)


def _verdict(
    record: PersonRecord | None, temperature: float | None, policy: VenuePolicy, now: datetime
) -> Verdict:
    if record is None:
        return cannot_verify("person_not_found", PERSON_NOT_FOUND)
    return evaluate(_with_temperature(record.snapshot, temperature), policy, now)


def _with_temperature(snapshot: HealthSnapshot, temperature: float | None) -> HealthSnapshot:
    return snapshot if temperature is None else snapshot.model_copy(update={"temperature": temperature})


# The whole lookup — session, caller, checks, commit, the answer's JSON — runs in one hop to the
# thread pool: as sync dependencies the caller and the session's set-up and exit were three more
# hops, each with FastAPI's dependency machinery around it. The request still takes its database
# slot first (deps.db_slot), on the event loop. The answer is serialised from the model built
# here (valid by construction): validating it again against response_model cost more than
# writing it. A request without bearer credentials is refused before its body is validated,
# as before (deps.station_credential, on the event loop); one whose token turns out invalid or
# expired is refused after it (a malformed body answers 422 there, not 401: the schema is public
# anyway). The push does the same (routers/sync.push).
@router.post("/venues/{venue_id}/lookup", response_model=LookupResponse)
async def lookup(
    venue_id: VenueId,
    body: LookupRequest,
    ctx: Ctx,
    credential: StationHeaders,
    _slot: DbSlot,
) -> Response:
    answer = await anyio.to_thread.run_sync(_lookup_in_session, ctx, venue_id, body, credential)
    return Response(answer, media_type="application/json")


def _lookup_in_session(
    ctx: ServerContext,
    venue_id: int,
    body: LookupRequest,
    credential: StationCredential,
) -> bytes:
    """deps.db_session's unit of work around the lookup (commit, or roll back on any error)."""
    with session_scope(ctx.sessions) as db:
        # An id past the 32-bit column range cannot exist (and overflows the database driver):
        # it is asked as none, and refused after the caller's checks, in the order they always ran.
        checkpoint_id = body.checkpoint_id
        asked = checkpoint_id if checkpoint_id is not None and 1 <= checkpoint_id <= MAX_ID else None
        found: VenueFound | _NotRead = _NOT_READ
        authorization = credential.authorization
        if authorization and authorization.lower().startswith("bearer "):
            # A person: caller and venue in one query.
            caller, found = caller_and_venue(ctx, db, authorization, venue_id, asked)
        else:
            caller = credential.caller(ctx, db)
        answer = _lookup(db, ctx, caller, venue_id, body, asked, found)
    return answer.model_dump_json().encode()


class _NotRead:
    """The venue was not read with the caller (an enrolled station's credential)."""


_NOT_READ = _NotRead()


def _lookup(
    db: Session,
    ctx: ServerContext,
    caller: Caller,
    venue_id: int,
    body: LookupRequest,
    asked: int | None,
    found: VenueFound | _NotRead,
) -> LookupResponse:
    # An enrolled station checks only at its own venue and checkpoint (deps.require_checker's
    # rule, here before the one query that reads venue and membership together).
    if caller.device is not None and caller.device.venue_id != venue_id:
        raise device_forbidden(DEVICE_SCOPE_MESSAGE)
    if not device_checkpoint(caller, venue_id, body.checkpoint_id):
        raise device_forbidden(DEVICE_SCOPE_MESSAGE)
    if isinstance(found, _NotRead):
        found = venue_for_lookup(db, caller.user_id, venue_id, asked)
    if found is None:
        raise NotFound("场所不存在", code="venue_not_found")
    venue, member_state, checkpoints, own_checkpoint = found
    require_authorised_state(member_state)
    require_approved_venue(venue)
    if (body.personal_code is None) == (body.document is None):
        raise BadInput("请提供个人健康码或证件号码（二选一）", code="bad_lookup")
    if body.checkpoint_id is not None and not own_checkpoint:
        raise BadInput("检查点不属于该场所", code="bad_checkpoint")
    now = ctx.clock()
    # Before any work: a refused lookup costs one statement (and the give-back). The tokens
    # are in the request's transaction, so input refused below (422) gives them back: it
    # answers nothing about anyone. The region's token is taken last (finish_lookup).
    # A station's lookups have their own bucket (a negative key), not its enrolling owner's.
    bucket_id = caller.user_id if caller.device is None else -caller.device.id
    region = admit_lookup(db, ctx.settings, bucket_id, venue, checkpoints, now)
    registry = RegistryHealthSource(db, ctx.keys)
    document: tuple[DocumentKind, str] | None = None
    if body.personal_code is not None:
        method = CheckMethod.SCAN
        record: PersonRecord | None = _by_code(ctx, registry, body.personal_code, now)
    else:
        assert body.document is not None
        method = CheckMethod.DOCUMENT
        document = _parse(body.document, now)
        record = registry.find_by_document(*document)
    policy = _policy(venue.policy_json)
    verdict = _verdict(record, body.temperature, policy, now)
    entry = audit_values(
        at=now,
        actor_user_id=caller.user_id,
        action="lookup",
        venue_id=venue.id,
        region_code=venue.region_code,
        person_ref=None if record is None else record.person_ref,
        device_name=caller.device_name,
        detail={
            "method": method.value,
            "checkpoint_id": body.checkpoint_id,
            "found": record is not None,
            "level": verdict.level.value,
        },
    )
    # Audit row, watch count, the region's token and the commit: the lookup is audited before
    # it answers.
    lookup_id = finish_lookup(db, ctx.keys, region, entry, now, document=document, found=record is not None)
    person = None
    if record is not None:
        # Masked IDs are stored with the standard mask; re-masking only hides more.
        mask = MASK_POLICIES[policy.masking.value]
        person = PersonOut(
            person_ref=venue_ref(ctx.keys, venue.id, record.person_ref),
            masked_name=record.masked_name,
            masked_id=mask_document(record.masked_id, mask),
        )
    return LookupResponse(
        lookup_id=lookup_id,
        person=person,
        level=verdict.level,
        findings=list(verdict.findings),
        evaluated_at=now,
    )


# ---- the lookup's own route (fast_routes.py says why) -------------------------------------


async def _read_lookup(
    scope: Scope, receive: Receive, received: list[Message]
) -> tuple[int, LookupRequest, StationCredential] | None:
    """The ordinary lookup's parts, or None: the FastAPI route decides (and words) the rest."""
    credential = read_credential(scope)
    if credential is None:
        return None
    raw_id = scope["path_params"].get("venue_id", "")
    if not _PLAIN_ID.fullmatch(raw_id) or not 1 <= int(raw_id) <= MAX_ID:
        return None
    body = await read_body(LookupRequest, receive, received)
    return None if body is None else (int(raw_id), body, credential)


def _serve_lookup(ctx: ServerContext, request: tuple[int, LookupRequest, StationCredential]) -> bytes:
    venue_id, body, credential = request
    return _lookup_in_session(ctx, venue_id, body, credential)


_PLAIN_ID = re.compile(r"[1-9][0-9]{0,9}")


def install_fast_lookup(app: FastAPI, prefix: str) -> None:
    """Put the lookup's own route first in the app's routes (after the FastAPI one exists)."""
    install(app, prefix, router.routes, "/venues/{venue_id}/lookup", _read_lookup, _serve_lookup)


@router.get("/regions/{region_code}/lookup-alerts", response_model=LookupAlerts)
def lookup_alerts(
    region_code: Annotated[str, Path(max_length=20)],
    caller: CurrentCaller,
    ctx: Ctx,
    db: Db,
    date: DateQuery = None,
) -> LookupAlerts:
    """The region's venues whose lookups on a day look like enumeration, with their figures."""
    code = checked_region(caller, region_code)
    day = parse_day(date, ctx.clock())
    return LookupAlerts(region_code=code, day=day, items=region_alerts(db, ctx.settings, code, day))
