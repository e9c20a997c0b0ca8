"""The venue code's web page (`/v/<token>`): a visitor checks in with their own phone.

Server-rendered HTML (Jinja2), mounted at the root, not under /api/v1. Every state change is a
POST with a CSRF token, answered by a redirect (POST-redirect-GET); no personal data is ever in
a URL (the phone travels in POST bodies and in the cookies of `cookies.py`). Errors become a
page in the visitor's language with a stable code, never a stack trace or JSON.
"""

from __future__ import annotations

import base64
import json
import logging
import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from shoumen_core.phone import InvalidPhone, mask_phone, normalise_phone
from shoumen_core.policy import VerdictLevel
from shoumen_core.timeutil import local_day
from shoumen_server.client_address import client_address
from shoumen_server.deps import Ctx, Db, ServerContext
from shoumen_server.errors import BadInput, NotFound, RateLimited
from shoumen_server.health import issue_code_for, person_record, phone_hash
from shoumen_server.i18n import current_language, translate
from shoumen_server.models import Check
from shoumen_server.routers.venues import qr_png
from shoumen_server.sms import SmsSendError
from shoumen_server.sms_codes import issue_sms_code, verify_sms_code
from shoumen_server.visitor import service
from shoumen_server.visitor.cookies import (
    PASS_COOKIE,
    PENDING_COOKIE,
    PENDING_LIFETIME,
    DayPass,
    Pending,
    clear_cookie,
    decode_pass,
    decode_pending,
    encode_pass,
    encode_pending,
    local_midnight_after,
    secure_cookies,
    set_cookie,
)
from shoumen_server.visitor.display import health_rows, local_time, verdict_view
from shoumen_server.visitor.pages import CsrfField, PageRoute, redirect, render, require_csrf

router = APIRouter(route_class=PageRoute, include_in_schema=False)

log = logging.getLogger("shoumen.server.visitor")


def _secure(ctx: ServerContext) -> bool:
    return secure_cookies(ctx.settings.public_base_url)


def _pass(request: Request, ctx: ServerContext) -> DayPass | None:
    return decode_pass(ctx.keys, request.cookies.get(PASS_COOKIE), ctx.clock())


def _pending(request: Request, ctx: ServerContext) -> Pending | None:
    return decode_pending(ctx.keys, request.cookies.get(PENDING_COOKIE), ctx.clock())


def _set_pending(response: Response, ctx: ServerContext, phone: str, demo_code: str | None) -> None:
    now = ctx.clock()
    pending = Pending(phone=phone, expires_at=now + PENDING_LIFETIME, demo_code=demo_code)
    set_cookie(
        response,
        PENDING_COOKIE,
        encode_pending(ctx.keys, pending),
        expires_at=pending.expires_at,
        now=now,
        secure=_secure(ctx),
    )


def _set_pass(response: Response, ctx: ServerContext, item: DayPass) -> None:
    now = ctx.clock()
    set_cookie(
        response,
        PASS_COOKIE,
        encode_pass(ctx.keys, item),
        expires_at=local_midnight_after(now),
        now=now,
        secure=_secure(ctx),
    )


def _code_page(
    request: Request, ctx: ServerContext, gate: service.Gate, pending: Pending, **extra: Any
) -> Response:
    demo_code = pending.demo_code if ctx.settings.demo_mode else None
    return render(
        request, "code.html", gate=gate, phone_masked=mask_phone(pending.phone), demo_code=demo_code, **extra
    )


def _result_url(gate: service.Gate, check_id: uuid.UUID) -> str:
    return f"/v/{gate.token}/r/{check_id}"


# ---- the check-in steps ---------------------------------------------------------------------


@router.get("/v/{token}")
def landing(token: str, request: Request, ctx: Ctx, db: Db) -> Response:
    """Verified today: one tap to check in. Code sent: type it. Otherwise: the phone."""
    gate = service.resolve_gate(db, ctx.keys, token)
    day_pass = _pass(request, ctx)
    if day_pass is not None:
        return render(request, "verified.html", gate=gate, phone_masked=day_pass.phone_masked)
    pending = _pending(request, ctx)
    if pending is not None:
        return _code_page(request, ctx, gate, pending)
    return render(request, "phone.html", gate=gate)


