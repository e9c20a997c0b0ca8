"""The local cache's schema, as ordered upgrade steps (PRAGMA user_version = steps applied).

Append a step to change the schema; never edit a released one. Each step runs in one
transaction with the version bump, so a crash mid-upgrade leaves the old version intact.

Counting rule (DESIGN §4): unit statistics are the server's counts from the last pull plus this
device's rows the server has not counted yet. A check row is "counted locally" while
``state != 'rejected' AND server_known = 0``; ``server_known`` turns 1 when a pull that
followed its successful push is applied. The triggers keep three aggregate tables in step
with that predicate, so reading a day's figures never scans the checks table:

- ``local_counts``: rows per (venue, day, user, checkpoint, hour, level);
- ``local_persons``: rows per distinct person (person_ref, or the check id when unknown), per
  venue-day for the unit (user_key -1) and per user;
- ``local_person_counts``: the number of ``local_persons`` rows with n > 0.
``state_counts`` holds the number of checks per sync state, for the status bar.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from typing import Final

from shoumen_core.codes import b64url_decode, b64url_encode, seal
from shoumen_core.identity import mask_name
from shoumen_core.phone import mask_phone
from shoumen_gui.services.errors import CacheError

log = logging.getLogger("shoumen.gui.cache")

_COUNTED_NEW: Final = "NEW.state != 'rejected' AND NEW.server_known = 0"
_COUNTED_OLD: Final = "OLD.state != 'rejected' AND OLD.server_known = 0"


def _count_up(row: str) -> str:
    return f"""
    INSERT INTO local_counts(venue_id, day, user_id, checkpoint_key, hour, level, n)
        VALUES ({row}.venue_id, {row}.day, {row}.user_id, coalesce({row}.checkpoint_id, 0), {row}.hour,
                {row}.level, 1)
        ON CONFLICT DO UPDATE SET n = n + 1;
    INSERT INTO local_persons(venue_id, day, user_key, person_key, n)
        VALUES ({row}.venue_id, {row}.day, -1, coalesce({row}.person_ref, {row}.id), 1)
        ON CONFLICT DO UPDATE SET n = n + 1;
    INSERT INTO local_persons(venue_id, day, user_key, person_key, n)
        VALUES ({row}.venue_id, {row}.day, {row}.user_id, coalesce({row}.person_ref, {row}.id), 1)
        ON CONFLICT DO UPDATE SET n = n + 1;
    """


def _count_down(row: str) -> str:
    return f"""
    UPDATE local_counts SET n = n - 1
        WHERE venue_id = {row}.venue_id AND day = {row}.day AND user_id = {row}.user_id
          AND checkpoint_key = coalesce({row}.checkpoint_id, 0) AND hour = {row}.hour AND level = {row}.level;
    UPDATE local_persons SET n = n - 1
        WHERE venue_id = {row}.venue_id AND day = {row}.day AND user_key = -1
          AND person_key = coalesce({row}.person_ref, {row}.id);
    UPDATE local_persons SET n = n - 1
        WHERE venue_id = {row}.venue_id AND day = {row}.day AND user_key = {row}.user_id
          AND person_key = coalesce({row}.person_ref, {row}.id);
    """


def _state_count(row: str, delta: str) -> str:
    return f"""
    INSERT INTO state_counts(state, n) VALUES ({row}.state, {delta})
        ON CONFLICT DO UPDATE SET n = n + ({delta});
    """


_V1: Final = f"""
CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

-- One row per venue this device has pulled: its configuration and sync position.
CREATE TABLE venues (
    venue_id INTEGER PRIMARY KEY,
    venue_json TEXT,
    staff_json TEXT,
    my_role TEXT,
    my_state TEXT,
    trust_list_json TEXT,
    sealing_public_key TEXT,
    epoch TEXT NOT NULL DEFAULT '',
    cursor TEXT NOT NULL DEFAULT '',
    last_pull_at TEXT,
    server_time TEXT
);

-- The server's per-day counts as of the last pull (or an online stats call).
-- user_key: 0 for the unit; scope 'personal' uses the user's id. checkpoint_key 0 = all.
CREATE TABLE server_counts (
    venue_id INTEGER NOT NULL,
    day TEXT NOT NULL,
    scope TEXT NOT NULL,
    user_key INTEGER NOT NULL,
    checkpoint_key INTEGER NOT NULL,
    counts_json TEXT NOT NULL,
    as_of TEXT NOT NULL,
    PRIMARY KEY (venue_id, day, scope, user_key, checkpoint_key)
) WITHOUT ROWID;

