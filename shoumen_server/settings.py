"""Server settings, from arguments or SHOUMEN_* environment variables."""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from urllib.parse import urlsplit

from shoumen_core.urls import UrlReach, classify_url


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_ints(*names: str) -> dict[str, int]:
    """SHOUMEN_<NAME> for each settings field given, when set."""
    found: dict[str, int] = {}
    for name in names:
        value = os.environ.get(f"SHOUMEN_{name.upper()}")
        if value is not None:
            found[name] = int(value)
    return found


def _env_list(name: str, default: tuple[str, ...]) -> tuple[str, ...]:
    value = os.environ.get(name)
    if value is None:
        return default
    return tuple(item.strip() for item in value.split(",") if item.strip())


MAX_POOL = 100  # per worker: PostgreSQL's default max_connections for the whole server

# Seconds an idle keep-alive connection stays open, in both kinds of serve: longer than nginx's
# upstream keepalive_timeout (60 s, deploy/nginx/shoumen.conf), so nginx is always the side that
# closes an idle connection. The other way round (uvicorn's and gunicorn's default is 5 s) the
# server closes a connection just as nginx hands it a station's POST, and nginx answers that
# lookup or push 502 without retrying it (it retries only requests safe to repeat).
KEEP_ALIVE_SECONDS = 75


def _env_float(name: str) -> float | None:
    value = os.environ.get(name, "").strip()
    return float(value) if value else None


