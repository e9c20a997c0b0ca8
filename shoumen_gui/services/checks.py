"""Input -> verdict -> durable record: the hot path of DESIGN §2.

Personal code: its structure and signature are checked offline against the cached trust
list; online, the backend answers with the freshest status (within LOOKUP_BUDGET) and its level and
findings are used; offline (or on timeout) the signed snapshot is judged with the venue's
cached policy. Without a fresh trust list nothing is guessed: grey (CANNOT_VERIFY).
Document number: validated; online, the backend looks it up; offline it is sealed to the
backend's key, stored masked, and the guard decides (CANNOT_VERIFY, manual decision).
A lookup the backend refuses for its rate limits (429 lookup_rate_limited) is "cannot verify
now": grey with a manual decision, whatever the code's signed snapshot says — never a pass, and
the station stays online. A limit is what stops a scraper; a snapshot verdict would let the
station go on passing people without the server knowing who.
Every check is committed to the local cache BEFORE the result is returned.
"""

from __future__ import annotations

import logging
import re
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from enum import Enum, StrEnum
from typing import Final

from shoumen_core.codes import (
    MAX_CODE_LENGTH,
    PERSONAL_PREFIX,
    BadSignature,
    CodeError,
    PersonalCode,
    StaleTrustList,
    UnknownKey,
    b64url_encode,
    looks_like_venue_code,
    peek_personal_code,
    seal,
    verify_personal_code,
)
from shoumen_core.identity import (
    MASK_POLICIES,
    Document,
    DocumentKind,
    InvalidDocument,
    mask_document,
    normalise_document_number,
    parse_document,
)
from shoumen_core.policy import (
    LEVEL_WORDS,
    Finding,
    FindingState,
    HealthSnapshot,
    Source,
    VenuePolicy,
    VerdictLevel,
    evaluate,
)
from shoumen_core.schemas import (
    CheckMethod,
    CheckRecordIn,
    DocumentIn,
    LookupRequest,
    LookupResponse,
    ManualDecision,
)
from shoumen_core.temperature import InvalidTemperature, checked_temperature
from shoumen_core.timeutil import local_day, utcnow
from shoumen_gui.services.api import LOOKUP_TIMEOUT, ApiClient
from shoumen_gui.services.cache import CachedVenue, LocalCache
from shoumen_gui.services.connectivity import Connectivity, Listeners
from shoumen_gui.services.errors import (
    InputRejected,
    OfflineError,
    PermissionDenied,
    RateLimited,
    ServerRejected,
    SessionExpired,
    StorageError,
)
from shoumen_gui.services.ids import uuid7

log = logging.getLogger("shoumen.gui.checks")

MAX_DOCUMENT_INPUT: Final = 64
# The whole online lookup, retry included, from the guard's key press to the verdict (issue 14 §5:
# p95 time to verdict <= 2 s). A first attempt lost to a flaky link (reset at once, or stalled
# for LOOKUP_TIMEOUT = 1 s) leaves time for one more; a retry is tried only with at least
# MIN_RETRY_TIME left, less than a 4G round trip or two would just add a certain failure.
LOOKUP_BUDGET: Final = 2.0
MIN_RETRY_TIME: Final = 0.3
_DOCUMENT_SHAPE: Final = re.compile(r"(?=[A-Z]*[0-9])[A-Z0-9]{1,40}", re.ASCII)

MSG_EMPTY: Final = "未读取到内容，请重新扫码或输入证件号码"
MSG_TOO_LONG: Final = "内容过长，不是个人健康码或证件号码"
MSG_VENUE_CODE: Final = "这是场所码，不是个人健康码。请访客出示本人的个人健康码"
MSG_UNKNOWN: Final = "扫到的不是个人健康码，请访客出示本人的个人健康码"
MSG_WEB_ADDRESS: Final = "扫到的是网址二维码，不是个人健康码。请访客出示本人的个人健康码"
_WEB_ADDRESS: Final = re.compile(r"(?i)(?:[a-z][a-z0-9+.-]*://|www\.)\S")
MSG_OFFLINE_DOCUMENT: Final = "离线状态无法核验证件，请人工决定"
MSG_NO_TRUST_LIST: Final = "本机没有信任列表，无法离线核验，请联网同步"
# The server's 403 codes for a venue a supervisor has not approved (issue 13 §1).
VENUE_NOT_APPROVED: Final = frozenset({"venue_pending", "venue_rejected"})
MSG_RATE_LIMITED: Final = "查询过于频繁，请人工核验"
RATE_LIMITED: Final = "lookup_rate_limited"


