"""Issue 17 §5: codes from the core and the services become words in the app's language in
ui/texts.py. In English every verdict reason, service error, gate outcome and sync state has
English words; in Chinese the core's own words are shown unchanged."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtCore import QCoreApplication

from shoumen_core.policy import (
    CodeColour,
    Finding,
    HealthSnapshot,
    NatResult,
    TravelStatus,
    Vaccination,
    VaccinationRequirement,
    VenuePolicy,
    VerdictLevel,
    evaluate,
)
from shoumen_gui.i18n import install_translator
from shoumen_gui.paths import resources_dir
from shoumen_gui.services import errors
from shoumen_gui.ui import texts

CJK = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f]")
NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)


def every_finding() -> list[Finding]:
    """The findings of every branch of shoumen_core.policy.evaluate."""
    found: dict[tuple[str, str, tuple[tuple[str, str], ...]], Finding] = {}
    nats = [
        (None, None),
        (NOW - timedelta(hours=5), NatResult.NEGATIVE),
        (NOW - timedelta(hours=100), NatResult.NEGATIVE),
        (NOW - timedelta(hours=48, minutes=30), NatResult.NEGATIVE),
        (NOW - timedelta(hours=3), NatResult.PENDING),
        (None, NatResult.PENDING),
        (None, NatResult.NEGATIVE),
        (NOW - timedelta(hours=3), NatResult.POSITIVE),
        (NOW + timedelta(hours=3), NatResult.NEGATIVE),
    ]
    policies = [
        VenuePolicy(
            nat_window_hours=window,
            vaccination_required=required,
            travel_card_required=travel,
            yellow_action=action,
            missing_code_action=action,
        )
        for window, required, travel, action in itertools.product(
            (48, None), VaccinationRequirement, (True, False), VerdictLevel
        )
    ]
    # Each source's finding depends on its own data and the policy only: vary one at a time.
    snapshots = [HealthSnapshot(code_colour=colour) for colour in CodeColour]
    snapshots += [HealthSnapshot(vaccination=vaccination) for vaccination in Vaccination]
    snapshots += [HealthSnapshot(nat_sampled_at=sampled, nat_result=result) for sampled, result in nats]
    snapshots += [HealthSnapshot(travel=travel) for travel in TravelStatus]
    snapshots += [HealthSnapshot(temperature=celsius) for celsius in (36.5, 37.3, 38.2, 50.0)]
    for policy, snapshot in itertools.product(policies, snapshots):
        for finding in evaluate(snapshot, policy, NOW).findings:
            found.setdefault((finding.reason, finding.state, tuple(sorted(finding.args.items()))), finding)
    return list(found.values())


FINDINGS = every_finding()


@pytest.fixture
def english(qapp: QCoreApplication) -> Iterator[None]:
    translator = install_translator(qapp, "en", resources_dir() / "translations")
    assert translator is not None
    yield
    qapp.removeTranslator(translator)


@pytest.mark.usefixtures("english")
def test_every_verdict_reason_has_english_words() -> None:
    assert len(FINDINGS) > 40
    for finding in FINDINGS:
        words = texts.finding_words(finding)
        assert words != finding.message and not CJK.search(words), (finding, words)
    nat = next(f for f in FINDINGS if f.reason == "nat_too_old" and f.args.get("hours") == "100")
    assert texts.finding_words(nat) == "NAT 100 h ago, over 48 h"
    fever = next(f for f in FINDINGS if f.reason == "temperature_fever" and f.args.get("celsius") == "38.2")
    assert texts.finding_words(fever) == "Temperature 38.2 °C, above 37.3 °C"
    for level in VerdictLevel:
        assert not CJK.search(texts.level_words(level))


def test_in_chinese_the_cores_own_words_are_shown() -> None:
    for finding in FINDINGS:
        assert texts.finding_words(finding) == finding.message
    error = errors.StorageFull()
    assert texts.error_words(error) == error.message


@pytest.mark.usefixtures("english")
def test_every_service_error_gate_outcome_and_sync_state_has_english_words() -> None:
    kinds = [errors.ServiceError, errors.OfflineError, errors.CertificateUntrusted, errors.CaFileError]
    kinds += [errors.PermissionDenied, errors.ServerRejected, errors.RateLimited, errors.InputRejected]
    kinds += [errors.CacheError, errors.StorageError, errors.StorageFull, errors.StorageReadOnly]
    kinds += [errors.StorageIOError, errors.SessionExpired]
    for kind in kinds:
        words = texts.error_words(kind())
        assert not CJK.search(words), (kind, words)
    assert not CJK.search(texts.error_words(errors.ServerBusy(retry_after=5)))
    for code in ("empty", "too_long", "venue_code_given", "web_address", "not_health_code", "bad_checksum"):
        assert not CJK.search(texts.error_words(errors.InputRejected("中文", code=code))), code
    for code in texts._GATE:
        assert not CJK.search(texts.gate_words(code, "中文")), code
    states = {
        "epoch_reset": {},
        "trust_root_changed": {"root": "root-2"},
        "session_expired": {},
        "clock_skew": {"minutes": "7"},
        "sync_error": {"error": "offline", "message": "中文", "retry": "4"},
    }
    for state, args in states.items():
        assert not CJK.search(texts.sync_words(state, args, "中文")), state
    assert texts.sync_words("sync_error", states["sync_error"], "") == (
        "Cannot reach the server; switched to offline mode (retry in 4 s)"
    )


def test_every_document_kind_of_the_core_has_english_words(english: None) -> None:
    from shoumen_core.identity import DOCUMENT_KIND_NAMES
    from shoumen_gui.ui.texts import document_kind_words

    for name in DOCUMENT_KIND_NAMES.values():
        words = document_kind_words(name)
        assert words and words != name and not CJK.search(words), name