@dataclass(frozen=True)
class ServerSettings:
    database_url: str = "sqlite:///shoumen.db"
    # A streaming replica of database_url for reads that may lag (shoumen_server.replica).
    database_replica_url: str | None = None
    replica_max_lag_seconds: float | None = None  # None: no limit
    # What venue codes point at. The default only serves demo mode: `serve` outside it refuses
    # to start unless SHOUMEN_PUBLIC_BASE_URL names a public https URL (public_url_refusal).
    public_base_url: str = "http://127.0.0.1:8000"
    # An intranet deployment's explicit choice: a private or loopback host may carry the codes
    # (visitors' phones must then be on that network); https is still required.
    allow_private_base_url: bool = False
    demo_mode: bool = False  # the dev SMS gateway may reveal codes; the seed data exists
    token_ttl_hours: int = 12
    sms_code_ttl_seconds: int = 300
    # SMS quotas (issue 13 §4), each counted per purpose ("login" = staff app, "visitor" = the
    # venue-code page), so the public page can never use up a staff member's codes.
    sms_min_interval_seconds: int = 60  # per phone
    sms_max_per_day: int = 10  # per phone
    sms_max_per_client_hour: int = 20  # per client address
    sms_max_per_hour_login: int = 2000  # all phones together
    sms_max_per_hour_visitor: int = 20000
    sms_max_attempts: int = 5
    check_retention_days: int = 28
    audit_retention_days: int = 180
    trust_list_validity_days: int = 7
    personal_code_ttl_hours: int = 24
    personal_code_max_lifetime_hours: int = 24  # a code valid for longer is refused
    purge_interval_seconds: int = 24 * 3600
    # Lookup rate limits (shoumen_server.ratelimit), token buckets: a refill rate per minute and
    # a burst. A real gate lets one person through every ~3 s per checkpoint, in bursts of up to
    # 20 (a bus arriving): the staff and per-checkpoint rates (one every 2 s) leave headroom over
    # that and stop a scraper at ~43 000 lookups a day instead of ~13 million (150/s).
    lookup_staff_per_minute: float = 30.0
    lookup_staff_burst: int = 20
    lookup_venue_per_minute: float = 30.0  # per active checkpoint (at least one)
    lookup_venue_burst: int = 20  # per active checkpoint
    lookup_venue_max_checkpoints: int = 10  # checkpoints are free to add: the scaling stops here
    # The whole region (a county): well over its busiest minute (a few hundred checks a second),
    # a ceiling for many venues scraping together rather than a limit a gate ever meets.
    lookup_region_per_minute: float = 30000.0
    lookup_region_burst: int = 3000
    # Enumeration alert (shoumen_server.lookup_watch): a venue-day is flagged when, among at
    # least `watch_min_documents` document lookups, the share of unknown numbers reaches
    # `watch_unknown_share`, or `watch_sequential` lookups followed their predecessor in sequence,
    # or the venue was refused `watch_limited` lookups for exceeding its limits.
    watch_min_documents: int = 30
    watch_unknown_share: float = 0.5
    watch_sequential: int = 10
    watch_limited: int = 20
    # Where the key secrets live ("" = the folder beside a SQLite file; PostgreSQL needs it).
    key_dir: str = ""
    # The client address is the TCP peer, unless the peer is one of these proxies (addresses or
    # networks): then client_ip_header names the client ("x-forwarded-for": its right-most entry
    # that is not a trusted proxy; "x-real-ip": the whole header).
    trusted_proxies: tuple[str, ...] = ()
    client_ip_header: str = "x-forwarded-for"
    # A request body over this is refused (413 body_too_large) before it is parsed. A station
    # pushes 100 checks + 100 registrations at a time: at every field's maximum about 2.3 MB.
    max_body_bytes: int = 4 * 1024 * 1024
    # A login's absolute lifetime: refreshing renews the token, never past this (issue 13 §5).
    session_max_days: int = 7
    # The connection pool of ONE worker process (shoumen_server.db.make_engine): `serve
    # --workers N` opens up to N x (db_pool_size + db_max_overflow) connections to PostgreSQL,
    # which must stay under its max_connections (100 by default; serve warns when it does not).
    # A worker serves as many requests at once as the pool keeps connections (db_pool_size:
    # deps.db_slot, the others wait their turn on the event loop); most hold one for a few
    # milliseconds. The overflow is for what runs beside them (an export streaming after its
    # request's slot is freed): an overflow connection is closed as soon as it is handed back.
    # A request waits at most db_pool_timeout seconds for a connection (then 503).
    db_pool_size: int = 5
    db_max_overflow: int = 10
    db_pool_timeout: float = 10.0
    # Who may read /metrics (shoumen_server.metrics): addresses or networks of the TCP peer.
    # Loopback by default: the figures reveal traffic (how many lookups, pushes, logins).
    metrics_allow: tuple[str, ...] = ("127.0.0.1/32", "::1/128")
    extra: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # A typo in the proxy list must stop the start, not fail every SMS request later.
        for name, items in (("TRUSTED_PROXIES", self.trusted_proxies), ("METRICS_ALLOW", self.metrics_allow)):
            for item in items:
                try:
                    ipaddress.ip_network(item, strict=False)
                except ValueError:
                    raise ValueError(f"SHOUMEN_{name}: {item!r} is not an address or network") from None
        # Bounded: a pool of 0 deadlocks every request, and a typo like 500 per worker would
        # exhaust PostgreSQL's connections with two workers.
        for name, value, low, high in (
            ("DB_POOL_SIZE", self.db_pool_size, 1, MAX_POOL),
            ("DB_MAX_OVERFLOW", self.db_max_overflow, 0, MAX_POOL),
            ("DB_POOL_TIMEOUT", self.db_pool_timeout, 0.1, 300),
        ):
            if not low <= value <= high:
                raise ValueError(f"SHOUMEN_{name}: {value} is outside {low}..{high}")

    @property
    def pool_connections(self) -> int:
        """The most connections one worker process opens."""
        return self.db_pool_size + self.db_max_overflow

    @classmethod
    def from_env(cls, **overrides: object) -> ServerSettings:
        base = cls(
            database_url=os.environ.get("SHOUMEN_DATABASE_URL", cls.database_url),
            database_replica_url=os.environ.get("SHOUMEN_DATABASE_REPLICA_URL") or None,
            replica_max_lag_seconds=_env_float("SHOUMEN_REPLICA_MAX_LAG_SECONDS"),
            public_base_url=os.environ.get("SHOUMEN_PUBLIC_BASE_URL", cls.public_base_url),
            allow_private_base_url=_env_bool("SHOUMEN_ALLOW_PRIVATE_BASE_URL", False),
            demo_mode=_env_bool("SHOUMEN_DEMO_MODE", False),
            check_retention_days=int(
                os.environ.get("SHOUMEN_CHECK_RETENTION_DAYS", cls.check_retention_days)
            ),
            audit_retention_days=int(
                os.environ.get("SHOUMEN_AUDIT_RETENTION_DAYS", cls.audit_retention_days)
            ),
            key_dir=os.environ.get("SHOUMEN_KEY_DIR", ""),
            trusted_proxies=tuple(
                item.strip()
                for item in os.environ.get("SHOUMEN_TRUSTED_PROXIES", "").split(",")
                if item.strip()
            ),
            client_ip_header=os.environ.get("SHOUMEN_CLIENT_IP_HEADER", cls.client_ip_header).strip().lower(),
            max_body_bytes=int(os.environ.get("SHOUMEN_MAX_BODY_BYTES", cls.max_body_bytes)),
            session_max_days=int(os.environ.get("SHOUMEN_SESSION_MAX_DAYS", cls.session_max_days)),
            db_pool_timeout=float(os.environ.get("SHOUMEN_DB_POOL_TIMEOUT", cls.db_pool_timeout)),
            metrics_allow=_env_list("SHOUMEN_METRICS_ALLOW", cls.metrics_allow),
        )
        tuned: dict[str, object] = {
            **_env_ints(
                "sms_max_per_day",
                "sms_max_per_client_hour",
                "sms_max_per_hour_login",
                "sms_max_per_hour_visitor",
                "personal_code_max_lifetime_hours",
                "db_pool_size",
                "db_max_overflow",
            )
        }
        for item in fields(cls):
            if item.name.startswith(("lookup_", "watch_")):
                value = os.environ.get(f"SHOUMEN_{item.name.upper()}")
                if value is not None:
                    tuned[item.name] = float(value) if item.type == "float" else int(value)
        return replace(base, **{**tuned, **overrides})  # type: ignore[arg-type]


