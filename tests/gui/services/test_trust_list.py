"""Issue 13 §3: the station stores a trust list only if the pinned root signed it and it is not
older than the one it has — through a pull, through store_trust_list and through the sync
engine — and says so on the status bar; a forged code stays refused offline."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from shoumen_core.codes import SigningKey, TrustList
from shoumen_core.policy import VerdictLevel
from shoumen_core.schemas import PullResponse
from shoumen_core.timeutil import utcnow
from shoumen_core.trust import (
    OlderTrustList,
    UnknownTrustRoot,
    UnsignedTrustList,
    endorse_root,
    root_public_key,
    sign_trust_list,
)
from shoumen_gui.services.cache import LocalCache
from shoumen_gui.services.checks import CheckContext, CheckService
from shoumen_gui.services.connectivity import Connectivity
from shoumen_gui.services.errors import InputRejected
from shoumen_gui.services.sync import SyncEngine
from shoumen_gui.services.trust import builtin_roots
from shoumen_server.keys import provider_for
from shoumen_server.models import ServerMeta
from shoumen_server.trust_root import ENDORSEMENTS_KEY, rotate_trust_root
from tests.gui.services.conftest import (
    NOW,
    USER_ID,
    VENUE_ID,
    FakeClock,
    Issuer,
    green,
    pull_response,
)
from tests.gui.services.live_server import LiveServer
from tests.gui.services.station import Station

ATTACKER = SigningKey.generate("evil")


def attacker_list(issuer: Issuer, *, replace_k1: bool = False, version: int = 99) -> TrustList:
    """The issuer's keys plus the attacker's; with replace_k1 the attacker's key poses as k1."""
    window = (NOW - timedelta(days=1), NOW + timedelta(days=300))
    forged = SigningKey("k1", ATTACKER.private_key) if replace_k1 else ATTACKER
    keys = (forged.trusted_key(*window),) if replace_k1 else (*issuer.trust.keys, forged.trusted_key(*window))
    return issuer.trust.model_copy(update={"keys": keys, "version": version})


def injected_pull(issuer: Issuer, trust_list_json: str) -> PullResponse:
    return pull_response(issuer, cursor="epoch-1:2").model_copy(update={"trust_list": trust_list_json})


def offline(cache: LocalCache, clock: FakeClock | None = None) -> CheckService:
    service = CheckService(cache, None, Connectivity(online=False), clock or FakeClock())
    service.set_context(CheckContext(VENUE_ID, None, USER_ID, cache.device_id()))
    return service


def assert_previous_list_kept(cache: LocalCache, issuer: Issuer, code: str) -> None:
    config = cache.venue_config(VENUE_ID)
    assert config is not None and config.trust_list is not None
    assert config.trust_list.keys == issuer.trust.keys
    refusal = cache.trust_refusal()
    assert refusal is not None and refusal.code == code
    assert "已拒绝" in refusal.message and "离线核验仍用上一版" in refusal.message


def assert_forged_code_refused_offline(cache: LocalCache, issuer: Issuer) -> None:
    poser = SigningKey("k1", ATTACKER.private_key)
    with pytest.raises(InputRejected):  # claims k1, signed by the attacker: a bad signature
        offline(cache).check_text(issuer.code(green(), key=poser))
    stranger = offline(cache).check_text(issuer.code(green(), key=ATTACKER))
    assert stranger.level is VerdictLevel.CANNOT_VERIFY  # never PASS: its key is not trusted
    assert [f.reason for f in stranger.findings] == ["unknown_key"]
    assert offline(cache).check_text(issuer.code(green())).level is VerdictLevel.PASS  # the real one


# ---- the pull ---------------------------------------------------------------------------------


def test_first_pull_pins_the_root(cache: LocalCache, issuer: Issuer) -> None:
    cache.apply_pull(VENUE_ID, pull_response(issuer), NOW)
    pin = cache.root_pin()
    assert pin is not None and pin.public_key == root_public_key(issuer.root)
    assert pin.source == "first_contact" and cache.trust_refusal() is None


def test_an_unsigned_list_in_a_pull_is_refused(cache: LocalCache, issuer: Issuer) -> None:
    cache.apply_pull(VENUE_ID, pull_response(issuer), NOW)
    cache.apply_pull(VENUE_ID, injected_pull(issuer, attacker_list(issuer).to_json()), NOW)
    assert_previous_list_kept(cache, issuer, "trust_list_unsigned")
    assert cache.cursor(VENUE_ID) == "epoch-1:1"  # the next pull brings the list again
    assert_forged_code_refused_offline(cache, issuer)


