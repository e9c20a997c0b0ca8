"""One guard at one checkpoint: the services of a working session, driven through tasks.py.

The station owns the CheckService and the SyncEngine for the chosen venue and checkpoint and
turns their worker-thread callbacks into Qt signals on the GUI thread. Widgets talk to the
station, never to a service directly, so no service call can end up on the GUI thread.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

from shoumen_core.identity import DocumentKind
from shoumen_core.policy import VenuePolicy
from shoumen_core.schemas import CheckpointOut, ManualDecision, MembershipOut, UserOut
from shoumen_gui.services.api import ApiClient
from shoumen_gui.services.cache import LocalCache
from shoumen_gui.services.connectivity import Connectivity
from shoumen_gui.tasks import TaskManager

if TYPE_CHECKING:
    from shoumen_gui.services.checks import CheckResult, CheckService
    from shoumen_gui.services.sync import SyncEngine, SyncStatus

log = logging.getLogger("shoumen.gui.station")

RETENTION_DAYS = 28  # DESIGN §5: synced check records leave the device after this


@dataclass(frozen=True)
class Post:
    """Where this station checks."""

    user: UserOut
    venue: MembershipOut
    checkpoint: CheckpointOut | None

    @property
    def venue_id(self) -> int:
        return self.venue.venue_id

    @property
    def checkpoint_id(self) -> int | None:
        return None if self.checkpoint is None else self.checkpoint.id


class Station(QObject):
    status_changed = Signal(object)  # SyncStatus
    rejected_rows_changed = Signal(list)  # list[RejectedRow]
    policy_changed = Signal(object)  # VenuePolicy
    pending_changed = Signal(int)  # rows not yet accepted by the server, counted after each check
    session_expired = Signal()
    ready = Signal()
    failed = Signal(object)  # Exception: the station could not open

    def __init__(
        self,
        tasks: TaskManager,
        api: ApiClient,
        cache: LocalCache,
        connectivity: Connectivity,
        post: Post,
        *,
        sync_options: dict[str, Any] | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.tasks = tasks
        self.api = api
        self.cache = cache
        self.connectivity = connectivity
        self.post = post
        self.policy = VenuePolicy()
        self.checks: CheckService | None = None
        self.sync: SyncEngine | None = None
        self.last_status: SyncStatus | None = None
        self._sync_options = {"retention_days": RETENTION_DAYS, **(sync_options or {})}
        self._expired_reported = False
        self._last_rejected = -1
        self._closed = False

    # --- lifecycle -------------------------------------------------------------------------

    def open(self) -> None:
        """Build the services, pull once (so the policy and trust list are known), start syncing.

        Offline is fine: the check service works from the cache. Emits `ready` or `failed`.
        """
        self.tasks.run_serial(self._open_in_worker, self._on_opened, self._on_open_failed)

    def _open_in_worker(self) -> VenuePolicy:
        from shoumen_gui.services.checks import CheckContext, CheckService
        from shoumen_gui.services.sync import SyncEngine

        post = self.post
        checks = CheckService(self.cache, self.api, self.connectivity)
        checks.set_context(
            CheckContext(
                venue_id=post.venue_id,
                checkpoint_id=post.checkpoint_id,
                user_id=post.user.id,
                device_id=self.cache.device_id(),
            )
        )
        sync = SyncEngine(self.cache, self.api, self.connectivity, **self._sync_options)
        sync.on_status(self._on_status_in_worker)
        checks.on_committed.append(lambda _record_id: sync.nudge())
        status = sync.sync_now(post.venue_id, post.user.id)  # offline is fine: the cache answers
        if status.message:
            log.info("first sync round: %s", status.message)
        self.checks, self.sync = checks, sync
        return self._read_policy()

    def _on_opened(self, policy: VenuePolicy) -> None:
        if self._closed:
            return
        assert self.sync is not None
        self.sync.start(self.post.venue_id, self.post.user.id)
        self._set_policy(policy)
        self.ready.emit()

    def _on_open_failed(self, error: Exception) -> None:
        log.warning("station could not open: %s", type(error).__name__)
        self.failed.emit(error)

    def close(self, on_closed: Callable[[], None] | None = None) -> None:
        """Stop syncing (off the GUI thread); pending checks stay in the cache for next time."""
        self._closed = True
        sync = self.sync

        def stop() -> None:
            if sync is not None:
                sync.stop()

        self.tasks.run_serial(stop, lambda _: on_closed() if on_closed else None)

    def close_now(self) -> None:
        """At exit only: stop syncing on the calling thread."""
        self._closed = True
        if self.sync is not None:
            self.sync.stop()

    # --- checks ------------------------------------------------------------------------------

    def check_document(
        self,
        number: str,
        kind: DocumentKind | None,
        on_result: Callable[[CheckResult], None],
        on_failure: Callable[[Exception], None],
    ) -> None:
        checks = self._require_checks()
        self.tasks.run_serial(lambda: checks.check_document(number, kind), on_result, on_failure)

    def check_text(
        self, text: str, on_result: Callable[[CheckResult], None], on_failure: Callable[[Exception], None]
    ) -> None:
        checks = self._require_checks()
        self.tasks.run_serial(lambda: checks.check_text(text), on_result, on_failure)

    def record_manual_decision(self, record_id: uuid.UUID, decision: ManualDecision) -> None:
        """Runs on the serial worker (the result panel hands it to tasks.run_serial)."""
        self._require_checks().record_manual_decision(record_id, decision)

    def refresh_pending(self) -> None:
        """Count the outbox now: the sync engine only reports when it runs, and while offline it
        waits out its back-off, but the guard should see each new check counted at once."""
        cache = self.cache
        self.tasks.run_serial(cache.pending_count, self.pending_changed.emit, _ignore)

    def sync_now(self, on_done: Callable[[Any], None] | None = None) -> None:
        sync = self.sync
        if sync is not None:
            self.tasks.run(sync.sync_now, on_done, lambda _error: None)

    def nudge_sync(self) -> None:
        """Push soon: e.g. after an anomaly registration was saved (checks nudge by themselves)."""
        if self.sync is not None:
            self.sync.nudge()

    def _require_checks(self) -> CheckService:
        if self.checks is None:
            raise RuntimeError("the station is not open")
        return self.checks

    # --- status (sync thread -> GUI thread) --------------------------------------------------

    def _on_status_in_worker(self, status: SyncStatus) -> None:
        self.tasks.call_in_gui(lambda: self._on_status(status))

    def _on_status(self, status: SyncStatus) -> None:
        if self._closed:
            return
        self.last_status = status
        self.status_changed.emit(status)
        if status.rejected != self._last_rejected:
            self._last_rejected = status.rejected
            cache = self.cache
            self.tasks.run_serial(lambda: cache.rejected_checks(), self.rejected_rows_changed.emit, _ignore)
        self.tasks.run_serial(self._read_policy, self._set_policy, _ignore)
        if status.session_expired and not self._expired_reported:
            self._expired_reported = True
            self.session_expired.emit()

    def _read_policy(self) -> VenuePolicy:
        config = self.cache.venue_config(self.post.venue_id)
        return config.policy if config is not None else VenuePolicy()

    def _set_policy(self, policy: VenuePolicy) -> None:
        if policy != self.policy:
            self.policy = policy
            self.policy_changed.emit(policy)


def _ignore(_error: Exception) -> None:
    """Status refreshes are best effort: the next status brings them again."""
