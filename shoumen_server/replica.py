"""Reads that may lag go to a streaming replica (DESIGN §5; SHOUMEN_DATABASE_REPLICA_URL).

Statistics, abnormal lists, region views and exports read from the replica (`deps.ReadDb`);
everything that writes, checks who the caller is and what they may do, or must see its own
write (the push answer, an anomaly save, sync pull's counts, which a station adds its unsynced
rows to) stays on the primary (`deps.Db`).

- Replica down (the connection cannot be made): the read goes to the primary. The outage is
  logged once when it starts and once when it ends, never per request; while it lasts the
  replica is tried again only every RETRY_SECONDS, so requests do not each pay a connect
  timeout.
- Replica lost in the middle of a read (reachable at the start of the request, gone before
  its query ended): that one request is answered 503 `database_unavailable` with Retry-After,
  like an outage of the primary (the route cannot be run again on the primary half-way), but
  it is not counted as one (`deps.read_db_session` raises `ReplicaLost`); the replica is marked
  down at once, so the client's retry and every read after it go to the primary.
- Replica behind (`replica_max_lag_seconds`, off by default): when the replica has received WAL
  it has not replayed and its last replayed commit is older than the limit, reads go to the
  primary. A replica that has replayed all it received is not behind, however old its last
  commit (an idle primary writes none). Measured at most once per LAG_CHECK_SECONDS.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from shoumen_core.timeutil import utcnow

log = logging.getLogger("shoumen.server.replica")

RETRY_SECONDS = 5.0
LAG_CHECK_SECONDS = 1.0

_LAG = text(
    "SELECT pg_last_wal_receive_lsn() IS NOT DISTINCT FROM pg_last_wal_replay_lsn(), "
    "pg_last_xact_replay_timestamp()"
)


class ReadSessions:
    """Makes the session of a lag-tolerant read: on the replica when there is one and it is up
    (and not too far behind), else on the primary. Thread-safe; one per app."""

    def __init__(
        self,
        primary: sessionmaker[Session],
        replica: sessionmaker[Session] | None = None,
        *,
        max_lag_seconds: float | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.primary = primary
        self.replica = replica
        self.max_lag = None if max_lag_seconds is None else timedelta(seconds=max_lag_seconds)
        self.clock = clock  # wall time, compared with the replica's replay timestamps
        self._lock = threading.Lock()
        self._down_since: datetime | None = None
        self._retry_at: datetime | None = None
        self._lag_checked_at: datetime | None = None
        self._too_far_behind = False

    @property
    def replica_down(self) -> bool:
        return self._down_since is not None

    def __call__(self) -> Session:
        """A session on the replica, or failing that a new one on the primary."""
        session = self.replica_session()
        return session if session is not None else self.primary()

    def replica_session(self) -> Session | None:
        """A session on the replica when there is one, up and not too far behind; else None
        (the caller reads on the primary, e.g. in the request's own session)."""
        replica = self.replica
        if replica is None:
            return None
        now = self.clock()
        with self._lock:
            if self._retry_at is not None and now < self._retry_at:
                return None
        session = replica()
        try:
            session.connection()  # connect now, so a dead replica is found here and not mid-route
            behind = self._behind(session, now)
        except DBAPIError as exc:
            session.close()
            self._went_down(now, exc)
            return None
        self._came_back()
        if behind:
            session.close()
            return None
        return session

    def _behind(self, session: Session, now: datetime) -> bool:
        if self.max_lag is None:
            return False
        with self._lock:
            if self._lag_checked_at is not None and now - self._lag_checked_at < timedelta(
                seconds=LAG_CHECK_SECONDS
            ):
                return self._too_far_behind
        caught_up, replayed_at = session.execute(_LAG).one()
        behind = not caught_up and replayed_at is not None and now - replayed_at > self.max_lag
        session.rollback()  # the lag query's snapshot is not the route's
        with self._lock:
            if behind != self._too_far_behind:
                if behind:
                    log.warning("read replica is more than %s behind: reads go to the primary", self.max_lag)
                else:
                    log.info("read replica has caught up: reads go to it again")
            self._too_far_behind = behind
            self._lag_checked_at = now
        return behind

    def lost(self, exc: BaseException) -> None:
        """The replica failed in the middle of a read (it was reachable a moment before): the
        reads after it go to the primary at once, not after a connect attempt each."""
        self._went_down(self.clock(), exc)

    def _went_down(self, now: datetime, exc: BaseException) -> None:
        with self._lock:
            first = self._down_since is None
            if first:
                self._down_since = now
            self._retry_at = now + timedelta(seconds=RETRY_SECONDS)
        if first:
            # The error's class only: its text may carry the replica's address and user.
            cause = exc.orig if isinstance(exc, DBAPIError) else exc
            log.warning("read replica unreachable (%s): reads go to the primary", type(cause).__name__)

    def _came_back(self) -> None:
        with self._lock:
            if self._down_since is None:
                return
            down_since, self._down_since, self._retry_at = self._down_since, None, None
        log.info("read replica reachable again after an outage since %s", down_since.isoformat())
