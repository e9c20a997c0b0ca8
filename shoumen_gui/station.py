"""One guard at one checkpoint: the services of a working session, driven through tasks.py.

The station owns the CheckService and the SyncEngine for the chosen venue and checkpoint and
turns their worker-thread callbacks into Qt signals on the GUI thread. Widgets talk to the
station, never to a service directly, so no service call can end up on the GUI thread.

It also owns the post's gate (services/gate.py): gate commands block up to the gate's timeout,
so they run on the task manager's gate lane — never on the GUI thread, never on the serial
database worker (a hanging gate must not delay the next check).
"""

from __future__ import annotations

import logging
import sqlite3
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer, Signal

from shoumen_core.identity import DocumentKind
from shoumen_core.policy import VenuePolicy, VerdictLevel
from shoumen_core.schemas import CheckpointOut, ManualDecision, MembershipOut, UserOut
from shoumen_gui.ops import checkpoint as checkpoint_ops
from shoumen_gui.services.api import ApiClient
from shoumen_gui.services.cache import LocalCache
from shoumen_gui.services.connectivity import Connectivity
from shoumen_gui.services.errors import ServiceError
from shoumen_gui.services.gate import (
    DEVICE_ERROR,
    NO_GATE_RESULT,
    NOT_PASS_RESULT,
    GateConfig,
    GateController,
    GateKind,
    GateResult,
    SecretLoader,
    make_gate,
)
from shoumen_gui.services.storage import DEFAULT_WARN_BELOW_MB, MIB, StorageStatus
from shoumen_gui.tasks import TaskManager

if TYPE_CHECKING:
    from shoumen_gui.services.checks import CheckContext, CheckResult, CheckService
    from shoumen_gui.services.sync import SyncEngine, SyncStatus

log = logging.getLogger("shoumen.gui.station")

RETENTION_DAYS = 28  # DESIGN §5: synced check records leave the device after this

GateCallback = Callable[[GateResult], None]