def test_an_unsigned_list_on_first_contact_pins_nothing(cache: LocalCache, issuer: Issuer) -> None:
    cache.apply_pull(VENUE_ID, injected_pull(issuer, attacker_list(issuer).to_json()), NOW)
    config = cache.venue_config(VENUE_ID)
    assert config is not None and config.trust_list is None  # grey offline, never the attacker's keys
    assert cache.root_pin() is None
    assert cache.cursor(VENUE_ID) == ""


@pytest.mark.parametrize("replace_k1", [False, True])
def test_a_list_signed_by_an_attacker_key_is_refused(
    cache: LocalCache, issuer: Issuer, replace_k1: bool
) -> None:
    cache.apply_pull(VENUE_ID, pull_response(issuer), NOW)
    forged = sign_trust_list(attacker_list(issuer, replace_k1=replace_k1), ATTACKER).to_json()
    cache.apply_pull(VENUE_ID, injected_pull(issuer, forged), NOW)
    assert_previous_list_kept(cache, issuer, "trust_root_unknown")
    relabelled = json.loads(forged)
    relabelled["root_public_key"] = root_public_key(issuer.root)  # claims the pinned root
    cache.apply_pull(VENUE_ID, injected_pull(issuer, json.dumps(relabelled)), NOW)
    assert_previous_list_kept(cache, issuer, "trust_list_bad_signature")
    pin = cache.root_pin()
    assert pin is not None and pin.public_key == root_public_key(issuer.root)  # never replaced
    assert_forged_code_refused_offline(cache, issuer)


def test_an_older_version_through_a_pull_is_refused(cache: LocalCache, issuer: Issuer) -> None:
    current = issuer.trust.model_copy(update={"version": 5})
    cache.apply_pull(VENUE_ID, injected_pull(issuer, issuer.signed_trust(current)), NOW)
    # Signed by the genuine root, but an old list (e.g. replayed from before a key was dropped).
    old = attacker_list(issuer, version=4).model_copy(update={"issued_at": NOW + timedelta(hours=1)})
    cache.apply_pull(VENUE_ID, injected_pull(issuer, issuer.signed_trust(old)), NOW)
    config = cache.venue_config(VENUE_ID)
    assert config is not None and config.trust_list is not None
    assert config.trust_list.version == 5 and config.trust_list.keys == issuer.trust.keys
    refusal = cache.trust_refusal()
    assert refusal is not None and refusal.code == "trust_list_older"
    assert_forged_code_refused_offline(cache, issuer)


def test_an_old_list_cannot_come_back_through_another_venue(cache: LocalCache, issuer: Issuer) -> None:
    cache.apply_pull(
        VENUE_ID,
        injected_pull(issuer, issuer.signed_trust(issuer.trust.model_copy(update={"version": 5}))),
        NOW,
    )
    old = issuer.signed_trust(issuer.trust.model_copy(update={"version": 4}))
    cache.apply_pull(VENUE_ID + 1, pull_response(issuer).model_copy(update={"trust_list": old}), NOW)
    assert cache.venue_config(VENUE_ID + 1) is not None
    assert cache.venue_config(VENUE_ID + 1).trust_list is None  # type: ignore[union-attr]
    assert cache.trust_refusal() is not None


def test_a_refresh_of_the_same_version_is_stored_and_a_resend_is_not_an_error(
    cache: LocalCache, issuer: Issuer
) -> None:
    cache.apply_pull(VENUE_ID, pull_response(issuer), NOW)
    later = issuer.trust.model_copy(
        update={"issued_at": NOW + timedelta(days=1), "valid_until": NOW + timedelta(days=8)}
    )
    assert cache.store_trust_list(VENUE_ID, issuer.signed_trust(later), NOW) is True
    assert cache.store_trust_list(VENUE_ID, issuer.signed_trust(issuer.trust), NOW) is False  # earlier
    config = cache.venue_config(VENUE_ID)
    assert config is not None and config.trust_list is not None
    assert config.trust_list.valid_until == NOW + timedelta(days=8)
    assert cache.trust_refusal() is None


# ---- store_trust_list (GET /trust-list) -------------------------------------------------------