class InputKind(StrEnum):
    PERSONAL_CODE = "personal_code"
    DOCUMENT = "document"
    VENUE_CODE = "venue_code"
    UNKNOWN = "unknown"


def classify(text: str) -> InputKind:
    """What a scanned or typed text is, from its shape only (cheap; no verification)."""
    s = text.strip()
    if not s or len(s) > MAX_CODE_LENGTH:
        return InputKind.UNKNOWN
    if s.startswith(PERSONAL_PREFIX + "."):
        return InputKind.PERSONAL_CODE
    if looks_like_venue_code(s):
        return InputKind.VENUE_CODE
    if len(s) <= MAX_DOCUMENT_INPUT and _DOCUMENT_SHAPE.fullmatch(normalise_document_number(s)):
        return InputKind.DOCUMENT
    return InputKind.UNKNOWN


class ResultSource(StrEnum):
    ONLINE = "online"
    OFFLINE_SNAPSHOT = "offline_snapshot"
    OFFLINE_UNVERIFIED = "offline_unverified"
    REFUSED = "refused"  # the server answered and would not look the visitor up here
    RATE_LIMITED = "rate_limited"  # online, but the backend refused the lookup for now (429)


class _Refused(Enum):
    RATE_LIMITED = "rate_limited"


@dataclass(frozen=True)
class CheckResult:
    record_id: uuid.UUID
    method: CheckMethod
    level: VerdictLevel
    findings: tuple[Finding, ...]
    masked_name: str
    masked_id: str
    source: ResultSource
    checked_at: datetime
    needs_manual_decision: bool  # REVIEW or CANNOT_VERIFY: the guard admits or turns away
    headline: str  # Chinese one-liner
    nat_window_hours: int | None
    temperature: float | None = None  # °C measured at the gate, if any (pre-fills 核查登记)


@dataclass(frozen=True)
class CheckContext:
    venue_id: int
    checkpoint_id: int | None
    user_id: int
    device_id: str


@dataclass(frozen=True)
class _Outcome:
    level: VerdictLevel
    findings: tuple[Finding, ...]
    source: ResultSource
    person_ref: str | None = None
    masked_name: str = ""
    masked_id: str = ""
    sealed_document: str | None = None


def headline(level: VerdictLevel, findings: tuple[Finding, ...]) -> str:
    reasons = [f.message for f in findings if f.state is not FindingState.OK]
    return f"{LEVEL_WORDS[level]}：{reasons[0]}" if reasons else f"{LEVEL_WORDS[level]}：各项正常"


def seal_document(number: str, public_key: bytes) -> str:
    """The normalised document number, sealed to the backend (base64url); only it can read it."""
    return b64url_encode(seal(number.encode("ascii"), public_key))


