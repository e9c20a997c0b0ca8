"""Property-based run of every `/api/v1` operation against its OpenAPI description.

Schemathesis drives the ASGI app in-process (no socket), logged in as the demo owner (and as the
demo supervisor for the region and on-behalf operations, so those get past the role check), and
fails the test on any 5xx answer. Generated ids are aimed at the demo venues half of the time,
so requests reach past the permission checks into the handlers and the database.

Response bodies are also checked against their documented schema where the status code is
documented (`response_schema_conformance`). Deterministic: one fixed seed per operation.
SQLite only here, to keep the run bounded on a small machine (about 30 s); set
`SHOUMEN_SCHEMATHESIS_DB=<SQLAlchemy URL of an empty database>` to run it by hand against
PostgreSQL (NUL characters in text, 32-bit ids and other PostgreSQL-only failures).
"""

from __future__ import annotations

import os
import zlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import hypothesis.strategies as st
import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, seed, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error, response_schema_conformance
from sqlalchemy import select

from shoumen_core.timeutil import local_day
from shoumen_server.app import create_app
from shoumen_server.models import Checkpoint, User
from shoumen_server.routers.auth import new_token
from shoumen_server.seed import HOSPITAL_STAFF, SUPERVISOR, seed_demo
from shoumen_server.settings import ServerSettings
from shoumen_server.setup_db import migrate_database
from shoumen_server.sms import DevSmsGateway
from tests.server.conftest import KEYS_CREATED_AT, FakeClock, Server
from tests.server.fixtures_sync import anomaly, check, push
from tests.server.journeys import API, error_code, register_venue, venue_body

MAX_EXAMPLES = int(os.environ.get("SHOUMEN_SCHEMATHESIS_EXAMPLES", "25"))
SEED = int(os.environ.get("SHOUMEN_SCHEMATHESIS_SEED", "20221"))
OWNER_PHONE = "13900000001"  # 张店主, owner of the demo hospital
DEMO_DOCUMENT = "330624198503121012"  # docs/DEMO.md #1, green
REGION_OPERATIONS = ("/regions/", "/venues/on-behalf")
FRESH_TOKEN_OPERATIONS = ("/auth/logout", "/auth/refresh")  # they end the session they use

CONFIG = schemathesis.Config.from_dict({"seed": SEED, "generation": {"database": "none"}})


def _operation_labels() -> list[str]:
    """Every operation of the OpenAPI description, read from an app that never opens its database."""
    app = create_app(ServerSettings(database_url="sqlite://"), sms=DevSmsGateway())
    try:
        spec = app.openapi()
    finally:
        app.state.engine.dispose()
    return [f"{method.upper()} {path}" for path, item in spec["paths"].items() for method in item]


@dataclass
class DemoApi:
    """The app on a seeded demo database, with tokens and the ids worth aiming at."""

    app: FastAPI
    owner_token: str
    supervisor_token: str
    venue_id: int
    checkpoint_id: int
    region_code: str
    staff_user_id: int
    today: str

    @property
    def real(self) -> dict[str, object]:
        return {
            "venue_id": self.venue_id,
            "checkpoint_id": self.checkpoint_id,
            "region_code": self.region_code,
            "user_id": self.staff_user_id,
            "venue_ids": str(self.venue_id),
            "date": self.today,
            "start": self.today,
            "end": self.today,
            "format": "csv",
        }

    def token(self, phone: str) -> str:
        ctx = self.app.state.ctx
        with ctx.sessions() as session, session.begin():
            user = session.scalar(select(User).where(User.phone == phone))
            assert user is not None
            return new_token(ctx, session, user, "schemathesis").token

    def headers_for(self, path: str) -> dict[str, str]:
        if path.endswith(FRESH_TOKEN_OPERATIONS):
            token = self.token(OWNER_PHONE)
        elif any(part in path for part in REGION_OPERATIONS):
            token = self.supervisor_token
        else:
            token = self.owner_token
        return {"Authorization": f"Bearer {token}"}

    def aim(self, value: Any) -> Any:
        """The same request with its ids, dates and document numbers replaced by ones of the
        demo (bodies included), so it gets past the permission and lookup checks."""
        if isinstance(value, list):
            return [self.aim(item) for item in value]
        if not isinstance(value, dict):
            return value
        out = {key: self.aim(item) for key, item in value.items()}
        for key, replacement in self.real.items():
            if out.get(key) is not None:
                out[key] = replacement
        if isinstance(out.get("document"), dict):
            out["document"] = {**out["document"], "number": DEMO_DOCUMENT}
            out.pop("personal_code", None)
        return out


@pytest.fixture(scope="module")
def demo_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoApi]:
    url = (
        os.environ.get("SHOUMEN_SCHEMATHESIS_DB")
        or f"sqlite:///{Path(tmp_path_factory.mktemp('st')) / 'demo.db'}"
    )
    migrate_database(url, now=KEYS_CREATED_AT)
    clock = FakeClock()
    app = create_app(
        ServerSettings(database_url=url, public_base_url="https://shoumen.test"),
        sms=DevSmsGateway(),
        clock=clock,
    )
    ctx = app.state.ctx
    result = seed_demo(ctx.sessions, ctx.keys, clock())
    assert result.created
    with ctx.sessions() as session:
        hospital = result.venue_ids[0]
        checkpoint = session.scalar(select(Checkpoint.id).where(Checkpoint.venue_id == hospital).limit(1))
        assert checkpoint is not None
        staff = session.scalar(select(User.id).where(User.phone == HOSPITAL_STAFF[0][0]))
        assert staff is not None
    today = local_day(clock()).isoformat()
    api = DemoApi(app, "", "", hospital, checkpoint, SUPERVISOR[2], staff, today)
    api.owner_token = api.token(OWNER_PHONE)
    api.supervisor_token = api.token(SUPERVISOR[0])
    yield api
    app.state.engine.dispose()


