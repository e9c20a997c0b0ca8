"""The outbox and the cursor pull (DESIGN §4), on one daemon thread.

A round pushes every pending check and anomaly registration in batches of 500 (each answer
applied in one transaction), then pulls once (one transaction). Rounds run: within
``push_delay`` of a nudge (a new check), every ``pull_interval``, and at once on reconnect.
While the backend is unreachable a round is tried every ``probe_interval`` (2 s, jittered
+-25 % so stations that lost the same link do not come back in step), and each offline try
costs one /info probe: the station is back online on the first answer, not after a back-off
that had grown to 60 s (issue 14 §5). A 503 (the server's database is away) is no outage of
the link: the round is retried after the server's Retry-After, and no error is shown. Other
failures (a 500) back off 1, 2, 4 ... ``max_backoff`` seconds.

Timing is testable: ``step()`` does what is due by the injected ``monotonic`` clock and
returns the seconds until something is due again; the thread only loops over
``step()`` and ``wait(seconds)`` (injectable; True when woken early).
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Final

from shoumen_core.schemas import MAX_PUSH_BATCH, PushRequest, StaffState
from shoumen_core.timeutil import utcnow
from shoumen_core.trust import TrustListError
from shoumen_gui.services.api import PROBE_TIMEOUT, ApiClient
from shoumen_gui.services.cache import LocalCache
from shoumen_gui.services.connectivity import PROBE_INTERVAL, Connectivity, Listeners
from shoumen_gui.services.errors import (
    CertificateUntrusted,
    OfflineError,
    PermissionDenied,
    ServerBusy,
    ServiceError,
    SessionExpired,
)

log = logging.getLogger("shoumen.gui.sync")

# Rows per push request. The server takes up to MAX_PUSH_BATCH, but a request is built and
# serialised in single pydantic calls over the whole batch, holding the GIL: with 500 rows the
# GUI thread stalled ~50 ms while one was built (bench/bench_gate.py with a stack sampler).
PUSH_BATCH = min(100, MAX_PUSH_BATCH)

SKEW_LIMIT: Final = timedelta(minutes=5)
# The pull sends the trust list only with a configuration change; fetch it on its own when
# the cached one would run out within this margin (past it, offline checks turn grey).
TRUST_LIST_MARGIN: Final = timedelta(days=2)
PURGE_INTERVAL: Final = 3600.0
# While offline a /info probe every PROBE_INTERVAL (connectivity.py). 1,000 stations of a county
# that all lost the server send ~500 probes/s to an endpoint that needs no database — cheap next
# to their checks.
JITTER: Final = 0.25

__all__ = ["Connectivity", "SyncEngine", "SyncStatus"]


@dataclass(frozen=True)
class SyncStatus:
    online: bool
    pending: int
    rejected: int
    last_sync_at: datetime | None
    clock_skew: timedelta | None  # server time minus ours
    skew_warning: bool
    epoch_reset: bool  # the last round found a new server epoch and resent everything
    revoked: bool
    message: str  # Chinese, for the status bar and the log; "" when all is well
    session_expired: bool = False
    # What `message` says, as a code and its values, for the app to say in its language (issue 17
    # §5; ui/texts.py): "" all is well, "epoch_reset", "trust_root_changed" {root},
    # "sync_error" {error, message, retry?}, "session_expired", "clock_skew" {minutes}.
    state: str = ""
    state_args: dict[str, str] = field(default_factory=dict)
    # Chinese, for the status bar: the last trust list was refused (services.trust); "" when the
    # stored list is the server's current one. Offline checks go on with the previous list.
    trust_warning: str = ""
    trust_code: str = ""  # the refusal's code (shoumen_core.trust), for the app's words


def jittered(seconds: float, rng: Callable[[], float]) -> float:
    """`seconds` +- JITTER (rng() in [0, 1): 0.5 gives `seconds` exactly)."""
    return seconds * (1.0 - JITTER + 2 * JITTER * rng())


def backoff_delay(failures: int, max_backoff: float) -> float:
    """1, 2, 4, ... seconds after the 1st, 2nd, 3rd ... failure in a row, capped."""
    return float(min(max_backoff, 2 ** min(failures - 1, 30)))


class SyncEngine:
    def __init__(
        self,
        cache: LocalCache,
        api: ApiClient,
        connectivity: Connectivity,
        *,
        clock: Callable[[], datetime] = utcnow,
        push_delay: float = 1.0,
        pull_interval: float = 60.0,
        max_backoff: float = 60.0,
        monotonic: Callable[[], float] = time.monotonic,
        wait: Callable[[float], bool] | None = None,
        retention_days: int | None = None,
        probe_interval: float = PROBE_INTERVAL,
        rng: Callable[[], float] = random.random,
    ) -> None:
        self.cache = cache
        self.api = api
        self.connectivity = connectivity
        self.clock = clock
        self.push_delay = push_delay
        self.pull_interval = pull_interval
        self.max_backoff = max_backoff
        self.retention_days = retention_days
        self.probe_interval = probe_interval
        self._rng = rng
        self._monotonic = monotonic
        self._wake = threading.Event()
        self._wait_hook = wait
        self._lock = threading.Lock()
        self._round_lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._stopping = False
        self._venue_id: int | None = None
        self._user_id: int | None = None
        # Schedule (monotonic seconds).
        self._push_requested_at: float | None = None
        self._nudges = 0
        self._next_pull_at = 0.0
        self._retry_at = 0.0
        self._failures = 0
        self._force = False
        self._in_round = False
        self._blocked_token: str | None = None
        self._last_purge: float | None = None
        self._skew: timedelta | None = None
        self._device_id = cache.device_id()
        self.on_status: Listeners[SyncStatus] = Listeners()
        self._status = SyncStatus(
            online=connectivity.online,
            pending=cache.pending_count(),
            rejected=cache.rejected_count(),
            last_sync_at=_parse(cache.get_meta("last_sync_at")),
            clock_skew=None,
            skew_warning=False,
            epoch_reset=False,
            revoked=False,
            message="",
            trust_warning=_refusal_message(cache),
            trust_code=_refusal_code(cache),
        )
        # Listening from here to stop(): the engine of the last post (switched away from, or
        # logged out of) must not go on counting the outbox at every change of connectivity.
        connectivity.add_listener(self._on_connectivity)

    # ---- control -----------------------------------------------------------------------

    @property
    def status(self) -> SyncStatus:
        with self._lock:
            return self._status

    @property
    def failures(self) -> int:
        return self._failures

    def set_target(self, venue_id: int, user_id: int) -> None:
        """Which venue to pull and whose outbox to push (the logged-in guard's)."""
        with self._lock:
            changed = (venue_id, user_id) != (self._venue_id, self._user_id)
            self._venue_id, self._user_id = venue_id, user_id
            if changed:
                self._force = True
        self._wake.set()

    def start(self, venue_id: int, user_id: int) -> None:
        self.set_target(venue_id, user_id)
        if self._thread is not None and self._thread.is_alive():
            return
        self._stopping = False
        self.connectivity.add_listener(self._on_connectivity)  # again, after a stop()
        self._thread = threading.Thread(target=self._run, name="shoumen-sync", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stopping = True
        self.connectivity.remove_listener(self._on_connectivity)
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def nudge(self, _record_id: object = None) -> None:
        """A new local row: push within ``push_delay`` (when online)."""
        with self._lock:
            self._nudges += 1
            if self._push_requested_at is None:
                self._push_requested_at = self._monotonic()
        self._wake.set()

    def sync_now(self, venue_id: int | None = None, user_id: int | None = None) -> SyncStatus:
        """One round now, in the caller's thread (tests, benchmarks, a "同步" button)."""
        if venue_id is not None and user_id is not None:
            with self._lock:
                self._venue_id, self._user_id = venue_id, user_id
        self._attempt()
        return self.status

    # ---- scheduling --------------------------------------------------------------------

    def step(self) -> float:
        """Run a round if one is due; return the seconds until the next thing is due."""
        now = self._monotonic()
        with self._lock:
            if self._venue_id is None:
                return self.pull_interval
            if self._blocked_token is not None:
                if self.api.token in (None, self._blocked_token):
                    return self.pull_interval  # waiting for the guard to log in again
                self._blocked_token = None
                self._force = True
            if not self._force and now < self._retry_at:
                return self._retry_at - now
            push_due = (
                self._push_requested_at is not None and now >= self._push_requested_at + self.push_delay
            )
            if not (self._force or push_due or now >= self._next_pull_at):
                waits = [self._next_pull_at - now]
                if self._push_requested_at is not None:
                    waits.append(self._push_requested_at + self.push_delay - now)
                return max(0.0, min(waits))
        self._attempt()
        with self._lock:
            now = self._monotonic()
            if now < self._retry_at:
                return self._retry_at - now
            if self._push_requested_at is not None:
                return max(0.0, self._push_requested_at + self.push_delay - now)
            return max(0.0, self._next_pull_at - now)

    def _run(self) -> None:
        while not self._stopping:
            try:
                delay = self.step()
            except Exception:  # never let the outbox thread die; back off and try again
                log.exception("sync step failed")
                delay = backoff_delay(max(self._failures, 1), self.max_backoff)
            if self._stopping:
                break
            self._wait(delay)

    def _wait(self, seconds: float) -> bool:
        if self._wait_hook is not None:
            return self._wait_hook(seconds)
        woke = self._wake.wait(max(0.0, seconds))
        self._wake.clear()
        return woke

    def _on_connectivity(self, online: bool) -> None:
        if online and not self._in_round:
            with self._lock:  # reconnected (seen by a lookup): pull at once, forget the backoff
                self._force = True
                self._retry_at = 0.0
                self._failures = 0
            self._wake.set()
        self._publish()

    # ---- the round ---------------------------------------------------------------------

    def _attempt(self) -> None:
        with self._round_lock:
            with self._lock:
                venue_id, user_id = self._venue_id, self._user_id
                nudges_before = self._nudges
                self._force = False
            if venue_id is None or user_id is None:
                raise RuntimeError("SyncEngine has no venue: call start() or sync_now(venue_id, user_id)")
            self._in_round = True
            update: dict[str, object] = {}
            try:
                update = self._round(venue_id, user_id)
            except ServiceError as exc:
                update = self._failed(exc)
            except Exception:
                log.exception("sync round failed")
                update = self._failed(ServiceError("同步出错，稍后自动重试", code="sync_error"))
            else:
                with self._lock:
                    self._failures = 0
                    self._retry_at = 0.0
                    self._next_pull_at = self._monotonic() + self.pull_interval
                    if self._nudges == nudges_before:
                        self._push_requested_at = None
            finally:
                self._in_round = False
            self._publish(**update)

    def _round(self, venue_id: int, user_id: int) -> dict[str, object]:
        pin_before = self.cache.root_pin()
        if not self.connectivity.online:
            # A cheap probe first: while the backend stays away, no batch of rows is read and
            # serialised (on every back-off retry) only to fail at the connect.
            self.api.server.info(timeout=PROBE_TIMEOUT)
        self._push_all(user_id)
        epoch_reset = self._pull(venue_id, user_id)
        if epoch_reset:  # everything was queued again and the cursor reset: resend and re-pull now
            self._push_all(user_id)
            self._pull(venue_id, user_id)
        self._refresh_trust_list(venue_id)
        self.connectivity.record_success()
        now = self.clock()
        self.cache.set_meta("last_sync_at", now.isoformat())
        self._purge_if_due()
        venue = self.cache.venue_config(venue_id)
        revoked = venue is not None and venue.my_state is StaffState.REVOKED
        message = "服务器数据已重置，已重新同步全部记录" if epoch_reset else ""
        state, state_args = ("epoch_reset" if epoch_reset else ""), {}
        pin_after = self.cache.root_pin()
        if pin_before is not None and pin_after is not None and pin_after != pin_before:
            # Never silent: the guard (and the log) see that the root moved, and to which.
            message = f"服务器的信任根已更换为 {pin_after.root_id}（由原信任根签署交接）"
            state, state_args = "trust_root_changed", {"root": pin_after.root_id}
        return {
            "last_sync_at": now,
            "epoch_reset": epoch_reset,
            "revoked": revoked,
            "session_expired": False,
            "message": message,
            "state": state,
            "state_args": state_args,
            "trust_warning": _refusal_message(self.cache),
            "trust_code": _refusal_code(self.cache),
        }

    def _push_all(self, user_id: int) -> int:
        sent = 0
        while True:
            checks = self.cache.pending_checks(PUSH_BATCH, user_id=user_id)
            anomalies = self.cache.pending_anomalies(PUSH_BATCH, user_id=user_id)
            if not checks and not anomalies:
                return sent
            request = PushRequest(device_id=self._device_id, checks=checks, anomalies=anomalies)
            response = self.api.sync.push(request)
            self._note_skew()
            self.cache.mark_pushed(response, self.clock())
            sent += len(checks) + len(anomalies)
            answered = {*response.accepted, *(r.id for r in response.rejected)}
            if not answered & {*(c.id for c in checks), *(a.id for a in anomalies)}:
                log.warning("push answer named none of the %d rows sent; retrying later", len(checks))
                return sent

    def _pull(self, venue_id: int, user_id: int) -> bool:
        response = self.api.sync.pull(venue_id, self.cache.cursor(venue_id))
        self._note_skew()
        return self.cache.apply_pull(venue_id, response, self.clock(), user_id=user_id)

    def _refresh_trust_list(self, venue_id: int) -> None:
        venue = self.cache.venue_config(venue_id)
        if venue is None:
            return
        current = venue.trust_list
        if current is not None and current.valid_until - self.clock() > TRUST_LIST_MARGIN:
            return
        try:
            if self.cache.store_trust_list(venue_id, self.api.trust.trust_list(), self.clock()):
                log.info("trust list renewed for venue %d", venue_id)
        except TrustListError:
            pass  # recorded by the cache; the round reports it as trust_warning

    def _failed(self, exc: ServiceError) -> dict[str, object]:
        with self._lock:
            if isinstance(exc, SessionExpired):
                self._blocked_token = self.api.token or ""
                delay = self.pull_interval
            elif isinstance(exc, PermissionDenied):
                delay = self.pull_interval
            elif isinstance(exc, ServerBusy):
                # Never sooner than the server asked; jittered later so stations spread out.
                delay = min(exc.retry_after, self.max_backoff) * (1.0 + JITTER * self._rng())
            elif isinstance(exc, OfflineError):
                self._failures += 1
                delay = jittered(self.probe_interval, self._rng)
            else:
                self._failures += 1
                delay = backoff_delay(self._failures, self.max_backoff)
            self._retry_at = self._monotonic() + delay
        if isinstance(exc, ServerBusy):
            # The server answered and will again soon: not offline, and nothing for the guard
            # to act on (the checks meanwhile are judged offline and committed as usual).
            log.info("server busy (%s); retrying in %.1f s", exc.server_code, delay)
            return {"message": "", "state": "", "state_args": {}}
        if isinstance(exc, CertificateUntrusted):
            # Not a lost packet that the next try may get through: the guard (and whoever set
            # the CA up) must see why at once, not after three failures.
            self.connectivity.record_failure()
            return _error_state(exc)
        if isinstance(exc, OfflineError):
            if self.connectivity.record_failure():
                # one lost request is no outage: retried in ~2 s
                return {"message": "", "state": "", "state_args": {}}
            return _error_state(exc, delay)
        self.connectivity.record_success()  # the server answered
        if isinstance(exc, SessionExpired):
            return {
                "session_expired": True,
                "message": "登录已失效，请重新登录后继续同步",
                "state": "session_expired",
                "state_args": {},
            }
        if isinstance(exc, PermissionDenied):
            revoked = exc.code == "staff_revoked"
            return {"revoked": revoked, **_error_state(exc)}
        return _error_state(exc, delay)

    def _note_skew(self) -> None:
        server_date = self.api.last_server_date
        if server_date is None:
            return
        skew = server_date - self.clock()
        with self._lock:
            self._skew = skew

    def _purge_if_due(self) -> None:
        if self.retention_days is None:
            return
        now = self._monotonic()
        if self._last_purge is not None and now - self._last_purge < PURGE_INTERVAL:
            return
        self._last_purge = now
        self.cache.purge(self.clock(), self.retention_days)

    def _publish(self, **update: object) -> None:
        with self._lock:
            skew = self._skew
            status = replace(
                self._status,
                online=self.connectivity.online,
                pending=self.cache.pending_count(),
                rejected=self.cache.rejected_count(),
                clock_skew=skew,
                skew_warning=skew is not None and abs(skew) > SKEW_LIMIT,
                **update,  # type: ignore[arg-type]
            )
            if status.skew_warning and not status.message:
                minutes = abs(skew or timedelta()) // timedelta(minutes=1)
                status = replace(
                    status,
                    message=f"本机时间与服务器相差约 {minutes} 分钟，请校准时间",
                    state="clock_skew",
                    state_args={"minutes": str(minutes)},
                )
            self._status = status
        self.on_status.emit(status)


def _error_state(exc: ServiceError, delay: float | None = None) -> dict[str, object]:
    """The status fields for a failed round: the error's code and words, and when it retries."""
    args = {"error": exc.code, "message": exc.message}
    if delay is None:
        return {"message": exc.message, "state": "sync_error", "state_args": args}
    args["retry"] = f"{delay:.0f}"
    return {"message": f"{exc.message}（{delay:.0f} 秒后重试）", "state": "sync_error", "state_args": args}


def _refusal_message(cache: LocalCache) -> str:
    refusal = cache.trust_refusal()
    return "" if refusal is None else refusal.message


def _parse(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


def _refusal_code(cache: LocalCache) -> str:
    refusal = cache.trust_refusal()
    return "" if refusal is None else refusal.code
