"""Issue 13 §1: a lookup the backend refuses for its rate limits (429 lookup_rate_limited) is
"cannot verify now" at the station — grey, a manual decision, committed like any check — never
a pass from the code's signed snapshot, and the station stays online. Through a real backend
whose staff bucket holds two lookups."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from shoumen_core.policy import VerdictLevel
from shoumen_core.schemas import LookupRequest, ManualDecision
from shoumen_gui.services.checks import MSG_RATE_LIMITED, ResultSource
from shoumen_gui.services.errors import RateLimited
from shoumen_server.seed import DEMO_PATHS_BY_KEY
from tests.gui.services.live_server import LiveServer, start_live_server
from tests.gui.services.station import Station

TINY = {"lookup_staff_burst": 2, "lookup_staff_per_minute": 0.001}


@pytest.fixture
def live(tmp_path: Path) -> Iterator[LiveServer]:
    server = start_live_server(tmp_path, settings=TINY)
    yield server
    server.close()


def _spend_the_bucket(live: LiveServer, station: Station) -> None:
    for _ in range(2):
        result = station.service.check_text(live.code_for("green_fresh"))
        assert result.source is ResultSource.ONLINE and result.level is VerdictLevel.PASS


def test_rate_limited_code_is_grey_never_a_pass(live: LiveServer, station: Station) -> None:
    _spend_the_bucket(live, station)
    result = station.service.check_text(live.code_for("green_fresh"))  # a valid green code
    assert result.level is VerdictLevel.CANNOT_VERIFY
    assert result.source is ResultSource.RATE_LIMITED
    assert result.needs_manual_decision
    assert MSG_RATE_LIMITED in result.headline
    assert [f.reason for f in result.findings] == ["lookup_rate_limited"]
    assert result.masked_name.endswith("*")  # from the verified code: the guard sees who it is
    assert station.connectivity.online  # a refusal is not an outage
    stored = station.cache.check(result.record_id)
    assert stored is not None and stored.record.level is VerdictLevel.CANNOT_VERIFY
    assert stored.record.person_ref  # counted as a person once pushed
    station.service.record_manual_decision(result.record_id, ManualDecision.ADMIT)
    decided = station.cache.check(result.record_id)
    assert decided is not None and decided.record.manual_decision is ManualDecision.ADMIT


def test_rate_limited_document_is_grey_and_kept_sealed(live: LiveServer, station: Station) -> None:
    _spend_the_bucket(live, station)
    number = DEMO_PATHS_BY_KEY["green_fresh"].number
    result = station.service.check_document(number)
    assert (result.level, result.source) == (VerdictLevel.CANNOT_VERIFY, ResultSource.RATE_LIMITED)
    assert result.needs_manual_decision and result.masked_id and number not in result.masked_id
    stored = station.cache.check(result.record_id)
    assert stored is not None and stored.record.sealed_document  # only the backend can read it


def test_rate_limited_with_a_fever_still_turns_away(live: LiveServer, station: Station) -> None:
    _spend_the_bucket(live, station)
    result = station.service.check_text(live.code_for("green_fresh"), temperature=38.2)
    assert result.level is VerdictLevel.DENY


def test_api_maps_429_to_rate_limited(live: LiveServer, station: Station) -> None:
    _spend_the_bucket(live, station)
    with pytest.raises(RateLimited) as caught:
        # 30 s, not the station's 1 s: the answer's code is tested, not its speed on a busy machine.
        request = LookupRequest(personal_code=live.code_for("green_fresh"))
        station.api.checks.lookup(station.venue_id, request, timeout=30.0)
    assert (caught.value.code, caught.value.status) == ("lookup_rate_limited", 429)
    assert "人工核验" in caught.value.message