CREATE TABLE checks (
    id TEXT PRIMARY KEY,               -- UUIDv7, canonical text: sorts in creation order
    venue_id INTEGER NOT NULL,
    checkpoint_id INTEGER,
    user_id INTEGER NOT NULL,
    method TEXT NOT NULL,
    checked_at TEXT NOT NULL,          -- ISO 8601 UTC
    day TEXT NOT NULL,                 -- local (UTC+8) day
    hour INTEGER NOT NULL,             -- local hour
    level TEXT NOT NULL,
    findings_json TEXT NOT NULL,
    person_ref TEXT,
    masked_name TEXT NOT NULL DEFAULT '',
    masked_id TEXT NOT NULL DEFAULT '',
    sealed_document TEXT,
    temperature REAL,
    manual_decision TEXT,
    offline INTEGER NOT NULL DEFAULT 0,
    device_id TEXT NOT NULL DEFAULT '',
    state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'synced', 'rejected')),
    server_known INTEGER NOT NULL DEFAULT 0,
    rev INTEGER NOT NULL DEFAULT 0,    -- bumped by each local edit after the first commit
    reject_code TEXT,
    reject_message TEXT,
    synced_at TEXT
);
CREATE INDEX ix_checks_pending ON checks(user_id, id) WHERE state = 'pending';
CREATE INDEX ix_checks_unknown ON checks(venue_id) WHERE state = 'synced' AND server_known = 0;
CREATE INDEX ix_checks_rejected ON checks(id) WHERE state = 'rejected';
-- The drill-down reads newest first; the query must repeat this literal condition to use it.
CREATE INDEX ix_checks_abnormal ON checks(venue_id, day, id) WHERE level IN ('deny', 'cannot_verify');
CREATE INDEX ix_checks_purge ON checks(checked_at) WHERE state != 'pending';

CREATE TABLE local_counts (
    venue_id INTEGER NOT NULL,
    day TEXT NOT NULL,
    user_id INTEGER NOT NULL,
    checkpoint_key INTEGER NOT NULL,
    hour INTEGER NOT NULL,
    level TEXT NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (venue_id, day, user_id, checkpoint_key, hour, level)
) WITHOUT ROWID;

CREATE TABLE local_persons (
    venue_id INTEGER NOT NULL,
    day TEXT NOT NULL,
    user_key INTEGER NOT NULL,
    person_key TEXT NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (venue_id, day, user_key, person_key)
) WITHOUT ROWID;

CREATE TABLE local_person_counts (
    venue_id INTEGER NOT NULL,
    day TEXT NOT NULL,
    user_key INTEGER NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (venue_id, day, user_key)
) WITHOUT ROWID;