class _VenueNotApproved(Exception):
    """The server refuses lookups at this venue until the township approves it."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class CheckService:
    def __init__(
        self,
        cache: LocalCache,
        api: ApiClient | None,
        connectivity: Connectivity,
        clock: Callable[[], datetime] = utcnow,
        *,
        lookup_timeout: float = LOOKUP_TIMEOUT,
        lookup_budget: float = LOOKUP_BUDGET,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.cache = cache
        self.api = api
        self.connectivity = connectivity
        self.clock = clock
        self.lookup_timeout = lookup_timeout
        self.lookup_budget = lookup_budget
        self._monotonic = monotonic
        self.on_committed: Listeners[uuid.UUID] = Listeners()
        self._context: CheckContext | None = None
        self._lock = threading.Lock()

    def set_context(self, ctx: CheckContext) -> None:
        with self._lock:
            self._context = ctx

    @property
    def context(self) -> CheckContext | None:
        with self._lock:
            return self._context

    # ---- entry points ------------------------------------------------------------------

    def check_text(self, text: str, temperature: float | None = None) -> CheckResult:
        """A scanned or wedge-typed text. Raises InputRejected (only) for text that is not a check,
        or with a temperature outside the shared range (never committed: the server refuses it)."""
        temperature = _checked_temperature(temperature)
        kind = classify(text)
        if kind is InputKind.PERSONAL_CODE:
            return self._check_code(text.strip(), temperature)
        if kind is InputKind.DOCUMENT:
            try:
                return self.check_document(text, None, temperature)
            except InputRejected as exc:
                # A scanned text of letters and digits that is no document at all is some other
                # QR (a product or payment code): say that, not "无法识别的证件号码" (issue 16 §8).
                if exc.code == "bad_format":
                    raise InputRejected(MSG_UNKNOWN, code="not_health_code") from exc
                raise
        if kind is InputKind.VENUE_CODE:
            raise InputRejected(MSG_VENUE_CODE, code="venue_code_given")
        if _WEB_ADDRESS.match(text.strip()):
            raise InputRejected(MSG_WEB_ADDRESS, code="web_address")
        if not text.strip():
            raise InputRejected(MSG_EMPTY, code="empty")
        if len(text.strip()) > MAX_CODE_LENGTH:
            raise InputRejected(MSG_TOO_LONG, code="too_long")
        raise InputRejected(MSG_UNKNOWN, code="unknown_input")

    def check_document(
        self, number: str, kind: DocumentKind | None = None, temperature: float | None = None
    ) -> CheckResult:
        temperature = _checked_temperature(temperature)
        ctx = self._require_context()
        now = self.clock()
        if len(number.strip()) > MAX_DOCUMENT_INPUT:
            raise InputRejected("证件号码过长，请核对后重新输入", code="bad_length")
        try:
            document = parse_document(number, kind, today=local_day(now))
        except InvalidDocument as exc:
            raise InputRejected(exc.message, code=exc.code.value) from exc
        venue = self.cache.venue_config(ctx.venue_id)
        policy = venue.policy if venue is not None else VenuePolicy()
        request = LookupRequest(
            document=DocumentIn(kind=document.kind.value, number=document.number),
            checkpoint_id=ctx.checkpoint_id,
            temperature=temperature,
        )
        try:
            response = self._lookup(ctx, request)
        except _VenueNotApproved as refused:
            outcome = _refused(refused, policy, temperature, now, masked_id=_masked(document, policy))
            return self._commit(ctx, CheckMethod.DOCUMENT, outcome, policy, temperature, now)
        if isinstance(response, LookupResponse):
            outcome = _online_outcome(response, fallback_masked_id=_masked(document, policy))
        elif response is _Refused.RATE_LIMITED:
            outcome = self._unverified_document(
                document, venue, policy, temperature, now, RATE_LIMITED, MSG_RATE_LIMITED
            )
        else:
            outcome = self._unverified_document(
                document, venue, policy, temperature, now, "offline_document", MSG_OFFLINE_DOCUMENT
            )
        return self._commit(ctx, CheckMethod.DOCUMENT, outcome, policy, temperature, now)

    def record_manual_decision(self, record_id: uuid.UUID, decision: ManualDecision) -> None:
        """The guard's 人工放行 / 劝返 for a REVIEW or grey result; pushed like the check."""
        if self.cache.set_manual_decision(record_id, decision):
            self.on_committed.emit(record_id)
        else:
            log.warning("manual decision for an unknown check")

    # ---- personal code -----------------------------------------------------------------

    def _check_code(self, text: str, temperature: float | None) -> CheckResult:
        ctx = self._require_context()
        now = self.clock()
        try:
            peek_personal_code(text)  # structure first: garbage never reaches the network
        except CodeError as exc:
            raise InputRejected(exc.message, code=exc.code) from exc
        venue = self.cache.venue_config(ctx.venue_id)
        policy = venue.policy if venue is not None else VenuePolicy()
        verified, unverified_reason = _verify_offline(text, venue, now)
        request = LookupRequest(personal_code=text, checkpoint_id=ctx.checkpoint_id, temperature=temperature)
        try:
            response = self._lookup(ctx, request)
        except _VenueNotApproved as refused:
            # Grey, not the signed snapshot: a guard of an unapproved venue gets no verdict.
            return self._commit(
                ctx, CheckMethod.SCAN, _refused(refused, policy, temperature, now), policy, temperature, now
            )
        if isinstance(response, LookupResponse):
            outcome = _online_outcome(response)
        elif response is _Refused.RATE_LIMITED:
            grey = _grey(RATE_LIMITED, MSG_RATE_LIMITED, policy, temperature, now)
            outcome = _Outcome(
                level=grey.level,
                findings=grey.findings,
                source=ResultSource.RATE_LIMITED,
                person_ref=None if verified is None else verified.person_ref,
                masked_name="" if verified is None else verified.masked_name,
                masked_id="" if verified is None else verified.masked_id,
            )
        elif verified is not None:
            verdict = evaluate(verified.to_snapshot(temperature), policy, now)
            outcome = _Outcome(
                level=verdict.level,
                findings=verdict.findings,
                source=ResultSource.OFFLINE_SNAPSHOT,
                person_ref=verified.person_ref,
                masked_name=verified.masked_name,
                masked_id=verified.masked_id,
            )
        else:
            reason, message = unverified_reason
            outcome = _grey(reason, message, policy, temperature, now)
        return self._commit(ctx, CheckMethod.SCAN, outcome, policy, temperature, now)

    # ---- shared steps ------------------------------------------------------------------

    def _lookup(self, ctx: CheckContext, request: LookupRequest) -> LookupResponse | _Refused | None:
        """The backend's answer; RATE_LIMITED when it refused for its limits (an answer: the link
        is fine); None to judge offline (offline, timeouts, server trouble).

        A request that got no answer (reset, stall, 502-504, 503 busy) counts one failure toward
        going offline and is tried once more if the budget leaves MIN_RETRY_TIME: on a link that
        loses 10 % of requests, 1 % of checks then lose both (bench/bench_flaky_link.py).
        Offline, the lookup is skipped except once every PROBE_INTERVAL (Connectivity.may_try)."""
        api = self.api
        if api is None or not self.connectivity.may_try():
            return None
        # Offline, this lookup is the probe (one every PROBE_INTERVAL): one attempt, no retry.
        attempts = (1, 2) if self.connectivity.online else (2,)
        started = self._monotonic()
        timeout = min(self.lookup_timeout, self.lookup_budget)
        for attempt in attempts:
            try:
                return self._lookup_once(api, ctx, request, timeout)
            except OfflineError as exc:
                still_online = self.connectivity.record_failure()
                remaining = self.lookup_budget - (self._monotonic() - started)
                if attempt == 2 or not still_online or remaining < MIN_RETRY_TIME:
                    log.info("lookup got no answer (%s, attempt %d); judging offline", exc.code, attempt)
                    return None
                log.info("lookup got no answer (%s); retrying with %.2f s left", exc.code, remaining)
                timeout = min(self.lookup_timeout, remaining)
        return None

    def _lookup_once(
        self, api: ApiClient, ctx: CheckContext, request: LookupRequest, timeout: float
    ) -> LookupResponse | _Refused | None:
        """One request: the answer, RATE_LIMITED, or None for an answer that is no verdict (judge
        offline).
        Raises OfflineError when no answer came."""
        try:
            response = api.checks.lookup(ctx.venue_id, request, timeout=timeout)
        except RateLimited as exc:  # before ServerRejected, its base
            log.warning("lookup refused by the server's rate limits (%s)", exc.code)
            self.connectivity.record_success()  # it answered: nothing to do with the link
            return _Refused.RATE_LIMITED
        except SessionExpired:
            log.info("lookup refused: session expired; judging offline")
            return None
        except PermissionDenied as exc:
            if exc.code in VENUE_NOT_APPROVED:
                self.connectivity.record_success()
                raise _VenueNotApproved(exc.code, exc.message) from exc
            raise
        except ServerRejected as exc:
            if exc.status in (400, 422):
                raise InputRejected(exc.message, code=exc.code) from exc
            log.warning("lookup failed (%s, %s); judging offline", exc.status, exc.code)
            return None
        self.connectivity.record_success()
        return response

    def _unverified_document(
        self,
        document: Document,
        venue: CachedVenue | None,
        policy: VenuePolicy,
        temperature: float | None,
        now: datetime,
        reason: str,
        message: str,
    ) -> _Outcome:
        """Grey for a number the backend did not look up (offline, or refused for its limits):
        kept sealed to the backend, so only it can read the number later."""
        key = venue.sealing_public_key if venue is not None else None
        sealed = seal_document(document.number, key) if key is not None else None
        if sealed is None:
            log.warning("no sealing key cached: the unverified document number is not kept")
        grey = _grey(reason, message, policy, temperature, now)
        return _Outcome(
            level=grey.level,
            findings=grey.findings,
            source=ResultSource.RATE_LIMITED if reason == RATE_LIMITED else ResultSource.OFFLINE_UNVERIFIED,
            masked_id=_masked(document, policy),
            sealed_document=sealed,
        )

    def _commit(
        self,
        ctx: CheckContext,
        method: CheckMethod,
        outcome: _Outcome,
        policy: VenuePolicy,
        temperature: float | None,
        now: datetime,
    ) -> CheckResult:
        record = CheckRecordIn(
            id=uuid7(),
            venue_id=ctx.venue_id,
            checkpoint_id=ctx.checkpoint_id,
            method=method,
            checked_at=now,
            level=outcome.level,
            findings=list(outcome.findings),
            person_ref=outcome.person_ref,
            masked_name=outcome.masked_name,
            masked_id=outcome.masked_id,
            sealed_document=outcome.sealed_document,
            temperature=temperature,
            offline=outcome.source in (ResultSource.OFFLINE_SNAPSHOT, ResultSource.OFFLINE_UNVERIFIED),
            device_id=ctx.device_id,
        )
        self._write_held()  # older checks the disk refused go first, in their order
        try:
            self.cache.add_check(record, ctx.user_id)  # committed before anyone sees the verdict
        except StorageError as exc:
            # Not committed: no verdict may be shown and the gate must stay shut, so the
            # result never leaves this method; the record waits in memory for the disk.
            exc.held = self.cache.hold_check(record, ctx.user_id)
            log.warning("check not saved (%s); %d held in memory", exc.code, exc.held)
            raise
        self.on_committed.emit(record.id)
        return CheckResult(
            record_id=record.id,
            method=method,
            level=outcome.level,
            findings=outcome.findings,
            masked_name=outcome.masked_name,
            masked_id=outcome.masked_id,
            source=outcome.source,
            checked_at=now,
            needs_manual_decision=outcome.level in (VerdictLevel.REVIEW, VerdictLevel.CANNOT_VERIFY),
            headline=headline(outcome.level, outcome.findings),
            nat_window_hours=policy.nat_window_hours,
            temperature=temperature,
        )

    def _write_held(self) -> None:
        if not self.cache.held_count():
            return
        try:
            written = self.cache.write_held()
        except StorageError:
            return  # still refused: they stay held, and the new check is tried on its own
        for record_id in written:
            self.on_committed.emit(record_id)

    def _require_context(self) -> CheckContext:
        ctx = self.context
        if ctx is None:
            raise RuntimeError("CheckService.set_context() must be called before checking")
        return ctx