def test_store_trust_list_refuses_unsigned_forged_and_older_lists(cache: LocalCache, issuer: Issuer) -> None:
    current = issuer.trust.model_copy(update={"version": 5})
    cache.apply_pull(VENUE_ID, injected_pull(issuer, issuer.signed_trust(current)), NOW)
    with pytest.raises(UnsignedTrustList):
        cache.store_trust_list(VENUE_ID, attacker_list(issuer).to_json(), NOW)
    with pytest.raises(UnknownTrustRoot):
        cache.store_trust_list(VENUE_ID, sign_trust_list(attacker_list(issuer), ATTACKER).to_json(), NOW)
    older = issuer.trust.model_copy(update={"version": 4, "valid_until": NOW + timedelta(days=30)})
    with pytest.raises(OlderTrustList):
        cache.store_trust_list(VENUE_ID, issuer.signed_trust(older), NOW)
    config = cache.venue_config(VENUE_ID)
    assert config is not None and config.trust_list is not None and config.trust_list.version == 5
    refusal = cache.trust_refusal()
    assert refusal is not None and refusal.code == "trust_list_older"
    assert_forged_code_refused_offline(cache, issuer)
    # A good list clears the warning.
    newer = issuer.trust.model_copy(update={"version": 6})
    assert cache.store_trust_list(VENUE_ID, issuer.signed_trust(newer), NOW) is True
    assert cache.trust_refusal() is None


def test_a_list_stored_unsigned_by_an_older_app_is_not_used(cache: LocalCache, issuer: Issuer) -> None:
    cache.apply_pull(VENUE_ID, pull_response(issuer), NOW)
    with cache._tx() as conn:  # what an app before the fix kept: a bare list, maybe injected
        conn.execute(
            "UPDATE venues SET trust_list_json = ? WHERE venue_id = ?",
            (attacker_list(issuer).to_json(), VENUE_ID),
        )
    cache._venues.clear()
    config = cache.venue_config(VENUE_ID)
    assert config is not None and config.trust_list is None
    assert cache.store_trust_list(VENUE_ID, issuer.signed_trust(), NOW) is True  # the next sync heals it


# ---- built-in pins ----------------------------------------------------------------------------


def test_a_built_in_pin_refuses_another_root_on_first_contact(tmp_path: Path, issuer: Issuer) -> None:
    roots = tmp_path / "trust_roots.json"
    pinned = SigningKey.generate()
    roots.write_text(
        json.dumps(
            {
                "deployments": [
                    {
                        "server_url": "https://health.example.gov.cn",
                        "root_public_keys": [root_public_key(pinned)],
                    }
                ]
            }
        ),
        encoding="utf-8",
    )
    assert builtin_roots("https://HEALTH.example.gov.cn/", roots) == (root_public_key(pinned),)
    assert builtin_roots("https://other.example", roots) == ()
    assert builtin_roots(None, roots) == ()
    cache = LocalCache.open(
        tmp_path / "c.db", builtin_roots=builtin_roots("https://health.example.gov.cn", roots)
    )
    try:
        cache.apply_pull(VENUE_ID, pull_response(issuer), NOW)  # issuer.root is not the built-in one
        assert cache.root_pin() is None
        refusal = cache.trust_refusal()
        assert refusal is not None and refusal.code == "trust_root_unknown"
        cache.store_trust_list(VENUE_ID, issuer.signed_trust(root=pinned), NOW)
        pin = cache.root_pin()
        assert pin is not None and pin.source == "builtin" and pin.public_key == root_public_key(pinned)
    finally:
        cache.close()


def test_the_shipped_built_in_pins_parse() -> None:
    assert builtin_roots("https://shoumen.invalid") == ()


# ---- root rotation ----------------------------------------------------------------------------


def test_a_changed_root_needs_the_old_roots_endorsement_and_moves_the_pin_once(
    cache: LocalCache, issuer: Issuer
) -> None:
    cache.apply_pull(VENUE_ID, pull_response(issuer), NOW)
    new_root = SigningKey.generate()
    newer = issuer.trust.model_copy(update={"version": 2})
    with pytest.raises(UnknownTrustRoot):
        cache.store_trust_list(VENUE_ID, issuer.signed_trust(newer, root=new_root), NOW)
    endorsement = endorse_root(issuer.root, root_public_key(new_root), NOW)
    endorsed = sign_trust_list(newer, new_root, [endorsement]).to_json()
    assert cache.store_trust_list(VENUE_ID, endorsed, NOW) is True
    pin = cache.root_pin()
    assert pin is not None and pin.public_key == root_public_key(new_root) and pin.source == "endorsed"
    # Once moved, the old root is not enough any more — not even to endorse another root.
    newest = issuer.trust.model_copy(update={"version": 3})
    with pytest.raises(UnknownTrustRoot):
        cache.store_trust_list(VENUE_ID, issuer.signed_trust(newest), NOW)
    hijack = [endorsement, endorse_root(issuer.root, root_public_key(ATTACKER), NOW)]
    with pytest.raises(UnknownTrustRoot):
        cache.store_trust_list(VENUE_ID, sign_trust_list(newest, ATTACKER, hijack).to_json(), NOW)


