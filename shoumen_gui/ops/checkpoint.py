"""One checkpoint's operations (station.py, the facade the workbench talks to).

A check runs on the CACHE lane: it is committed to the local cache before it is shown, one at
a time, in the order the guard scanned. Gate commands run on the GATE lane (one thread, in
order): a gate that hangs until its timeout delays neither the next check nor a request. A sync
round asked for by hand is a request (NETWORK); stopping the engine waits for the cache lane's
earlier work (CACHE), so a check still being committed is pushed next time.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING

from shoumen_core.identity import DocumentKind
from shoumen_core.policy import VenuePolicy
from shoumen_gui.ops.core import operation
from shoumen_gui.services.cache import LocalCache
from shoumen_gui.services.gate import GateConfig, GateController, GateResult, SecretLoader, make_gate
from shoumen_gui.services.storage import StorageStatus, probe_storage
from shoumen_gui.tasks import Lane

if TYPE_CHECKING:  # imported by the station when it opens, not at app start
    from shoumen_gui.services.cache_rows import RejectedRow
    from shoumen_gui.services.checks import CheckContext, CheckResult, CheckService
    from shoumen_gui.services.sync import SyncEngine, SyncStatus

# --- the station's life ------------------------------------------------------------------------


@operation(Lane.CACHE)
def open_station(build: Callable[[], VenuePolicy]) -> VenuePolicy:
    """Build the check service, sync engine and gate, pull once; the venue's policy."""
    return build()


@operation(Lane.CACHE)
def stop_sync(sync: SyncEngine | None) -> None:
    if sync is not None:
        sync.stop()


# --- checks and the outbox ---------------------------------------------------------------------


@operation(Lane.CACHE)
def check_document(
    checks: CheckService, number: str, kind: DocumentKind | None, temperature: float | None
) -> CheckResult:
    return checks.check_document(number, kind, temperature)


@operation(Lane.CACHE)
def check_text(checks: CheckService, text: str, temperature: float | None) -> CheckResult:
    return checks.check_text(text, temperature)


@operation(Lane.CACHE)
def pending_count(cache: LocalCache) -> int:
    return cache.pending_count()


@operation(Lane.CACHE)
def rejected_checks(cache: LocalCache) -> list[RejectedRow]:
    return cache.rejected_checks()


@operation(Lane.CACHE)
def venue_policy(read: Callable[[], VenuePolicy]) -> VenuePolicy:
    return read()


@operation(Lane.CACHE)
def probe(cache: LocalCache, warn_below_bytes: int) -> StorageStatus:
    """Free space, and any checks held in memory written now that there is room."""
    return probe_storage(cache, warn_below_bytes)


@operation(Lane.NETWORK)
def sync_round(sync: SyncEngine) -> SyncStatus:
    return sync.sync_now()


# --- the gate ----------------------------------------------------------------------------------


@operation(Lane.GATE)
def gate_after_verdict(gate: GateController, result: CheckResult) -> GateResult:
    return gate.on_verdict(result)


@operation(Lane.GATE)
def gate_for_admit(gate: GateController, check_id: uuid.UUID) -> GateResult:
    return gate.open_for_admit(check_id)


@operation(Lane.GATE)
def gate_manual_open(
    gate: GateController, check_id: uuid.UUID | None, reason: str, context: CheckContext
) -> GateResult:
    return gate.manual_open(check_id, reason, context)


@operation(Lane.GATE)
def gate_test(gate: GateController) -> GateResult:
    return gate.test()


@operation(Lane.GATE)
def gate_test_config(config: GateConfig, secrets: SecretLoader | None) -> GateResult:
    """测试闸机 before the station opened: a gate of its own, once."""
    adapter = make_gate(config, secrets)
    try:
        return adapter.test()
    finally:
        adapter.close()


@operation(Lane.GATE)
def gate_close(gate: GateController) -> None:
    gate.close()


@operation(Lane.GATE)
def gate_swap(gate: GateController, config: GateConfig, secrets: SecretLoader | None) -> GateConfig:
    """Another gate for the post, after any command already waiting; the config now built."""
    gate.set_gate(make_gate(config, secrets))
    return config