def _verify_offline(
    text: str, venue: CachedVenue | None, now: datetime
) -> tuple[PersonalCode | None, tuple[str, str]]:
    """(verified code, None) or (None, (reason, message) why it cannot be verified offline).

    A forged, expired or not-yet-valid code is refused outright (InputRejected); an unknown key
    or a stale list only means this device cannot tell, and the backend may still answer.
    """
    trust_list = venue.trust_list if venue is not None else None
    if trust_list is None:
        return None, ("no_trust_list", MSG_NO_TRUST_LIST)
    try:
        return verify_personal_code(text, trust_list, now), ("", "")
    except (StaleTrustList, UnknownKey) as exc:
        return None, (exc.code, exc.message)
    except BadSignature as exc:
        raise InputRejected(exc.message, code=exc.code) from exc
    except CodeError as exc:  # malformed, expired, not yet valid
        raise InputRejected(exc.message, code=exc.code) from exc


def _online_outcome(response: LookupResponse, fallback_masked_id: str = "") -> _Outcome:
    person = response.person
    return _Outcome(
        level=response.level,
        findings=tuple(response.findings),
        source=ResultSource.ONLINE,
        person_ref=None if person is None else person.person_ref,
        masked_name="" if person is None else person.masked_name,
        masked_id=fallback_masked_id if person is None else person.masked_id,
    )


