"""Issue 13 §6: an anomaly registration's name and phone are sealed on the device.

The cache file — read through SQLite and as raw bytes, WAL included — never holds them in
clear: not after a save, not after an upgrade of a cache that held them in clear, not after the
retention purge. Only the backend's sealing private key opens them.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest

from shoumen_core.codes import b64url_decode, unseal
from shoumen_core.policy import VenuePolicy
from shoumen_core.schemas import AnomalyAction, AnomalyIn, AnomalyType, PushResponse
from shoumen_gui.services import anomalies as edit
from shoumen_gui.services import cache as cache_module
from shoumen_gui.services.anomalies import Base, Draft
from shoumen_gui.services.cache import LocalCache
from shoumen_gui.services.cache_schema import STEPS
from shoumen_gui.services.ids import uuid7
from tests.gui.services.conftest import NOW, USER_ID, VENUE_ID, Issuer, pull_response

NAME = "王大爷"
PHONE = "13700000099"


def on_disk(path: Path) -> bytes:
    """Every byte the cache keeps: the database file and its WAL (and journal, if any)."""
    return b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))


def all_text(path: Path) -> str:
    """Every value of every table, read through SQLite."""
    conn = sqlite3.connect(path)
    tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    text = "\n".join(repr(row) for t in tables for row in conn.execute(f'SELECT * FROM "{t}"'))
    conn.close()
    return text


def assert_no_clear_contact(path: Path) -> None:
    assert NAME not in all_text(path) and PHONE not in all_text(path)
    raw = on_disk(path)
    assert NAME.encode("utf-8") not in raw and PHONE.encode("ascii") not in raw
    assert b"137-0000-0099" not in raw


def registration(issuer: Issuer, *, days_old: int = 0) -> AnomalyIn:
    base = Base(
        anomaly_id=uuid7(), venue_id=VENUE_ID, checkpoint_id=None, created_at=NOW - timedelta(days=days_old)
    )
    draft = Draft(
        anomaly_type=AnomalyType.NO_PHONE_NO_ID,
        action=AnomalyAction.TURN_AWAY,
        name=f" {NAME} ",
        phone="137-0000-0099",
        notes="无智能手机",
    )
    return edit.build_anomaly(base, draft, NOW, sealing_key=issuer.sealing_public, policy=VenuePolicy())


def test_a_registrations_name_and_phone_are_sealed_in_the_cache(tmp_path: Path, issuer: Issuer) -> None:
    path = tmp_path / "cache.db"
    cache = LocalCache.open(path)
    anomaly = registration(issuer)
    cache.save_anomaly(anomaly, USER_ID)
    assert_no_clear_contact(path)  # while open: the WAL holds the new pages
    local = cache.anomaly(anomaly.id)
    assert local is not None
    assert (local.anomaly.name, local.anomaly.phone) == ("", "")
    assert (local.anomaly.masked_name, local.anomaly.phone_masked) == ("王**", "137****0099")
    # What the push sends opens with the backend's private key only.
    pushed = cache.pending_anomalies()[0]
    assert pushed.sealed_name is not None and pushed.sealed_phone is not None
    assert unseal(b64url_decode(pushed.sealed_name), issuer.sealing_private).decode() == NAME
    assert unseal(b64url_decode(pushed.sealed_phone), issuer.sealing_private).decode() == PHONE
    cache.close()
    assert_no_clear_contact(path)


def test_a_clear_name_or_phone_is_refused_by_the_cache(tmp_path: Path) -> None:
    cache = LocalCache.open(tmp_path / "cache.db")
    clear = AnomalyIn(
        id=uuid7(),
        venue_id=VENUE_ID,
        name=NAME,
        anomaly_type=AnomalyType.OTHER,
        action=AnomalyAction.OTHER,
        created_at=NOW,
    )
    with pytest.raises(ValueError):
        cache.save_anomaly(clear, USER_ID)
    cache.close()


def test_a_saved_registration_reopens_masked_and_keeps_what_is_not_retyped(
    tmp_path: Path, issuer: Issuer
) -> None:
    cache = LocalCache.open(tmp_path / "cache.db")
    anomaly = registration(issuer)
    cache.save_anomaly(anomaly, USER_ID)
    local = cache.anomaly(anomaly.id)
    assert local is not None
    loaded = edit.from_local(local)
    assert (loaded.draft.name, loaded.draft.phone) == ("", "")  # nothing to read back
    assert (loaded.base.masked_name, loaded.base.phone_masked) == ("王**", "137****0099")
    # FAQ 6 needs a name and phone: the kept ones count, so only the notes may be changed.
    assert edit.validate(loaded.draft, loaded.base, NOW.date()) == []
    again = edit.build_anomaly(
        loaded.base, loaded.draft, NOW, sealing_key=issuer.sealing_public, policy=VenuePolicy()
    )
    assert (again.sealed_name, again.sealed_phone) == (anomaly.sealed_name, anomaly.sealed_phone)
    retyped = edit.build_anomaly(
        loaded.base,
        Draft(anomaly_type=AnomalyType.NO_PHONE_NO_ID, action=AnomalyAction.TURN_AWAY, phone="13700000011"),
        NOW,
        sealing_key=issuer.sealing_public,
        policy=VenuePolicy(),
    )
    assert retyped.sealed_name == anomaly.sealed_name and retyped.phone_masked == "137****0011"
    assert retyped.sealed_phone is not None
    assert unseal(b64url_decode(retyped.sealed_phone), issuer.sealing_private) == b"13700000011"
    cache.close()


def test_an_old_cache_with_clear_names_is_sealed_by_the_upgrade(
    tmp_path: Path, issuer: Issuer, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "cache.db"
    monkeypatch.setattr(cache_module, "STEPS", STEPS[:2])  # the schema before sealing
    old = LocalCache.open(path)
    old.apply_pull(VENUE_ID, pull_response(issuer), NOW)
    clear = AnomalyIn(
        id=uuid7(),
        venue_id=VENUE_ID,
        name=NAME,
        phone=PHONE,
        anomaly_type=AnomalyType.FEVER,
        action=AnomalyAction.TURN_AWAY,
        created_at=NOW,
    )
    # As the old app saved it: the AnomalyIn with its clear name and phone.
    with old._tx() as conn:
        conn.execute(
            "INSERT INTO anomalies(id, venue_id, user_id, payload_json, created_at, day)"
            " VALUES (?,?,?,?,?,?)",
            (str(clear.id), VENUE_ID, USER_ID, clear.model_dump_json(), NOW.isoformat(), "2026-11-20"),
        )
    old.close()
    assert NAME.encode() in on_disk(path)  # the fault: in clear until the purge
    monkeypatch.setattr(cache_module, "STEPS", STEPS)

    upgraded = LocalCache.open(path)
    assert upgraded.schema_version() == len(STEPS)
    assert_no_clear_contact(path)
    conn = sqlite3.connect(path)
    payload = json.loads(conn.execute("SELECT payload_json FROM anomalies").fetchone()[0])
    conn.close()
    assert payload["masked_name"] == "王**" and payload["phone_masked"] == "137****0099"
    pushed = upgraded.pending_anomalies()[0]
    assert pushed.sealed_name is not None and pushed.sealed_phone is not None
    assert unseal(b64url_decode(pushed.sealed_name), issuer.sealing_private).decode() == NAME
    upgraded.close()
    assert_no_clear_contact(path)


def test_the_retention_purge_still_removes_a_sealed_registration(tmp_path: Path, issuer: Issuer) -> None:
    path = tmp_path / "cache.db"
    cache = LocalCache.open(path)
    anomaly = registration(issuer, days_old=30)
    cache.save_anomaly(anomaly, USER_ID)
    cache.mark_pushed(PushResponse(accepted=[anomaly.id], rejected=[], anomaly_versions={str(anomaly.id): 1}))
    assert anomaly.sealed_name is not None
    assert cache.purge(NOW, 28) == 1
    assert cache.anomaly(anomaly.id) is None
    cache.close()
    # Not even the sealed blob or the masked name stays in the file (secure_delete).
    raw = on_disk(path)
    assert anomaly.sealed_name.encode() not in raw and "王**".encode() not in raw
