"""Server settings, from arguments or SHOUMEN_* environment variables."""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass, field, replace
from pathlib import Path


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


@dataclass(frozen=True)
class ServerSettings:
    database_url: str = "sqlite:///shoumen.db"
    public_base_url: str = "http://127.0.0.1:8000"
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
    # Where the key secrets live ("" = the folder beside a SQLite file; PostgreSQL needs it).
    key_dir: str = ""
    # The client address is the TCP peer, unless the peer is one of these proxies (addresses or
    # networks): then client_ip_header names the client ("x-forwarded-for": its right-most entry
    # that is not a trusted proxy; "x-real-ip": the whole header).
    trusted_proxies: tuple[str, ...] = ()
    client_ip_header: str = "x-forwarded-for"
    extra: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # A typo in the proxy list must stop the start, not fail every SMS request later.
        for item in self.trusted_proxies:
            try:
                ipaddress.ip_network(item, strict=False)
            except ValueError:
                raise ValueError(f"SHOUMEN_TRUSTED_PROXIES: {item!r} is not an address or network") from None

    @classmethod
    def from_env(cls, **overrides: object) -> ServerSettings:
        base = cls(
            database_url=os.environ.get("SHOUMEN_DATABASE_URL", cls.database_url),
            public_base_url=os.environ.get("SHOUMEN_PUBLIC_BASE_URL", cls.public_base_url),
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
        )
        numbers = _env_ints(
            "sms_max_per_day",
            "sms_max_per_client_hour",
            "sms_max_per_hour_login",
            "sms_max_per_hour_visitor",
            "personal_code_max_lifetime_hours",
        )
        return replace(base, **{**numbers, **overrides})  # type: ignore[arg-type]


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"