_REFUSALS: dict[UrlReach, str] = {
    UrlReach.INVALID: (
        "不是可用的 https 地址 / is not an http(s) URL a poster can carry "
        "(no user info, query or fragment; at most 512 characters)"
    ),
    UrlReach.LOOPBACK: (
        "指向本机，访客手机无法打开 / points at this machine (loopback): visitors' phones cannot open it"
    ),
    UrlReach.PRIVATE: (
        "指向内网地址，访客手机可能无法打开 / names a private, link-local or intranet host: visitors' "
        "phones outside that network cannot open it (SHOUMEN_ALLOW_PRIVATE_BASE_URL=1 allows it "
        "for an intranet deployment)"
    ),
    UrlReach.PLAIN_HTTP: (
        "未使用 https，访客信息可能被窃听 / is plain http: visitors' phone numbers and SMS codes "
        "would travel in clear text"
    ),
}


def public_url_refusal(public_base_url: str | None, *, allow_private: bool) -> str | None:
    """Why `serve` outside demo mode must not start on this base URL, or None when it may.
    Every printed venue code carries it, so a dead one makes every poster dead."""
    if not public_base_url:
        return (
            "未设置场所码公网地址 / no public base URL: set SHOUMEN_PUBLIC_BASE_URL (or "
            "--public-base-url) to the https address visitors' phones reach, e.g. "
            "https://shoumen.example.gov.cn; or run with --demo"
        )
    reach = classify_url(public_base_url)
    if allow_private and reach in (UrlReach.PRIVATE, UrlReach.LOOPBACK):
        # classify_url names the worst problem only; the intranet allowance waives the host's
        # reach, never https.
        https = urlsplit(public_base_url).scheme.lower() == "https"
        reach = UrlReach.PUBLIC if https else UrlReach.PLAIN_HTTP
    if reach is UrlReach.PUBLIC:
        return None
    if reach is UrlReach.INVALID:  # not echoed: it may carry a password in its user info
        return f"SHOUMEN_PUBLIC_BASE_URL {_REFUSALS[reach]}"
    return f"SHOUMEN_PUBLIC_BASE_URL {public_base_url!r} {_REFUSALS[reach]}"


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"