# ---- against the real backend -----------------------------------------------------------------


def test_root_rotation_end_to_end(live: LiveServer, station: Station) -> None:
    """`shoumen-server rotate-trust-root` on the real backend: a station pinned to the old root
    takes the new root's list only with the endorsement, and says that the root changed."""
    engine = SyncEngine(station.cache, station.api, station.connectivity)
    engine.sync_now(station.venue_id, station.user_id)
    old_pin = station.cache.root_pin()
    assert old_pin is not None and old_pin.public_key == root_public_key(live.ctx.keys.trust_root)
    before = station.cache.venue_config(station.venue_id)
    assert before is not None and before.trust_list is not None

    # Without its endorsement (e.g. an attacker's server, or a root re-made by hand): refused.
    with live.ctx.sessions.begin() as session:
        rotate_trust_root(session, utcnow(), provider_for(live.database_url, live.ctx.settings.key_dir))
        endorsements = session.get(ServerMeta, ENDORSEMENTS_KEY)
        assert endorsements is not None
        kept = endorsements.value
        endorsements.value = "[]"
    live.ctx.reload_keys()
    status = engine.sync_now()
    assert "信任列表的根密钥与本机记录的不一致" in status.trust_warning
    assert station.cache.root_pin() == old_pin
    after = station.cache.venue_config(station.venue_id)
    assert (
        after is not None
        and after.trust_list is not None
        and after.trust_list.version == before.trust_list.version
    )
    assert station.service.check_text(live.code_for("green_fresh")).level is VerdictLevel.PASS

    # With it: accepted, the pin moves, the bar says so, and the warning clears.
    with live.ctx.sessions.begin() as session:
        endorsements = session.get(ServerMeta, ENDORSEMENTS_KEY)
        assert endorsements is not None
        endorsements.value = kept
    status = engine.sync_now()
    assert status.trust_warning == ""
    new_pin = station.cache.root_pin()
    assert new_pin is not None and new_pin.public_key == root_public_key(live.ctx.keys.trust_root)
    assert new_pin.source == "endorsed" and new_pin.root_id in status.message
    assert "信任根已更换" in status.message
    after = station.cache.venue_config(station.venue_id)
    assert after is not None and after.trust_list is not None
    assert after.trust_list.version > before.trust_list.version
    station.connectivity.mark_offline()
    assert station.service.check_text(live.code_for("green_fresh")).level is VerdictLevel.PASS


def test_a_new_signing_key_reaches_the_station_with_the_next_pull(live: LiveServer, station: Station) -> None:
    from shoumen_server.keys import rotate_signing_key

    engine = SyncEngine(station.cache, station.api, station.connectivity)
    engine.sync_now(station.venue_id, station.user_id)
    before = station.cache.venue_config(station.venue_id)
    assert before is not None and before.trust_list is not None
    with live.ctx.sessions.begin() as session:
        rotate_signing_key(session, utcnow(), provider_for(live.database_url, live.ctx.settings.key_dir))
    live.ctx.reload_keys()
    engine.sync_now()  # the venue's configuration did not change; the trust list's version did
    after = station.cache.venue_config(station.venue_id)
    assert after is not None and after.trust_list is not None
    assert after.trust_list.version == before.trust_list.version + 1
    assert {k.key_id for k in after.trust_list.keys} == {
        *(k.key_id for k in before.trust_list.keys),
        live.ctx.keys.signing.key_id,
    }


def test_an_administrators_reset_forgets_the_pin_and_the_lists(cache: LocalCache, issuer: Issuer) -> None:
    cache.apply_pull(VENUE_ID, pull_response(issuer), NOW)
    other_root = SigningKey.generate()  # e.g. a server rebuilt from scratch: no endorsement possible
    cache.apply_pull(VENUE_ID, injected_pull(issuer, issuer.signed_trust(root=other_root)), NOW)
    assert cache.trust_refusal() is not None
    forgotten = cache.forget_root_pin()
    assert forgotten is not None and forgotten.public_key == root_public_key(issuer.root)
    assert cache.root_pin() is None and cache.trust_refusal() is None and cache.cursor(VENUE_ID) == ""
    config = cache.venue_config(VENUE_ID)
    assert config is not None and config.trust_list is None  # grey offline until the next list
    cache.apply_pull(VENUE_ID, injected_pull(issuer, issuer.signed_trust(root=other_root)), NOW)
    pin = cache.root_pin()
    assert pin is not None and pin.public_key == root_public_key(other_root) and pin.source == "first_contact"
