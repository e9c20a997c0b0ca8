"""Where the statistics tab gets its figures, without Qt (the functions run on workers).

DESIGN §4: the unit scope of today is the server's counts from the last pull plus this device's
rows the server has not counted yet (LocalCache.day_counts): it works offline, where it carries
a "截至 HH:MM" stamp. Online, other days (and a checkpoint filter, which the pull does not carry)
come from the API. The abnormal drill-down is the server's list merged with this device's rows
that have not reached it, with the state of each registration as this device knows it.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Final

from shoumen_core.policy import VerdictLevel
from shoumen_core.schemas import AbnormalItem, DayCounts, StatsScope
from shoumen_gui.services.api import ApiClient
from shoumen_gui.services.cache import LocalCache
from shoumen_gui.textmarks import QT_TRANSLATE_NOOP


class Registration(StrEnum):
    NONE = "none"
    SAVED = "saved"  # on the server
    PENDING = "pending"  # saved here, not yet on the server
    CONFLICT = "conflict"  # a local edit the server refused: someone else changed it first
    REJECTED = "rejected"


REGISTRATION_WORDS: Final[dict[Registration, str]] = {
    Registration.NONE: QT_TRANSLATE_NOOP("shoumen", "未登记"),
    Registration.SAVED: QT_TRANSLATE_NOOP("shoumen", "已登记"),
    Registration.PENDING: QT_TRANSLATE_NOOP("shoumen", "已登记（待同步）"),
    Registration.CONFLICT: QT_TRANSLATE_NOOP("shoumen", "登记冲突，请处理"),
    Registration.REJECTED: QT_TRANSLATE_NOOP("shoumen", "登记被拒绝"),
}

ABNORMAL_LEVELS: Final = frozenset({VerdictLevel.DENY, VerdictLevel.CANNOT_VERIFY})  # DayCounts.abnormal

_STATES: Final[dict[str, Registration]] = {
    "pending": Registration.PENDING,
    "conflict": Registration.CONFLICT,
    "rejected": Registration.REJECTED,
    "synced": Registration.SAVED,
}


@dataclass(frozen=True)
class StatsQuery:
    venue_id: int
    user_id: int
    day: date
    scope: StatsScope
    checkpoint_id: int | None
    today: date

    @property
    def personal_user(self) -> int | None:
        return self.user_id if self.scope is StatsScope.PERSONAL else None

    def wants_server_counts(self) -> bool:
        """Online, these counts come from the API rather than the cache."""
        return self.day != self.today or self.checkpoint_id is not None


@dataclass(frozen=True)
class CountsAnswer:
    counts: DayCounts
    live: bool  # straight from the server
    as_of: datetime | None  # the last pull (for the cache's answer)


@dataclass(frozen=True)
class AbnormalRow:
    item: AbnormalItem
    registration: Registration


def local_counts(cache: LocalCache, q: StatsQuery) -> CountsAnswer:
    counts = cache.day_counts(q.venue_id, q.day, q.scope, q.user_id, q.checkpoint_id)
    return CountsAnswer(counts, False, cache.counts_as_of(q.venue_id))


def server_counts(api: ApiClient, q: StatsQuery) -> CountsAnswer:
    return CountsAnswer(api.stats.day(q.venue_id, q.day, q.scope, q.checkpoint_id).counts, True, None)


def server_abnormal(api: ApiClient, q: StatsQuery) -> list[AbnormalItem]:
    """The server lists every check that did not pass; the drill-down of 检测异常 keeps the
    levels that counter counts (DENY, CANNOT_VERIFY), as the cache's offline list does."""
    items = [
        item for item in api.stats.abnormal(q.venue_id, q.day, q.scope).items if item.level in ABNORMAL_LEVELS
    ]
    if q.checkpoint_id is not None:
        items = [item for item in items if item.checkpoint_id == q.checkpoint_id]
    return items


def local_abnormal(cache: LocalCache, q: StatsQuery) -> list[AbnormalItem]:
    items = cache.abnormal_local(q.venue_id, q.day, q.personal_user)
    if q.checkpoint_id is not None:
        items = [item for item in items if item.checkpoint_id == q.checkpoint_id]
    return items


def anomaly_states(cache: LocalCache, ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, str]:
    """The local state of each registration this device holds (others are left out)."""
    states: dict[uuid.UUID, str] = {}
    for anomaly_id in ids:
        local = cache.anomaly(anomaly_id)
        if local is not None:
            states[anomaly_id] = local.state
    return states


def registered_ids(*lists: Iterable[AbnormalItem]) -> set[uuid.UUID]:
    return {item.anomaly_id for items in lists for item in items if item.anomaly_id is not None}


def merge(
    server: list[AbnormalItem] | None, local: list[AbnormalItem], states: dict[uuid.UUID, str]
) -> list[AbnormalRow]:
    """Server rows, plus local rows it does not have yet; a registration known here wins (it
    may not have been pushed). Newest first."""
    by_check: dict[uuid.UUID, AbnormalItem] = {item.check_id: item for item in server or []}
    for item in local:
        known = by_check.get(item.check_id)
        if known is None or (item.anomaly_id is not None and known.anomaly_id is None):
            by_check[item.check_id] = item
    items = sorted(by_check.values(), key=lambda item: (item.checked_at, item.check_id), reverse=True)
    return [AbnormalRow(item, registration_of(item, states)) for item in items]


def registration_of(item: AbnormalItem, states: dict[uuid.UUID, str]) -> Registration:
    if item.anomaly_id is None:
        return Registration.NONE
    return _STATES.get(states.get(item.anomaly_id, "synced"), Registration.SAVED)
