"""Server settings, from arguments or SHOUMEN_* environment variables."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class ServerSettings:
    database_url: str = "sqlite:///shoumen.db"
    public_base_url: str = "http://127.0.0.1:8000"
    demo_mode: bool = False  # the dev SMS gateway may reveal codes; the seed data exists
    token_ttl_hours: int = 12
    sms_code_ttl_seconds: int = 300
    sms_min_interval_seconds: int = 60
    sms_max_per_day: int = 10
    sms_max_attempts: int = 5
    check_retention_days: int = 28
    audit_retention_days: int = 180
    trust_list_validity_days: int = 7
    personal_code_ttl_hours: int = 24
    purge_interval_seconds: int = 24 * 3600
    # A request body over this is refused (413 body_too_large) before it is parsed. A station
    # pushes 100 checks + 100 registrations at a time: at every field's maximum about 2.3 MB.
    max_body_bytes: int = 4 * 1024 * 1024
    # A login's absolute lifetime: refreshing renews the token, never past this (issue 13 §5).
    session_max_days: int = 7
    extra: dict[str, str] = field(default_factory=dict)

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
            max_body_bytes=int(os.environ.get("SHOUMEN_MAX_BODY_BYTES", cls.max_body_bytes)),
            session_max_days=int(os.environ.get("SHOUMEN_SESSION_MAX_DAYS", cls.session_max_days)),
        )
        return replace(base, **overrides)  # type: ignore[arg-type]


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"
