"""A staff station wired like the app (cache, client, connectivity, check service), for tests
against a live server."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shoumen_core.timeutil import utcnow
from shoumen_gui.services.api import ApiClient
from shoumen_gui.services.cache import LocalCache
from shoumen_gui.services.checks import CheckContext, CheckService
from shoumen_gui.services.connectivity import Connectivity
from tests.gui.services.live_server import GUARD_PHONE, LiveServer


@dataclass
class Station:
    """One staff station: cache, client, connectivity and check service, set up like the app."""

    cache: LocalCache
    api: ApiClient
    connectivity: Connectivity
    service: CheckService
    user_id: int
    venue_id: int


def make_station(live: LiveServer, tmp_path: Path, phone: str = GUARD_PHONE) -> Station:
    cache = LocalCache.open(tmp_path / f"station-{phone}.db")
    api = live.login(phone)
    user_id = api.auth.me().user.id
    venue_id = live.hospital_id
    cache.apply_pull(venue_id, api.sync.pull(venue_id, ""), utcnow(), user_id=user_id)
    connectivity = Connectivity()
    service = CheckService(cache, api, connectivity)
    service.set_context(CheckContext(venue_id, live.checkpoint_ids(venue_id)[0], user_id, cache.device_id()))
    return Station(cache, api, connectivity, service, user_id, venue_id)


def spy(calls: list[tuple[Any, ...]], real: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a bound method: record each call's arguments, then call it."""

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        calls.append(args)
        return real(*args, **kwargs)

    return wrapper
