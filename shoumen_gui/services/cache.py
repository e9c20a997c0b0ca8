"""The device's local cache: venue configuration from pulls, the outbox of checks and anomaly
registrations, and the per-day figures (DESIGN §4). SQLite in WAL mode, schema in cache_schema.

Thread-safe: one connection behind a lock (the GUI thread never calls this; workers do).
Every write that must survive a crash is committed before the method returns.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Final

from shoumen_core.policy import FindingState, VerdictLevel
from shoumen_core.schemas import (
    MAX_FINDINGS,
    AbnormalItem,
    AnomalyIn,
    CheckRecordIn,
    DayCounts,
    ManualDecision,
    PullResponse,
    PushResponse,
    StatsScope,
)
from shoumen_core.timeutil import as_utc, local_day, utcnow
from shoumen_core.trust import TrustListError
from shoumen_gui.services.cache_connection import StorageConnection
from shoumen_gui.services.cache_rows import (
    FINDINGS,
    CachedVenue,
    LocalAnomaly,
    LocalCheck,
    RejectedRow,
    add_local,
    cached_venue,
    check_params,
    iso,
    parse_dt,
    record_from_row,
    requeue_for_new_epoch,
    store_config,
    store_counts,
)
from shoumen_gui.services.cache_schema import STEPS, detail_message, upgrade
from shoumen_gui.services.errors import CacheError, StorageError, storage_error
from shoumen_gui.services.trust import (
    RootPin,
    TrustRefusal,
    forget_pin,
    read_pin,
    read_refusal,
    record_refusal,
    store_verified,
)

__all__ = [
    "CacheError",
    "CachedVenue",
    "LocalAnomaly",
    "LocalCache",
    "LocalCheck",
    "RejectedRow",
    "StorageError",
]

log = logging.getLogger("shoumen.gui.cache")

_CHECK_COLUMNS: Final = (
    "id, venue_id, checkpoint_id, method, checked_at, level, findings_json, person_ref, masked_name, "
    "masked_id, sealed_document, temperature, manual_decision, offline, device_id, gate_opened, gate_reason"
)
_CHECK_FIELDS: Final = 17  # the columns above, in record_from_row's order
_INSERT_CHECK: Final = (
    "INSERT INTO checks(id, venue_id, checkpoint_id, user_id, method, checked_at, day, hour, level,"
    " findings_json, person_ref, masked_name, masked_id, sealed_document, temperature,"
    " manual_decision, offline, device_id, gate_opened, gate_reason)"
    " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
)


class LocalCache:
    def __init__(self, conn: sqlite3.Connection, path: Path, builtin_roots: Sequence[str] = ()) -> None:
        self._conn = conn
        self.path = path
        self._builtin_roots = tuple(builtin_roots)  # services.trust: this server's built-in pins
        self._lock = threading.RLock()
        self._venues: dict[int, CachedVenue | None] = {}
        self._inflight: dict[str, int] = {}  # check id -> its revision when handed to a push
        # Checks the disk refused (full, read-only, I/O fault), oldest first: kept for this run
        # and written by write_held() once the disk takes them (DESIGN §2, issue 14 §1).
        self._held: list[tuple[CheckRecordIn, int]] = []

    # ---- lifecycle ---------------------------------------------------------------------

    @classmethod
    def open(cls, path: Path, *, builtin_roots: Sequence[str] = ()) -> LocalCache:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(
            path, isolation_level=None, check_same_thread=False, timeout=10, factory=StorageConnection
        )
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            # FULL: a check shown to the guard survives a power cut, not only an app crash.
            conn.execute("PRAGMA synchronous=FULL")
            conn.execute("PRAGMA foreign_keys=ON")
            conn.execute("PRAGMA busy_timeout=10000")
            # Deleted and rewritten rows are zeroed, not left in free pages: a purged or
            # re-sealed registration's text is gone from the file, not only from the tables.
            conn.execute("PRAGMA secure_delete=ON")
            if upgrade(conn, STEPS):
                # The old pages of an upgrade (e.g. clear names before sealing) leave the WAL.
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            # A real write now: a read-only file reads fine and would fail only at the first
            # check; here it fails at start, with a message that names its folder (salvage.py).
            conn.execute(
                "INSERT INTO meta(key, value) VALUES ('opened_at', datetime('now'))"
                " ON CONFLICT DO UPDATE SET value = excluded.value"
            )
        except sqlite3.DatabaseError as exc:
            conn.close()
            # A full or read-only disk is not a damaged file: say what it is.
            raise storage_error(exc) or CacheError(detail_message(exc)) from exc
        except BaseException:
            conn.close()
            raise
        return cls(conn, path, builtin_roots)

    def close(self) -> None:
        with self._lock:
            if self._held:  # the last chance for checks the disk refused during this run
                try:
                    self.write_held()
                except StorageError:
                    log.error("%d checks the disk refused are lost with this run", len(self._held))
            self._conn.close()

    def schema_version(self) -> int:
        with self._lock:
            return int(self._conn.execute("PRAGMA user_version").fetchone()[0])

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                # A full disk can make SQLite roll the transaction back by itself: a second
                # ROLLBACK would fail and hide the StorageFull the guard must see.
                if self._conn.in_transaction:
                    self._conn.execute("ROLLBACK")
                raise
            try:
                self._conn.execute("COMMIT")
            except StorageError:
                if self._conn.in_transaction:
                    self._conn.execute("ROLLBACK")
                raise

    def _query(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        with self._lock:
            return self._conn.execute(sql, params).fetchall()

    # ---- meta --------------------------------------------------------------------------

    def get_meta(self, key: str) -> str | None:
        rows = self._query("SELECT value FROM meta WHERE key = ?", (key,))
        return str(rows[0][0]) if rows else None

    def set_meta(self, key: str, value: str) -> None:
        with self._lock:
            self._conn.execute(
                "INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT DO UPDATE SET value = excluded.value",
                (key, value),
            )

    def device_id(self) -> str:
        with self._tx() as conn:
            row = conn.execute("SELECT value FROM meta WHERE key = 'device_id'").fetchone()
            if row is not None:
                return str(row[0])
            value = uuid.uuid4().hex
            conn.execute("INSERT INTO meta(key, value) VALUES ('device_id', ?)", (value,))
            return value

    def take_unsynced_from(self, other: Path) -> int:
        """Move the checks and registrations another cache file of the SAME server has not
        synced (pending or rejected) into this one, and out of the other (issue 14 §4: a cache
        follows the server, not its URL). Returns how many rows moved. A row already here stays
        as it is, so a move interrupted between the two files and run again copies nothing twice;
        the server upserts by id in any case. `other` must be at this schema version (open it
        with LocalCache.open first)."""
        with self._lock:
            self._conn.execute("ATTACH DATABASE ? AS other", (str(other),))
            try:
                with self._tx() as conn:
                    moved = 0
                    for table, unsynced in (
                        ("checks", "state IN ('pending', 'rejected')"),
                        ("anomalies", "state != 'synced'"),
                    ):
                        names = [
                            row[1] for row in conn.execute(f"PRAGMA main.table_info({table})").fetchall()
                        ]
                        cols = ", ".join(names)
                        moved += conn.execute(
                            f"INSERT OR IGNORE INTO main.{table}({cols}) SELECT {cols} FROM other.{table}"
                            f" WHERE {unsynced}"
                        ).rowcount
                        conn.execute(
                            f"DELETE FROM other.{table} WHERE {unsynced} AND id IN (SELECT id FROM main.{table})"
                        )
            finally:
                self._conn.execute("DETACH DATABASE other")
        if moved:
            log.info("%d unsynced rows moved in from another cache of this server", moved)
        return moved

    # ---- venue configuration -----------------------------------------------------------

    def apply_pull(
        self, venue_id: int, pull: PullResponse, now: datetime, *, user_id: int | None = None
    ) -> bool:
        """Store one pull page and its cursor in one transaction. Returns True on an epoch change:
        synced rows are queued again, the server's counts dropped and the cursor reset, so the
        next round pushes everything and pulls from scratch (a full resync)."""
        with self._tx() as conn:
            row = conn.execute("SELECT epoch, cursor FROM venues WHERE venue_id = ?", (venue_id,)).fetchone()
            if row is None:
                conn.execute("INSERT INTO venues(venue_id) VALUES (?)", (venue_id,))
            epoch_reset = row is not None and bool(row[0]) and row[0] != pull.epoch
            if epoch_reset:
                log.warning("server epoch changed for venue %d: full resync", venue_id)
                requeue_for_new_epoch(conn, venue_id)
            store_config(conn, venue_id, pull)
            cursor = "" if epoch_reset else pull.cursor
            if pull.trust_list is not None:
                # Keys may be re-sent with an unchanged configuration (a renewed trust list).
                try:
                    store_verified(conn, venue_id, pull.trust_list, self._builtin_roots, now)
                except TrustListError as exc:
                    # The rest of the page is good; the previous list stays, and the old cursor
                    # makes the next pull bring a list again (a fixed server heals by itself).
                    record_refusal(conn, exc, now)
                    cursor = "" if row is None or epoch_reset else str(row[1] or "")
            conn.execute(
                "UPDATE venues SET epoch = ?, cursor = ?, last_pull_at = ?, server_time = ? WHERE venue_id = ?",
                (pull.epoch, cursor, iso(now), iso(pull.server_time), venue_id),
            )
            as_of = iso(now)
            for counts in pull.unit_counts:
                store_counts(conn, venue_id, StatsScope.UNIT, 0, counts, as_of)
            if user_id is not None:
                for counts in pull.personal_counts:
                    store_counts(conn, venue_id, StatsScope.PERSONAL, user_id, counts, as_of)
            if not epoch_reset:
                # The server answered this pull after it acknowledged these rows: its counts hold them.
                conn.execute(
                    "UPDATE checks SET server_known = 1"
                    " WHERE venue_id = ? AND state = 'synced' AND server_known = 0",
                    (venue_id,),
                )
            self._venues.pop(venue_id, None)
        return epoch_reset

    def venue_config(self, venue_id: int) -> CachedVenue | None:
        with self._lock:
            if venue_id in self._venues:
                return self._venues[venue_id]
            row = self._conn.execute(
                "SELECT venue_json, staff_json, my_role, my_state, trust_list_json, sealing_public_key,"
                " epoch, cursor, last_pull_at FROM venues WHERE venue_id = ?",
                (venue_id,),
            ).fetchone()
            cached = None if row is None or row[0] is None else cached_venue(row)
            self._venues[venue_id] = cached
            return cached

    def store_trust_list(self, venue_id: int, trust_list_json: str, now: datetime | None = None) -> bool:
        """Keep a trust list fetched on its own (GET /trust-list) if it verifies against the
        pinned root (services.trust) and is newer than the cached one. Returns True if stored,
        False for a known venue's resend; raises TrustListError (recorded for the status bar)
        if refused, keeping the previous list."""
        now = utcnow() if now is None else now
        try:
            with self._tx() as conn:
                known = conn.execute("SELECT 1 FROM venues WHERE venue_id = ?", (venue_id,)).fetchone()
                if known is None:
                    return False
                stored = store_verified(conn, venue_id, trust_list_json, self._builtin_roots, now)
                self._venues.pop(venue_id, None)
                return stored
        except TrustListError as exc:
            with self._tx() as conn:
                record_refusal(conn, exc, now)
            raise

    def root_pin(self) -> RootPin | None:
        """The trust root this device pinned for its server (None before the first list)."""
        with self._lock:
            return read_pin(self._conn)

    def forget_root_pin(self) -> RootPin | None:
        """Forget the pinned root and the stored lists (services.trust.forget_pin)."""
        with self._tx() as conn:
            pin = forget_pin(conn)
            self._venues.clear()
        return pin

    def trust_refusal(self) -> TrustRefusal | None:
        """The last refused trust list, until a good one arrives (the status bar shows it)."""
        with self._lock:
            return read_refusal(self._conn)

    def cursor(self, venue_id: int) -> str:
        rows = self._query("SELECT cursor FROM venues WHERE venue_id = ?", (venue_id,))
        return str(rows[0][0]) if rows else ""

    def counts_as_of(self, venue_id: int) -> datetime | None:
        rows = self._query("SELECT last_pull_at FROM venues WHERE venue_id = ?", (venue_id,))
        return parse_dt(rows[0][0]) if rows else None

    # ---- checks ------------------------------------------------------------------------

    def add_check(self, record: CheckRecordIn, user_id: int) -> None:
        """Commit one check (durably) before returning."""
        checked_at = as_utc(record.checked_at)
        with self._lock:
            self._conn.execute(_INSERT_CHECK, check_params(record, user_id, checked_at))

    def hold_check(self, record: CheckRecordIn, user_id: int) -> int:
        """Keep a check the disk refused in memory; returns how many are held now."""
        with self._lock:
            self._held.append((record, user_id))
            return len(self._held)

    def held_count(self) -> int:
        with self._lock:
            return len(self._held)

    def write_held(self) -> list[uuid.UUID]:
        """Write every held check now (all or none); returns their ids. Raises StorageError
        (and keeps holding them) while the disk still refuses."""
        with self._lock:
            held = list(self._held)
            if not held:
                return []
            self.add_held_checks(held)
            del self._held[: len(held)]
        log.info("%d held checks written to the cache", len(held))
        return [record.id for record, _user in held]

    def add_held_checks(self, records: Sequence[tuple[CheckRecordIn, int]]) -> int:
        """Write checks that were held in memory while the disk refused them, in one transaction
        (all or none). A row already there is skipped, so writing them again can never make a
        second copy. Returns how many were new."""
        params = [check_params(r, user_id, as_utc(r.checked_at)) for r, user_id in records]
        with self._tx() as conn:
            cur = conn.executemany(_INSERT_CHECK.replace("INSERT INTO", "INSERT OR IGNORE INTO"), params)
            return max(0, cur.rowcount)

    def add_checks_bulk(self, records: Iterable[tuple[CheckRecordIn, int]]) -> int:
        """Many checks in one transaction (imports and benchmarks); returns how many."""
        params = [check_params(r, user_id, as_utc(r.checked_at)) for r, user_id in records]
        with self._tx() as conn:
            conn.executemany(_INSERT_CHECK, params)
        return len(params)

    def restore_outbox(
        self, checks: Sequence[tuple[CheckRecordIn, int]], anomalies: Sequence[tuple[AnomalyIn, int, int]]
    ) -> None:
        """Rows recovered from a damaged cache (services/salvage), into the outbox in one
        transaction: checks with their user, registrations with their user and server version
        (an edit of a synced registration is pushed against the version it was made on)."""
        with self._tx() as conn:
            conn.executemany(
                "INSERT OR IGNORE INTO checks(id, venue_id, checkpoint_id, user_id, method, checked_at, day, hour,"
                " level, findings_json, person_ref, masked_name, masked_id, sealed_document, temperature,"
                " manual_decision, offline, device_id, gate_opened, gate_reason)"
                " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                [check_params(r, user_id, as_utc(r.checked_at)) for r, user_id in checks],
            )
            for anomaly, user_id, version in anomalies:
                created = as_utc(anomaly.created_at)
                conn.execute(
                    "INSERT OR IGNORE INTO anomalies(id, venue_id, check_id, user_id, payload_json, created_at,"
                    " day, version) VALUES (?,?,?,?,?,?,?,?)",
                    (
                        str(anomaly.id),
                        anomaly.venue_id,
                        None if anomaly.check_id is None else str(anomaly.check_id),
                        user_id,
                        anomaly.model_dump_json(),
                        iso(created),
                        local_day(created).isoformat(),
                        version,
                    ),
                )

    def set_manual_decision(self, check_id: uuid.UUID, decision: ManualDecision | None) -> bool:
        """Record the guard's decision; a synced row goes back to the outbox so the server gets it."""
        with self._lock:
            cur = self._conn.execute(
                "UPDATE checks SET manual_decision = ?, rev = rev + 1,"
                " state = CASE WHEN state = 'synced' THEN 'pending' ELSE state END"
                " WHERE id = ?",
                (None if decision is None else decision.value, str(check_id)),
            )
            return cur.rowcount > 0

    def set_gate_opening(self, check_id: uuid.UUID, opened: bool, reason: str | None = None) -> bool:
        """Record (committed) whether the gate opened for a check and, for 手动开闸, why
        (None keeps the stored reason); a synced row goes back to the outbox."""
        with self._lock:
            cur = self._conn.execute(
                "UPDATE checks SET gate_opened = ?, gate_reason = coalesce(?, gate_reason), rev = rev + 1,"
                " state = CASE WHEN state = 'synced' THEN 'pending' ELSE state END"
                " WHERE id = ?",
                (int(opened), reason, str(check_id)),
            )
            return cur.rowcount > 0

    def check(self, check_id: uuid.UUID) -> LocalCheck | None:
        rows = self._query(
            f"SELECT {_CHECK_COLUMNS}, user_id, state, server_known, reject_code, reject_message"
            " FROM checks WHERE id = ?",
            (str(check_id),),
        )
        if not rows:
            return None
        row = rows[0]
        return LocalCheck(
            record=record_from_row(row[:_CHECK_FIELDS]),
            user_id=row[_CHECK_FIELDS],
            state=row[_CHECK_FIELDS + 1],
            server_known=bool(row[_CHECK_FIELDS + 2]),
            reject_code=row[_CHECK_FIELDS + 3],
            reject_message=row[_CHECK_FIELDS + 4],
        )

    def pending_checks(self, limit: int = 500, *, user_id: int | None = None) -> list[CheckRecordIn]:
        """The oldest unsent checks (of one user: a push is made with that user's token)."""
        where, params = ("state = 'pending'", [])
        if user_id is not None:
            where, params = ("user_id = ? AND state = 'pending'", [user_id])
        with self._lock:
            rows = self._conn.execute(
                f"SELECT {_CHECK_COLUMNS}, rev FROM checks WHERE {where} ORDER BY id LIMIT ?",
                (*params, limit),
            ).fetchall()
            # An edit made while the push is in flight must not be marked synced by its answer.
            self._inflight.update({row[0]: row[_CHECK_FIELDS] for row in rows})
        return [record_from_row(row[:_CHECK_FIELDS]) for row in rows]

    def pending_anomalies(self, limit: int = 500, *, user_id: int | None = None) -> list[AnomalyIn]:
        where, params = ("state = 'pending'", [])
        if user_id is not None:
            where, params = ("user_id = ? AND state = 'pending'", [user_id])
        rows = self._query(
            f"SELECT payload_json, version FROM anomalies WHERE {where} ORDER BY id LIMIT ?", (*params, limit)
        )
        return [AnomalyIn.model_validate_json(p).model_copy(update={"base_version": v}) for p, v in rows]

    def mark_pushed(self, resp: PushResponse, now: datetime | None = None) -> None:
        """Apply a push answer in one transaction: accepted -> synced, rejected -> kept with reason."""
        synced_at = iso(now) if now is not None else None
        with self._tx() as conn:
            for accepted in resp.accepted:
                key = str(accepted)
                revision = self._inflight.pop(key, None)
                row = conn.execute("SELECT rev FROM checks WHERE id = ?", (key,)).fetchone()
                if row is not None:
                    if revision is None or revision == row[0]:
                        conn.execute(
                            "UPDATE checks SET state = 'synced', synced_at = ?, reject_code = NULL,"
                            " reject_message = NULL WHERE id = ? AND state = 'pending'",
                            (synced_at, key),
                        )
                    continue
                version = resp.anomaly_versions.get(key)
                conn.execute(
                    "UPDATE anomalies SET state = 'synced', synced_at = ?, version = coalesce(?, version),"
                    " reject_code = NULL, reject_message = NULL WHERE id = ? AND state = 'pending'",
                    (synced_at, version, key),
                )
            for rejected in resp.rejected:
                key = str(rejected.id)
                self._inflight.pop(key, None)
                conn.execute(
                    "UPDATE checks SET state = 'rejected', reject_code = ?, reject_message = ?"
                    " WHERE id = ? AND state = 'pending'",
                    (rejected.code, rejected.message, key),
                )
                state = "conflict" if "conflict" in rejected.code else "rejected"
                conn.execute(
                    "UPDATE anomalies SET state = ?, reject_code = ?, reject_message = ?"
                    " WHERE id = ? AND state = 'pending'",
                    (state, rejected.code, rejected.message, key),
                )

    def rejected_checks(self, limit: int = 1000) -> list[RejectedRow]:
        rows = self._query(
            "SELECT id, venue_id, checked_at, level, masked_name, masked_id, reject_code, reject_message"
            " FROM checks WHERE state = 'rejected' ORDER BY id DESC LIMIT ?",
            (limit,),
        )
        return [
            RejectedRow(
                id=uuid.UUID(r[0]),
                venue_id=r[1],
                checked_at=datetime.fromisoformat(r[2]),
                level=VerdictLevel(r[3]),
                masked_name=r[4],
                masked_id=r[5],
                code=r[6] or "",
                message=r[7] or "",
            )
            for r in rows
        ]

    def retry_rejected(self, ids: Iterable[uuid.UUID] | None = None) -> int:
        """Put rejected checks back in the outbox (e.g. after the permission was restored)."""
        with self._tx() as conn:
            if ids is None:
                cur = conn.execute("UPDATE checks SET state = 'pending' WHERE state = 'rejected'")
                return cur.rowcount
            total = 0
            for check_id in ids:
                cur = conn.execute(
                    "UPDATE checks SET state = 'pending' WHERE id = ? AND state = 'rejected'",
                    (str(check_id),),
                )
                total += cur.rowcount
            return total

    def pending_count(self) -> int:
        """Checks and anomaly registrations not yet acknowledged by the server."""
        return self._state_count("pending") + int(
            self._query("SELECT count(*) FROM anomalies WHERE state = 'pending'")[0][0]
        )

    def rejected_count(self) -> int:
        return self._state_count("rejected")

    def _state_count(self, state: str) -> int:
        rows = self._query("SELECT n FROM state_counts WHERE state = ?", (state,))
        return int(rows[0][0]) if rows else 0

    # ---- anomalies ---------------------------------------------------------------------

    def save_anomaly(self, anomaly: AnomalyIn, user_id: int = 0) -> None:
        """A local edit (new or changed); it goes to the outbox. Names and phones come sealed
        (services/anomalies.py): this device must not be able to read them back."""
        if anomaly.name or anomaly.phone or anomaly.document_number:
            raise ValueError("a registration's name, phone and document are stored only sealed")
        created = as_utc(anomaly.created_at)
        with self._lock:
            self._conn.execute(
                "INSERT INTO anomalies(id, venue_id, check_id, user_id, payload_json, created_at, day)"
                " VALUES (?,?,?,?,?,?,?) ON CONFLICT(id) DO UPDATE SET payload_json = excluded.payload_json,"
                " check_id = excluded.check_id, state = 'pending', reject_code = NULL, reject_message = NULL",
                (
                    str(anomaly.id),
                    anomaly.venue_id,
                    None if anomaly.check_id is None else str(anomaly.check_id),
                    user_id,
                    anomaly.model_dump_json(),
                    iso(created),
                    local_day(created).isoformat(),
                ),
            )

    def anomaly(self, anomaly_id: uuid.UUID) -> LocalAnomaly | None:
        rows = self._query(
            "SELECT payload_json, state, version, reject_code, reject_message FROM anomalies WHERE id = ?",
            (str(anomaly_id),),
        )
        if not rows:
            return None
        payload, state, version, code, message = rows[0]
        return LocalAnomaly(AnomalyIn.model_validate_json(payload), state, version, code, message)

    # ---- statistics --------------------------------------------------------------------

    def day_counts(
        self,
        venue_id: int,
        day: date,
        scope: StatsScope,
        user_id: int,
        checkpoint_id: int | None = None,
    ) -> DayCounts:
        """The server's counts from the last pull + this device's rows it has not counted yet.

        The pull carries no per-checkpoint counts: with a checkpoint the result is only the
        device's uncounted rows there (use the online stats for the full figure). Persons are
        the server's persons + this device's distinct uncounted persons (an upper bound).
        """
        personal = scope is StatsScope.PERSONAL
        user_key = user_id if personal else 0
        day_text = day.isoformat()
        sql = "SELECT hour, level, sum(n) FROM local_counts WHERE venue_id = ? AND day = ?"
        params: list[Any] = [venue_id, day_text]
        if personal:
            sql += " AND user_id = ?"
            params.append(user_id)
        if checkpoint_id is not None:
            sql += " AND checkpoint_key = ?"
            params.append(checkpoint_id)
        sql += " GROUP BY hour, level"
        with self._lock:
            base_row = self._conn.execute(
                "SELECT counts_json FROM server_counts WHERE venue_id = ? AND day = ? AND scope = ?"
                " AND user_key = ? AND checkpoint_key = 0",
                (venue_id, day_text, scope.value, user_key),
            ).fetchone()
            local = self._conn.execute(sql, params).fetchall()
            person_row = self._conn.execute(
                "SELECT n FROM local_person_counts WHERE venue_id = ? AND day = ? AND user_key = ?",
                (venue_id, day_text, user_id if personal else -1),
            ).fetchone()
        base = (
            DayCounts.model_validate_json(base_row[0])
            if base_row is not None and checkpoint_id is None
            else DayCounts(day=day, checked=0, passed=0, review=0, abnormal=0, persons=0)
        )
        return add_local(base, local, person_row[0] if person_row else 0)

    def abnormal_local(
        self, venue_id: int, day: date, user_id: int | None = None, *, limit: int = 500
    ) -> list[AbnormalItem]:
        """This device's DENY and CANNOT_VERIFY checks of a day, newest first, at most `limit`
        (like the server's list): the offline drill-down."""
        sql = (
            "SELECT c.id, c.checked_at, c.checkpoint_id, c.masked_name, c.masked_id, c.level, c.findings_json,"
            " (SELECT a.id FROM anomalies a WHERE a.check_id = c.id LIMIT 1)"
            " FROM checks c WHERE c.venue_id = ? AND c.day = ? AND c.level IN ('deny', 'cannot_verify')"
            " AND c.state != 'rejected'"
        )
        params: list[Any] = [venue_id, day.isoformat()]
        if user_id is not None:
            sql += " AND c.user_id = ?"
            params.append(user_id)
        rows = self._query(sql + " ORDER BY c.id DESC LIMIT ?", [*params, limit])
        items: list[AbnormalItem] = []
        for r in rows:
            listed = [f for f in FINDINGS.validate_json(r[6]) if f.state is not FindingState.OK]
            items.append(
                AbnormalItem(
                    check_id=uuid.UUID(r[0]),
                    checked_at=datetime.fromisoformat(r[1]),
                    checkpoint_id=r[2],
                    masked_name=r[3],
                    masked_id=r[4],
                    level=VerdictLevel(r[5]),
                    reasons=[f.message for f in listed],
                    registered=r[7] is not None,
                    anomaly_id=None if r[7] is None else uuid.UUID(r[7]),
                    # codes with args, as the server answers them (its bound, or the words only)
                    findings=listed if len(listed) <= MAX_FINDINGS else None,
                )
            )
        return items

    # ---- retention ---------------------------------------------------------------------

    def purge(self, now: datetime, retention_days: int) -> int:
        """Remove synced (and rejected) rows older than the retention: their PII leaves the device.
        Pending rows are never removed: they are not on the server yet."""
        cutoff = as_utc(now) - timedelta(days=retention_days)
        cutoff_text, cutoff_day = iso(cutoff), local_day(cutoff).isoformat()
        with self._tx() as conn:
            removed = conn.execute(
                "DELETE FROM checks WHERE state != 'pending' AND checked_at < ?", (cutoff_text,)
            ).rowcount
            removed += conn.execute(
                "DELETE FROM anomalies WHERE state IN ('synced', 'rejected') AND created_at < ?",
                (cutoff_text,),
            ).rowcount
            # Aggregate rows at zero are dead weight; pending rows of old days keep theirs.
            conn.execute("DELETE FROM local_persons WHERE n <= 0")
            conn.execute("DELETE FROM local_person_counts WHERE n <= 0")
            conn.execute("DELETE FROM local_counts WHERE n <= 0")
            conn.execute("DELETE FROM server_counts WHERE day < ?", (cutoff_day,))
        if removed:
            log.info("purged %d rows older than %d days", removed, retention_days)
        return removed