@router.post("/v/{token}/sms")
def send_code(
    token: str,
    request: Request,
    ctx: Ctx,
    db: Db,
    csrf: CsrfField = "",
    phone: Annotated[str, Form()] = "",
) -> Response:
    """Send an SMS code to the typed phone (or again to the pending one)."""
    require_csrf(request, ctx, csrf)
    gate = service.resolve_gate(db, ctx.keys, token)
    pending = _pending(request, ctx)
    typed = phone.strip()[:40] or (pending.phone if pending is not None else "")
    try:
        number = normalise_phone(typed)
    except InvalidPhone as exc:
        error = translate(exc.message, code=exc.code)
        return render(request, "phone.html", status=422, gate=gate, error=error, phone_value=typed)
    try:
        sent = issue_sms_code(
            ctx, db, number, purpose="visitor", client=client_address(request, ctx.settings)
        )
    except SmsSendError as exc:
        db.rollback()
        return render(
            request, "phone.html", status=exc.status, gate=gate, error=exc.message_in(), phone_value=typed
        )
    except RateLimited as exc:
        if exc.code != "sms_too_frequent":
            error = exc.message_in()
            return render(request, "phone.html", status=429, gate=gate, error=error, phone_value=typed)
        # A code went out less than a minute ago: the visitor may well have it; let them type it.
        kept = pending.demo_code if pending is not None and pending.phone == number else None
        again = Pending(phone=number, expires_at=ctx.clock() + PENDING_LIFETIME, demo_code=kept)
        response = _code_page(request, ctx, gate, again, status=429, error=exc.message_in())
        _set_pending(response, ctx, number, kept)
        return response
    db.commit()
    response = redirect(f"/v/{gate.token}")
    _set_pending(response, ctx, number, sent.demo_code)
    return response


@router.post("/v/{token}/verify")
def verify_and_check_in(
    token: str,
    request: Request,
    ctx: Ctx,
    db: Db,
    csrf: CsrfField = "",
    code: Annotated[str, Form()] = "",
) -> Response:
    """Check the SMS code, give the browser the day pass, and record the check."""
    require_csrf(request, ctx, csrf)
    gate = service.resolve_gate(db, ctx.keys, token)
    pending = _pending(request, ctx)
    if pending is None:
        expired = translate("验证码已过期，请重新获取")
        return render(request, "phone.html", status=422, gate=gate, error=expired)
    try:
        verify_sms_code(ctx, db, pending.phone, code.strip()[:12], purpose="visitor")
    except BadInput as exc:
        return _code_page(request, ctx, gate, pending, status=422, error=exc.message_in())
    now = ctx.clock()
    hashed = phone_hash(ctx.keys, pending.phone)
    person = service.find_person(db, hashed)
    person_ref = None if person is None else person.person_ref
    recorded = service.check_in(db, gate, hashed, now, person_ref)
    db.commit()
    response = redirect(_result_url(gate, recorded.check_id))
    _set_pass(response, ctx, DayPass(local_day(now), hashed, person_ref, mask_phone(pending.phone)))
    clear_cookie(response, PENDING_COOKIE, secure=_secure(ctx))
    return response


@router.post("/v/{token}/checkin")
def check_in_again(token: str, request: Request, ctx: Ctx, db: Db, csrf: CsrfField = "") -> Response:
    """A later scan the same day: the day pass stands for the SMS code."""
    require_csrf(request, ctx, csrf)
    gate = service.resolve_gate(db, ctx.keys, token)
    day_pass = _pass(request, ctx)
    if day_pass is None:
        return redirect(f"/v/{gate.token}")
    recorded = service.check_in(db, gate, day_pass.phone_hash, ctx.clock(), day_pass.person_ref)
    db.commit()
    return redirect(_result_url(gate, recorded.check_id))


@router.post("/v/{token}/no-sms")
def no_sms(token: str, request: Request, ctx: Ctx, db: Db, csrf: CsrfField = "") -> Response:
    """未收到验证码: record an unverified attempt and send the visitor to the guard."""
    require_csrf(request, ctx, csrf)
    gate = service.resolve_gate(db, ctx.keys, token)
    pending = _pending(request, ctx)
    if pending is None:
        return redirect(f"/v/{gate.token}")
    hashed = phone_hash(ctx.keys, pending.phone)
    recorded = service.record_unverified(db, gate, pending.phone, hashed, ctx.clock())
    db.commit()
    return redirect(_result_url(gate, recorded.check_id))


@router.post("/v/{token}/reset")
def change_phone(token: str, request: Request, ctx: Ctx, db: Db, csrf: CsrfField = "") -> Response:
    """更换手机号: forget the pass and the pending phone of this browser."""
    require_csrf(request, ctx, csrf)
    gate = service.resolve_gate(db, ctx.keys, token)
    response = redirect(f"/v/{gate.token}")
    clear_cookie(response, PASS_COOKIE, secure=_secure(ctx))
    clear_cookie(response, PENDING_COOKIE, secure=_secure(ctx))
    return response


# ---- the result and what follows it ---------------------------------------------------------