# Free space is measured every STORAGE_PROBE_MS; while checks are held in memory (or space is
# low) every STORAGE_PROBE_URGENT_MS, so they are written within seconds of space returning.
STORAGE_PROBE_MS = 60_000
STORAGE_PROBE_URGENT_MS = 3_000


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
    gate_changed = Signal(object)  # GateKind: set_gate() gave this post a new gate configuration
    storage_changed = Signal(object)  # StorageStatus: free space and the checks held in memory

    def __init__(
        self,
        tasks: TaskManager,
        api: ApiClient,
        cache: LocalCache,
        connectivity: Connectivity,
        post: Post,
        *,
        sync_options: dict[str, Any] | None = None,
        gate_config: GateConfig | None = None,
        gate_secrets: SecretLoader | None = None,
        storage_warn_bytes: int = DEFAULT_WARN_BELOW_MB * MIB,
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
        self.gate: GateController | None = None
        self._gate_config = gate_config or GateConfig()
        self._gate_secrets = gate_secrets
        self._gate_built: GateConfig | None = None  # the configuration the controller's gate is from
        self._context: CheckContext | None = None
        self.last_status: SyncStatus | None = None
        self._sync_options = {"retention_days": RETENTION_DAYS, **(sync_options or {})}
        self._expired_reported = False
        self._last_rejected = -1
        self._closed = False
        self.storage_warn_bytes = storage_warn_bytes
        self.last_storage: StorageStatus | None = None
        self.storage_timer = QTimer(self)
        self.storage_timer.setInterval(STORAGE_PROBE_MS)
        self.storage_timer.timeout.connect(self.check_storage)

    # --- lifecycle -------------------------------------------------------------------------

    def open(self, *, first_round: bool = True) -> None:
        """Build the services, pull once (so the policy and trust list are known), start syncing.

        Offline is fine: the check service works from the cache. Emits `ready` or `failed`.
        first_round=False: open from the cache alone (the backend is still starting); the sync
        engine's own first round pulls.
        """
        checkpoint_ops.open_station(lambda: self._open_in_worker(first_round)).success(
            self._on_opened
        ).failure(self._on_open_failed).run(self.tasks)

    def _open_in_worker(self, first_round: bool) -> VenuePolicy:
        from shoumen_gui.services.checks import CheckContext, CheckService
        from shoumen_gui.services.sync import SyncEngine

        post = self.post
        checks = CheckService(self.cache, self.api, self.connectivity)
        context = CheckContext(
            venue_id=post.venue_id,
            checkpoint_id=post.checkpoint_id,
            user_id=post.user.id,
            device_id=self.cache.device_id(),
        )
        checks.set_context(context)
        sync = SyncEngine(self.cache, self.api, self.connectivity, **self._sync_options)
        sync.on_status(self._on_status_in_worker)
        checks.on_committed.append(lambda _record_id: sync.nudge())
        config = self._gate_config
        gate = GateController(make_gate(config, self._gate_secrets), self.cache)
        gate.on_recorded.append(lambda _record_id: sync.nudge())
        self._context, self.gate, self._gate_built = context, gate, config
        if first_round:
            status = sync.sync_now(post.venue_id, post.user.id)  # offline is fine: the cache answers
            if status.message:
                log.info("first sync round: %s", status.message)
        self.checks, self.sync = checks, sync
        return self._read_policy()

    def _on_opened(self, policy: VenuePolicy) -> None:
        if self._closed:  # closed while it opened: close() found no gate to release, no engine to stop
            if self.gate is not None:
                checkpoint_ops.gate_close(self.gate).failure(_log_gate_close_failure).run(self.tasks)
            if self.sync is not None:  # never started: stop() only ends its connectivity listening
                self.sync.stop()
            return
        assert self.sync is not None
        self.sync.start(self.post.venue_id, self.post.user.id)
        if self._gate_built != self._gate_config:  # set_gate() came while the station opened
            self.set_gate(self._gate_config, self._gate_secrets)
        self._set_policy(policy)
        self.storage_timer.start()
        self.check_storage()
        self.ready.emit()

    def _on_open_failed(self, error: Exception) -> None:
        log.warning("station could not open: %s", type(error).__name__)
        self.failed.emit(error)

    def close(self, on_closed: Callable[[], None] | None = None) -> None:
        """Stop syncing (off the GUI thread); pending checks stay in the cache for next time."""
        self._closed = True
        self.storage_timer.stop()
        sync, gate = self.sync, self.gate
        if gate is not None:  # after any command still waiting on the gate lane
            checkpoint_ops.gate_close(gate).failure(_log_gate_close_failure).run(self.tasks)
        checkpoint_ops.stop_sync(sync).success(lambda _: on_closed() if on_closed else None).run(self.tasks)

    def close_now(self) -> None:
        """At exit only: stop syncing and release the gate on the calling thread (a command in
        flight ends within its timeout first)."""
        self._closed = True
        self.storage_timer.stop()
        if self.sync is not None:
            self.sync.stop()
        if self.gate is not None:
            self.gate.close()

    # --- checks ------------------------------------------------------------------------------

    def check_document(
        self,
        number: str,
        kind: DocumentKind | None,
        on_result: Callable[[CheckResult], None],
        on_failure: Callable[[Exception], None],
        temperature: float | None = None,
    ) -> None:
        checks = self._require_checks()
        checkpoint_ops.check_document(checks, number, kind, temperature).success(on_result).failure(
            on_failure
        ).run(self.tasks)

    def check_text(
        self,
        text: str,
        on_result: Callable[[CheckResult], None],
        on_failure: Callable[[Exception], None],
        temperature: float | None = None,
    ) -> None:
        checks = self._require_checks()
        checkpoint_ops.check_text(checks, text, temperature).success(on_result).failure(on_failure).run(
            self.tasks
        )

    def record_manual_decision(self, record_id: uuid.UUID, decision: ManualDecision) -> None:
        """Runs on the cache lane (the result panel runs it as ops.station.record_decision)."""
        self._require_checks().record_manual_decision(record_id, decision)

    def refresh_pending(self) -> None:
        """Count the outbox now: the sync engine only reports when it runs, and while offline it
        waits out its back-off, but the guard should see each new check counted at once."""
        checkpoint_ops.pending_count(self.cache).success(self.pending_changed.emit).failure(_ignore).run(
            self.tasks
        )

    def sync_now(self, on_done: Callable[[Any], None] | None = None) -> None:
        sync = self.sync
        if sync is not None:
            checkpoint_ops.sync_round(sync).success(on_done or _nothing).failure(lambda _error: None).run(
                self.tasks
            )

    def nudge_sync(self) -> None:
        """Push soon: e.g. after an anomaly registration was saved (checks nudge by themselves)."""
        if self.sync is not None:
            self.sync.nudge()

    # --- storage -------------------------------------------------------------------------------

    def check_storage(self) -> None:
        """Measure free space and write any held checks, on the cache lane; storage_changed
        follows on the GUI thread. The timer calls this; so does the workbench after a check
        could not be saved (the status bar then counts it at once)."""
        if self._closed:
            return
        checkpoint_ops.probe(self.cache, self.storage_warn_bytes).success(self._on_storage).failure(
            _ignore
        ).run(self.tasks)

    def _on_storage(self, status: StorageStatus) -> None:
        if self._closed:
            return
        self.last_storage = status
        urgent = bool(status.held) or status.low
        self.storage_timer.setInterval(STORAGE_PROBE_URGENT_MS if urgent else STORAGE_PROBE_MS)
        if status.written:
            log.info("%d held checks written; syncing them", len(status.written))
            self.nudge_sync()
            self.refresh_pending()
        self.storage_changed.emit(status)

    # --- the gate ---------------------------------------------------------------------------

    @property
    def gate_kind(self) -> GateKind:
        """The kind of gate configured at this post (NONE: no gate line, no 手动开闸)."""
        return self._gate_config.kind

    @property
    def gate_config(self) -> GateConfig:
        return self._gate_config

    def open_gate_for(self, result: CheckResult, on_done: GateCallback) -> None:
        """After a check was shown: PASS opens the gate (on the gate lane); any other verdict
        leaves it closed and is answered at once. `on_done` runs on the GUI thread."""
        gate = self.gate
        if gate is None or self.gate_kind is GateKind.NONE:
            on_done(NO_GATE_RESULT)
            return
        if result.level is not VerdictLevel.PASS:
            on_done(NOT_PASS_RESULT)  # nothing to send: the gate stays as it is, closed
            return
        checkpoint_ops.gate_after_verdict(gate, result).success(on_done).failure(_gate_failure(on_done)).run(
            self.tasks
        )

    def open_for_admit(self, check_id: uuid.UUID, on_done: GateCallback) -> None:
        """人工放行 recorded for a check: the gate opens once for it (the decision is the reason,
        no dialog). `on_done` runs on the GUI thread."""
        gate = self.gate
        if gate is None or self.gate_kind is GateKind.NONE:
            on_done(NO_GATE_RESULT)
            return
        checkpoint_ops.gate_for_admit(gate, check_id).success(on_done).failure(_gate_failure(on_done)).run(
            self.tasks
        )

    def manual_open(self, check_id: uuid.UUID | None, reason: str, on_done: GateCallback) -> None:
        """手动开闸 for a check (any verdict), or for a visitor without one (check_id None: a
        new MANUAL record). The reason is recorded with the opening and synced."""
        gate, context = self.gate, self._context
        if gate is None or context is None:
            on_done(NO_GATE_RESULT)
            return
        checkpoint_ops.gate_manual_open(gate, check_id, reason, context).success(on_done).failure(
            _gate_failure(on_done)
        ).run(self.tasks)

    def test_gate(self, on_done: GateCallback) -> None:
        """测试闸机 with the post's gate: the link only, nothing opens."""
        gate = self.gate
        if gate is not None:
            checkpoint_ops.gate_test(gate).success(on_done).failure(_gate_failure(on_done)).run(self.tasks)
            return
        checkpoint_ops.gate_test_config(self._gate_config, self._gate_secrets).success(on_done).failure(
            _gate_failure(on_done)
        ).run(self.tasks)

    def set_gate(self, config: GateConfig, secrets: SecretLoader | None) -> None:
        """Another gate for this post (the settings changed). GUI thread; the adapter is built
        and swapped on the gate lane, after any command already waiting there."""
        self._gate_config, self._gate_secrets = config, secrets
        gate = self.gate
        if gate is not None and not self._closed:
            checkpoint_ops.gate_swap(gate, config, secrets).success(self._on_gate_built).failure(
                _log_gate_close_failure
            ).run(self.tasks)
        self.gate_changed.emit(config.kind)

    def _on_gate_built(self, config: GateConfig) -> None:
        self._gate_built = config

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
            checkpoint_ops.rejected_checks(self.cache).success(self.rejected_rows_changed.emit).failure(
                _ignore
            ).run(self.tasks)
        checkpoint_ops.venue_policy(self._read_policy).success(self._set_policy).failure(_ignore).run(
            self.tasks
        )
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


def _nothing(_: object) -> None:
    pass


def _ignore(_error: Exception) -> None:
    """Status refreshes are best effort: the next status brings them again."""


def _gate_failure(on_done: GateCallback) -> Callable[[Exception], None]:
    """A gate command that raised (the cache could not record the opening): the gate did not
    open, and the guard is told so. Anything else is a bug, for the crash handler."""

    def failed(error: Exception) -> None:
        if not isinstance(error, ServiceError | sqlite3.Error | OSError):
            raise error
        log.warning("gate command failed (%s)", type(error).__name__)
        on_done(GateResult.no_response(DEVICE_ERROR, "无法记录开闸"))

    return failed


def _log_gate_close_failure(error: Exception) -> None:
    log.warning("gate could not be released (%s)", type(error).__name__)