CREATE TABLE state_counts (
    state TEXT PRIMARY KEY,
    n INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE anomalies (
    id TEXT PRIMARY KEY,
    venue_id INTEGER NOT NULL,
    check_id TEXT,
    user_id INTEGER NOT NULL,
    payload_json TEXT NOT NULL,        -- the AnomalyIn as last edited here
    created_at TEXT NOT NULL,
    day TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending'
        CHECK (state IN ('pending', 'synced', 'rejected', 'conflict')),
    version INTEGER NOT NULL DEFAULT 0, -- the server's version after the last accepted push
    reject_code TEXT,
    reject_message TEXT,
    synced_at TEXT
);
CREATE INDEX ix_anomalies_pending ON anomalies(user_id, id) WHERE state = 'pending';
CREATE INDEX ix_anomalies_check ON anomalies(check_id) WHERE check_id IS NOT NULL;

CREATE TRIGGER checks_counted_insert AFTER INSERT ON checks WHEN {_COUNTED_NEW}
BEGIN {_count_up("NEW")} END;

CREATE TRIGGER checks_uncounted AFTER UPDATE OF state, server_known ON checks
    WHEN ({_COUNTED_OLD}) AND NOT ({_COUNTED_NEW})
BEGIN {_count_down("OLD")} END;

CREATE TRIGGER checks_counted AFTER UPDATE OF state, server_known ON checks
    WHEN NOT ({_COUNTED_OLD}) AND ({_COUNTED_NEW})
BEGIN {_count_up("NEW")} END;

CREATE TRIGGER checks_counted_delete AFTER DELETE ON checks WHEN {_COUNTED_OLD}
BEGIN {_count_down("OLD")} END;

CREATE TRIGGER checks_state_insert AFTER INSERT ON checks
BEGIN {_state_count("NEW", "1")} END;

CREATE TRIGGER checks_state_update AFTER UPDATE OF state ON checks WHEN OLD.state != NEW.state
BEGIN {_state_count("OLD", "-1")} {_state_count("NEW", "1")} END;

CREATE TRIGGER checks_state_delete AFTER DELETE ON checks
BEGIN {_state_count("OLD", "-1")} END;

CREATE TRIGGER persons_insert AFTER INSERT ON local_persons WHEN NEW.n > 0
BEGIN
    INSERT INTO local_person_counts(venue_id, day, user_key, n)
        VALUES (NEW.venue_id, NEW.day, NEW.user_key, 1)
        ON CONFLICT DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER persons_appear AFTER UPDATE OF n ON local_persons WHEN OLD.n <= 0 AND NEW.n > 0
BEGIN
    INSERT INTO local_person_counts(venue_id, day, user_key, n)
        VALUES (NEW.venue_id, NEW.day, NEW.user_key, 1)
        ON CONFLICT DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER persons_vanish AFTER UPDATE OF n ON local_persons WHEN OLD.n > 0 AND NEW.n <= 0
BEGIN
    UPDATE local_person_counts SET n = n - 1
        WHERE venue_id = NEW.venue_id AND day = NEW.day AND user_key = NEW.user_key;
END;

CREATE TRIGGER persons_delete AFTER DELETE ON local_persons WHEN OLD.n > 0
BEGIN
    UPDATE local_person_counts SET n = n - 1
        WHERE venue_id = OLD.venue_id AND day = OLD.day AND user_key = OLD.user_key;
END;
"""

# The gate link: the station opened the gate for a check (automatically on PASS, or by 手动开闸
# with a reason); a later change puts the row back in the outbox like a manual decision.
_V2: Final = """
ALTER TABLE checks ADD COLUMN gate_opened INTEGER NOT NULL DEFAULT 0;
ALTER TABLE checks ADD COLUMN gate_reason TEXT NOT NULL DEFAULT '';
"""


def _v3_seal_contacts(conn: sqlite3.Connection) -> None:
    """Registrations saved before names and phones were sealed kept them in clear in
    payload_json: seal them to the venue's key and keep only the masked forms. A venue with no
    key cached (never pulled: in practice none) loses them; the device must not keep them."""
    keys = {
        venue_id: b64url_decode(key)
        for venue_id, key in conn.execute(
            "SELECT venue_id, sealing_public_key FROM venues WHERE sealing_public_key IS NOT NULL"
        )
    }
    rows = conn.execute("SELECT id, venue_id, payload_json FROM anomalies").fetchall()
    dropped = 0
    for anomaly_id, venue_id, payload_json in rows:
        payload = json.loads(payload_json)
        name, phone = payload.get("name") or "", payload.get("phone") or ""
        if not name and not phone:
            continue
        key = keys.get(venue_id)
        for clear, sealed, masked, mask in (
            (name, "sealed_name", "masked_name", mask_name),
            (phone, "sealed_phone", "phone_masked", mask_phone),
        ):
            if clear:
                payload[sealed] = None if key is None else b64url_encode(seal(clear.encode("utf-8"), key))
                payload[masked] = mask(clear)
        dropped += key is None
        payload["name"] = payload["phone"] = ""
        conn.execute(
            "UPDATE anomalies SET payload_json = ? WHERE id = ?",
            (json.dumps(payload, ensure_ascii=False), anomaly_id),
        )
    if dropped:
        log.warning("%d registrations had no sealing key: their name and phone were dropped", dropped)


Step = str | Callable[[sqlite3.Connection], None]

# Ordered upgrade steps; the schema version is len(STEPS) once all are applied. A step is a
# script, or a function for what SQL cannot do (sealing needs the crypto).
STEPS: Final[tuple[Step, ...]] = (_V1, _V2, _v3_seal_contacts)
SCHEMA_VERSION: Final = len(STEPS)


def detail_message(exc: BaseException) -> str:
    return f"本机数据文件无法使用（{type(exc).__name__}），请联系管理员"


def upgrade(conn: sqlite3.Connection, steps: Sequence[Step] = STEPS) -> bool:
    """Apply the steps this file lacks, each in its own transaction with its version bump.
    Returns True when any step ran."""
    version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    if version > len(steps):
        raise CacheError("本机数据文件来自更新版本的程序，请升级程序", code="cache_too_new")
    for number in range(version, len(steps)):
        conn.execute("BEGIN IMMEDIATE")
        try:
            step = steps[number]
            if callable(step):
                step(conn)
            else:
                for statement in statements(step):
                    conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {number + 1}")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
        log.info("local cache schema upgraded to version %d", number + 1)
    return version < len(steps)


def statements(script: str) -> Iterator[str]:
    """Split a script into complete statements (executescript would commit on its own)."""
    buffer = ""
    for line in script.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            if buffer.strip():
                yield buffer
            buffer = ""
    if buffer.strip():
        yield buffer