def _own_check(request: Request, ctx: ServerContext, db: Session, gate: service.Gate, check_id: str) -> Check:
    """The check, if this browser made it (its day pass or pending phone has the check's phone)."""
    missing = NotFound("登记记录不存在或已过期，请重新扫描场所码", code="check_not_found")
    try:
        wanted = uuid.UUID(check_id)
    except ValueError:
        raise missing from None
    check = service.load_check(db, gate, wanted)
    if check is None or check.phone_hash is None:
        raise missing
    hashes = set()
    day_pass = _pass(request, ctx)
    if day_pass is not None:
        hashes.add(day_pass.phone_hash)
    pending = _pending(request, ctx)
    if pending is not None:
        hashes.add(phone_hash(ctx.keys, pending.phone))
    if check.phone_hash not in hashes:
        raise missing
    return check


@router.get("/v/{token}/r/{check_id}")
def result(token: str, check_id: str, request: Request, ctx: Ctx, db: Db) -> Response:
    """The one screen: venue, time, verdict, the four rows, and what to do next."""
    gate = service.resolve_gate(db, ctx.keys, token)
    check = _own_check(request, ctx, db, gate, check_id)
    unverified = service.is_unverified(check)
    person = service.person_of(db, check)
    rows = []
    if not unverified:
        snapshot = service.missing_code_snapshot() if person is None else person_record(person).snapshot
        rows = health_rows(snapshot, check.findings_json, check.checked_at, current_language())
    reasons = {item.get("reason") for item in json.loads(check.findings_json or "[]")}
    now = ctx.clock()
    return render(
        request,
        "result.html",
        gate=gate,
        check=check,
        checked_at=local_time(check.checked_at),
        now_ms=int(now.timestamp() * 1000),
        now_text=local_time(now),
        verdict=verdict_view(VerdictLevel(check.level), current_language()),
        rows=rows,
        masked_name=check.masked_name,
        unverified=unverified,
        code_missing="code_missing" in reasons,
        outside=not unverified and service.from_outside_province(person, gate.venue),
        declared=check.declaration_json is not None,
        verified=_pass(request, ctx) is not None,
    )


def _declare_page(
    request: Request, gate: service.Gate, check: Check, form: service.DeclarationForm, **extra: Any
) -> Response:
    return render(
        request,
        "declare.html",
        gate=gate,
        check=check,
        form=form,
        transports=service.TRANSPORTS,
        result_url=_result_url(gate, check.id),
        **extra,
    )


@router.get("/v/{token}/r/{check_id}/declare")
def declaration_form(token: str, check_id: str, request: Request, ctx: Ctx, db: Db) -> Response:
    gate = service.resolve_gate(db, ctx.keys, token)
    check = _own_check(request, ctx, db, gate, check_id)
    return _declare_page(request, gate, check, service.DeclarationForm(), errors={})


@router.post("/v/{token}/r/{check_id}/declare")
def declare(
    token: str,
    check_id: str,
    request: Request,
    ctx: Ctx,
    db: Db,
    csrf: CsrfField = "",
    origin: Annotated[str, Form()] = "",
    arrival: Annotated[str, Form()] = "",
    transport: Annotated[str, Form()] = "",
    phone: Annotated[str, Form()] = "",
) -> Response:
    """自主申报: where from, arrival time, transport and a contact phone, saved with the check."""
    require_csrf(request, ctx, csrf)
    gate = service.resolve_gate(db, ctx.keys, token)
    check = _own_check(request, ctx, db, gate, check_id)
    form = service.DeclarationForm(origin[:200], arrival[:40], transport[:20], phone[:40])
    declaration, errors = service.checked_declaration(ctx.keys, form, ctx.clock())
    if declaration is None:
        return _declare_page(request, gate, check, form, errors=errors, status=422)
    service.save_declaration(db, check, declaration)
    db.commit()
    return redirect(_result_url(gate, check.id))


@router.get("/v/{token}/my-code")
def my_code(token: str, request: Request, ctx: Ctx, db: Db) -> Response:
    """我的健康码: the visitor's own personal code (SMHC1) as a QR, for a guard to scan."""
    gate = service.resolve_gate(db, ctx.keys, token)
    day_pass = _pass(request, ctx)
    if day_pass is None:
        return redirect(f"/v/{gate.token}")
    person = service.find_person(db, day_pass.phone_hash, day_pass.person_ref)
    if person is None:
        return render(request, "my_code.html", gate=gate, qr=None, phone_masked=day_pass.phone_masked)
    now: datetime = ctx.clock()
    record = person_record(person)
    code = issue_code_for(ctx, record, now)
    qr = "data:image/png;base64," + base64.b64encode(qr_png(code, 8)).decode("ascii")
    return render(
        request,
        "my_code.html",
        gate=gate,
        qr=qr,
        masked_name=record.masked_name,
        phone_masked=day_pass.phone_masked,
        issued_at=local_time(now),
    )


@router.get("/v/{rest:path}")
def unknown_page(rest: str) -> Response:
    raise NotFound(service.INVALID_CODE, code="bad_venue_code")
