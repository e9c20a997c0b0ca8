"""The workbench's operations: anomaly registrations, statistics, a guard's decision.

What this device keeps runs on the CACHE lane (one thread, in order: a registration and the
paper check it links to are committed one after the other); what the server answers, on the
NETWORK pool.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime

from shoumen_core.schemas import AbnormalItem, AnomalyIn, AnomalyOut, ManualDecision
from shoumen_gui.ops.core import operation
from shoumen_gui.services import anomalies as edit
from shoumen_gui.services import stats as data
from shoumen_gui.services.anomalies import Base, Draft
from shoumen_gui.services.api import ApiClient
from shoumen_gui.services.cache import LocalAnomaly, LocalCache
from shoumen_gui.services.connectivity import Connectivity
from shoumen_gui.services.errors import OfflineError
from shoumen_gui.tasks import Lane

# --- 核查登记 ----------------------------------------------------------------------------------


@operation(Lane.CACHE)
def build_anomaly(cache: LocalCache, base: Base, draft: Draft, now: datetime) -> AnomalyIn:
    """The registration as sent (sealed to the venue's key from the cache)."""
    key, policy = edit.venue_sealing(cache, base.venue_id)
    return edit.build_anomaly(base, draft, now, sealing_key=key, policy=policy)


@operation(Lane.CACHE)
def save_new_anomaly(cache: LocalCache, base: Base, draft: Draft, now: datetime, user_id: int) -> AnomalyIn:
    """Build and keep a registration. FAQ 6 without a check: the paper check is recorded first
    and linked, so the visitor counts in the day's figures (both on the one cache lane)."""
    anomaly = build_anomaly.work(cache, base, draft, now)  # type: ignore[attr-defined]
    if edit.needs_paper_check(base, draft):  # built first: a refusal (no sealing key) leaves no orphan check
        record = edit.paper_check(base, draft, now, cache.device_id())
        cache.add_check(record, user_id)
        anomaly = anomaly.model_copy(update={"check_id": record.id})
    return edit.save_local(cache, anomaly, user_id)


@operation(Lane.CACHE)
def keep_anomaly(cache: LocalCache, anomaly: AnomalyIn, user_id: int) -> AnomalyIn:
    return edit.save_local(cache, anomaly, user_id)


@operation(Lane.NETWORK)
def put_anomaly(api: ApiClient, anomaly: AnomalyIn) -> tuple[AnomalyIn, AnomalyOut]:
    return anomaly, edit.put_online(api, anomaly)


@operation(Lane.CACHE)
def local_anomaly(cache: LocalCache, anomaly_id: uuid.UUID) -> LocalAnomaly | None:
    return cache.anomaly(anomaly_id)


@operation(Lane.NETWORK)
def server_anomaly(api: ApiClient, venue_id: int, anomaly_id: uuid.UUID) -> AnomalyOut:
    return edit.fetch_server(api, venue_id, anomaly_id)


# --- 统计 -------------------------------------------------------------------------------------

LocalStats = tuple[data.CountsAnswer, list[AbnormalItem], dict[uuid.UUID, str]]


@operation(Lane.CACHE)
def local_stats(cache: LocalCache, q: data.StatsQuery) -> LocalStats:
    local = data.local_abnormal(cache, q)
    states = data.anomaly_states(cache, data.registered_ids(local))
    return data.local_counts(cache, q), local, states


@operation(Lane.NETWORK)
def server_stats(
    api: ApiClient, connectivity: Connectivity, q: data.StatsQuery, with_counts: bool
) -> tuple[data.CountsAnswer | None, list[AbnormalItem]]:
    """The outcome goes to the station's one connectivity state (the status bar's): an answer
    brings it online, a lost request counts towards offline."""
    try:
        counts = data.server_counts(api, q) if with_counts else None
        answer = counts, data.server_abnormal(api, q)
    except OfflineError:
        connectivity.record_failure()
        raise
    connectivity.record_success()
    return answer


@operation(Lane.CACHE)
def anomaly_states(cache: LocalCache, ids: set[uuid.UUID]) -> dict[uuid.UUID, str]:
    return data.anomaly_states(cache, ids)


# --- the result panel ------------------------------------------------------------------------


@operation(Lane.CACHE)
def record_decision(
    recorder: Callable[[uuid.UUID, ManualDecision], None], record_id: uuid.UUID, decision: ManualDecision
) -> None:
    """人工放行 / 劝返 on the check's row (Station.record_manual_decision: a cache write)."""
    recorder(record_id, decision)