def _grey(
    reason: str, message: str, policy: VenuePolicy, temperature: float | None, now: datetime
) -> _Outcome:
    """Grey: nothing to judge. A measured fever still turns the visitor away (DENY)."""
    findings = [
        Finding(source=Source.HEALTH_CODE, state=FindingState.UNKNOWN, reason=reason, message=message)
    ]
    level = VerdictLevel.CANNOT_VERIFY
    if temperature is not None:
        fever = evaluate(HealthSnapshot(temperature=temperature), policy, now).findings[-1]
        findings.append(fever)
        if fever.state is FindingState.FAIL:
            level = VerdictLevel.DENY
    return _Outcome(level=level, findings=tuple(findings), source=ResultSource.OFFLINE_UNVERIFIED)


def _refused(
    refused: _VenueNotApproved,
    policy: VenuePolicy,
    temperature: float | None,
    now: datetime,
    masked_id: str = "",
) -> _Outcome:
    """Grey with the server's words (e.g. 场所尚待所在乡镇街道审核…): never a pass."""
    grey = _grey(refused.code, refused.message, policy, temperature, now)
    return replace(grey, source=ResultSource.REFUSED, masked_id=masked_id)


def _masked(document: Document, policy: VenuePolicy) -> str:
    return mask_document(document.number, MASK_POLICIES[policy.masking.value])


def _checked_temperature(temperature: float | None) -> float | None:
    try:
        return checked_temperature(temperature)
    except InvalidTemperature as exc:
        raise InputRejected(exc.message, code=exc.code.value) from exc