@pytest.fixture(scope="module")
def api_schema(demo_api: DemoApi) -> schemathesis.BaseSchema:
    return schemathesis.openapi.from_asgi("/api/v1/openapi.json", demo_api.app, config=CONFIG)


@pytest.mark.parametrize("label", _operation_labels())
def test_no_server_error(label: str, api_schema: schemathesis.BaseSchema, demo_api: DemoApi) -> None:
    """Valid and invalid requests alike: every answer is below 500 and, where the status is
    documented, matches its response schema."""
    operation = api_schema.find_operation_by_label(label)
    assert operation is not None, label
    cases = st.one_of(
        operation.as_strategy(GenerationMode.POSITIVE), operation.as_strategy(GenerationMode.NEGATIVE)
    )

    @given(case=cases, aimed=st.booleans())
    @seed(SEED + zlib.crc32(label.encode()))  # deterministic, and different for each operation
    @settings(
        max_examples=MAX_EXAMPLES,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    def run(case: schemathesis.Case[Any], aimed: bool) -> None:
        if aimed:
            if case.path_parameters:
                case.path_parameters = demo_api.aim(case.path_parameters)
            if isinstance(case.query, dict):
                case.query = demo_api.aim(case.query)
            if isinstance(case.body, dict | list):
                case.body = demo_api.aim(case.body)
        response = case.call_and_validate(
            headers=demo_api.headers_for(case.operation.path),
            checks=[not_a_server_error, response_schema_conformance],
        )
        statuses[response.status_code] += 1

    statuses: Counter[int] = Counter()
    run()
    assert 401 not in statuses, statuses  # every case really ran logged in


# ---- what the property runs found, pinned on both backends ----------------------------------

NUL = "\x00"
EXTREME_MOMENTS = ("0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00", "9999-12-31T20:00:00+00:00")


def test_ids_past_32_bits_are_refused_not_500(server: Server) -> None:
    venue_id, owner = register_venue(server)
    body = {"document": {"number": DEMO_DOCUMENT}}
    r = server.client.post(f"{API}/venues/{2**63}/lookup", json=body, headers=owner)
    assert (r.status_code, error_code(r)) == (422, "invalid_request")
    r = server.client.post(
        f"{API}/venues/{venue_id}/lookup", json=body | {"checkpoint_id": 2**63}, headers=owner
    )
    assert (r.status_code, error_code(r)) == (422, "bad_checkpoint")


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/venues", venue_body(name=f"超市{NUL}")),
        ("PATCH", "/venues/{venue}", {"township": f"南明{NUL}街道"}),
        ("POST", "/venues/{venue}/checkpoints", {"name": f"北门{NUL}"}),
        ("POST", "/venues/{venue}/staff", {"name": f"李{NUL}四", "phone": "13900000009"}),
        ("POST", "/venues/{venue}/lookup", {"document": {"number": DEMO_DOCUMENT, "kind": NUL}}),
        ("POST", "/sync/push", {"device_id": f"tablet{NUL}", "checks": []}),
        ("POST", "/auth/login", {"phone": "13900000001", "code": "123456", "device_name": NUL}),
    ],
)
def test_text_with_a_nul_character_is_refused_not_500(
    server: Server, method: str, path: str, body: dict[str, Any]
) -> None:
    """PostgreSQL cannot store NUL: request models refuse it on both backends alike."""
    venue_id, owner = register_venue(server)
    r = server.client.request(method, API + path.format(venue=venue_id), json=body, headers=owner)
    assert (r.status_code, error_code(r)) == (422, "invalid_request"), r.text
    assert r.json()["error"]["detail"]["fields"]


@pytest.mark.parametrize("moment", EXTREME_MOMENTS)
def test_moments_without_a_utc_or_local_day_are_refused_not_500(server: Server, moment: str) -> None:
    venue_id, owner = register_venue(server)
    pushed = push(server, owner, [check(venue_id, at=None, checked_at=moment)])
    assert (pushed.status_code, error_code(pushed)) == (422, "invalid_request")
    registration = anomaly(venue_id, created_at=moment)
    r = server.client.post(f"{API}/venues/{venue_id}/anomalies", json=registration, headers=owner)
    assert (r.status_code, error_code(r)) == (422, "invalid_request")
    assert r.json()["error"]["detail"]["fields"] == ["created_at"]


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "1999-12-31", "2100-01-01"])
def test_days_out_of_range_are_refused_not_500(server: Server, day: str) -> None:
    venue_id, owner = register_venue(server)
    for url in (
        f"{API}/venues/{venue_id}/stats?date={day}",
        f"{API}/venues/{venue_id}/abnormal?date={day}",
        f"{API}/venues/{venue_id}/anomalies?date={day}",
        f"{API}/venues/{venue_id}/export?start={day}&end={day}",
    ):
        r = server.client.get(url, headers=owner)
        assert (r.status_code, error_code(r)) == (422, "bad_date"), url
    r = server.client.get(f"{API}/venues/{venue_id}/stats?date=2099-12-31", headers=owner)
    assert r.status_code == 200, r.text
