"""No personal data in logs (DESIGN §7): not in any log record, not in a URL an access log shows.

A full journey on the demo data, on both backends, with every logger open (root at DEBUG, SQL
echo on): SMS logins of an owner and a guard, a venue registration, staff added, lookups by
personal code and by ID number, a failed lookup, a push of checks and anomaly registrations
carrying names, phones and document numbers, stats, the abnormal list, exports, the full-details
view, and the visitor's page (phone, SMS code, declaration). Then no record — message, arguments
or exception text — may hold a full ID number, a full phone number or a full name of a person
the journey touched, and no request URL (what uvicorn's access log writes) may hold one either.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi.routing import APIRoute
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from shoumen_core.codes import b64url_encode, seal
from shoumen_server import visitor
from shoumen_server.app import create_app
from shoumen_server.deps import ServerContext
from shoumen_server.health import RegistryHealthSource, issue_code_for
from shoumen_server.seed import DEMO_PATHS, HOSPITAL_OWNER, HOSPITAL_STAFF, SHOP_OWNER, SUPERVISOR, seed_demo
from shoumen_server.settings import ServerSettings
from tests.server.conftest import Server
from tests.server.fixtures_sync import TODAY, check, local
from tests.server.journeys import API, venue_body

# The persons of docs/DEMO.md the journey uses, by path; their phones are 1370000000N.
VISITOR = DEMO_PATHS[0]  # green_fresh 陈建国: looked up, self check-in on the venue page
RED = DEMO_PATHS[7]  # red 黄金龙: looked up by code, registered as an anomaly
NO_CODE = DEMO_PATHS[8]  # no_code 欧阳娜娜: typed offline (sealed), registered
HK = DEMO_PATHS[15]  # hk_pass_no_code 陈嘉欣: a Hong Kong/Macao pass
VISITOR_PHONE, RED_PHONE, NO_CODE_PHONE = "13700000001", "13700000008", "13700000009"
NEW_OWNER = ("13912345678", "钱多多")  # registers a venue of their own in the journey
NEW_STAFF = ("13987654321", "孙守门")
WRONG_ID = VISITOR.number[:-1] + ("0" if VISITOR.number[-1] != "0" else "1")  # bad check digit

# What an access log may show of a request: ids, dates and codes, never a person.
QUERY_AND_PATH_PARAMETERS = {
    "venue_id",
    "checkpoint_id",
    "user_id",
    "anomaly_id",
    "check_id",
    "device_id",  # an enrolled station's row id (设备绑定)
    "region_code",
    "venue_ids",
    "date",
    "start",
    "end",
    "days",
    "scope",
    "findings",  # a flag: the abnormal lists also answer codes with args
    "format",
    "cursor",
    "scale",
    "token",
    "rest",
}

PHONE_RE = re.compile(r"(?<![0-9A-Za-z])1[3-9]\d{9}(?![0-9A-Za-z])")
RESIDENT_ID_RE = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
CSRF_RE = re.compile(r'name="csrf" value="([^"]+)"')
FORM_RE = re.compile(r"<form\b[^>]*>", re.IGNORECASE)


def personal_data() -> set[str]:
    """Every full name, phone and document number the journey sends or the demo holds for the
    accounts and persons it touches."""
    people = {SUPERVISOR[:2], HOSPITAL_OWNER, *HOSPITAL_STAFF, SHOP_OWNER, NEW_OWNER, NEW_STAFF}
    found = {value for person in people for value in person}
    for path in DEMO_PATHS:
        found |= {path.name, path.number}
    return found | {VISITOR_PHONE, RED_PHONE, NO_CODE_PHONE, WRONG_ID}


def leaks(text_: str, secrets: set[str]) -> list[str]:
    hits = [secret for secret in secrets if secret in text_]
    hits += PHONE_RE.findall(text_) + RESIDENT_ID_RE.findall(text_)
    return hits


@dataclass
class Journey:
    """The test server plus a record of every URL requested and redirected to."""

    server: Server
    urls: list[str] = field(default_factory=list)

    @property
    def ctx(self) -> ServerContext:
        ctx: ServerContext = self.server.client.app.state.ctx  # type: ignore[attr-defined]
        return ctx

    def call(self, method: str, url: str, *, expect: int, **kwargs: Any) -> Any:
        client = kwargs.pop("client", self.server.client)
        r = client.request(method, url, follow_redirects=False, **kwargs)
        self.urls.append(url)
        if "location" in r.headers:
            self.urls.append(r.headers["location"])
        assert r.status_code == expect, (method, url, r.status_code, r.text[:300])
        return r

    def login(self, phone: str) -> dict[str, str]:
        r = self.call("POST", f"{API}/auth/sms-code", json={"phone": phone}, expect=200)
        code = self.server.sms.latest_code(phone)
        assert r.json()["sent"] and code is not None
        body = {"phone": phone, "code": code, "device_name": "门岗平板"}
        r = self.call("POST", f"{API}/auth/login", json=body, expect=200)
        self.server.clock.advance(seconds=61)
        return {"Authorization": f"Bearer {r.json()['token']}"}

    def personal_code(self, number: str) -> str:
        with self.ctx.sessions() as session:
            record = RegistryHealthSource(session, self.ctx.keys).find_by_document(
                "resident_id" if len(number) == 18 else "hk_macao_pass", number
            )
        assert record is not None
        return issue_code_for(self.ctx, record, self.server.clock())


def staff_journey(j: Journey) -> None:
    """Everything a guard, an owner and a supervisor do in a day, with real personal data."""
    seed_demo(j.ctx.sessions, j.ctx.keys, j.server.clock())
    owner = j.login(HOSPITAL_OWNER[0])
    guard = j.login(HOSPITAL_STAFF[0][0])
    supervisor = j.login(SUPERVISOR[0])
    venue_id = j.call("GET", f"{API}/me", headers=owner, expect=200).json()["venues"][0]["venue_id"]

    # A new owner registers a venue and adds a guard; the hospital's owner adds one too.
    new_owner = j.login(NEW_OWNER[0])
    body = venue_body(name="南明街道菜场", contact_phone=NEW_OWNER[0])
    new_venue = j.call("POST", f"{API}/venues", json=body, headers=new_owner, expect=201).json()["id"]
    staff = {"name": NEW_STAFF[1], "phone": NEW_STAFF[0]}
    j.call("POST", f"{API}/venues/{new_venue}/staff", json=staff, headers=new_owner, expect=201)
    j.call("GET", f"{API}/regions/330624/pending-venues", headers=supervisor, expect=200)
    reason = {"reason": f"负责人{NEW_STAFF[1]}电话{NEW_STAFF[0]}与执照不符"}
    j.call("POST", f"{API}/venues/{new_venue}/reject", json=reason, headers=supervisor, expect=200)
    j.call("POST", f"{API}/venues/{new_venue}/approve", headers=supervisor, expect=200)
    j.call("POST", f"{API}/venues/{venue_id}/staff", json=staff, headers=owner, expect=201)
    j.call("GET", f"{API}/venues/{venue_id}/staff", headers=owner, expect=200)

    # Lookups: personal codes, ID numbers, a Hong Kong pass, a typing error, an unknown person.
    lookup = f"{API}/venues/{venue_id}/lookup"
    for code_of in (VISITOR.number, RED.number, HK.number):
        body = {"personal_code": j.personal_code(code_of), "temperature": 36.6}
        j.call("POST", lookup, json=body, headers=guard, expect=200)
    for number in (VISITOR.number, NO_CODE.number, RED.number):
        j.call("POST", lookup, json={"document": {"number": number}}, headers=guard, expect=200)
    r = j.call("POST", lookup, json={"document": {"number": WRONG_ID}}, headers=guard, expect=422)
    assert r.json()["error"]["code"] == "bad_checksum"
    r = j.call("POST", lookup, json={"document": {"number": "330624198503121020"}}, headers=guard, expect=200)
    assert r.json()["level"] == "cannot_verify"

    # A push: checks (one typed offline and sealed, one refused), and registrations in full.
    sealed = b64url_encode(seal(NO_CODE.number.encode(), j.ctx.keys.sealing_public))
    checks = [
        check(venue_id, level="deny", masked_name="黄**", at=local(TODAY, 9, 5)),
        check(venue_id, level="cannot_verify", method="document", sealed_document=sealed, at=local(TODAY, 9)),
        check(venue_id, level="review", person_ref="P\x00", masked_name="欧阳**"),
    ]
    anomalies = [
        registration(venue_id, checks[0]["id"], RED, RED_PHONE, "red_code"),
        registration(venue_id, checks[1]["id"], NO_CODE, NO_CODE_PHONE, "no_code"),
    ]
    body = {"device_id": "门岗平板-1", "checks": checks, "anomalies": anomalies}
    r = j.call("POST", f"{API}/sync/push", json=body, headers=guard, expect=200)
    assert len(r.json()["accepted"]) == 4 and len(r.json()["rejected"]) == 1, r.text
    one = registration(venue_id, None, HK, "13700000016", "no_code")
    j.call("POST", f"{API}/venues/{venue_id}/anomalies", json=one, headers=guard, expect=201)
    bad = registration(venue_id, None, VISITOR, VISITOR_PHONE, "other", notes=f"{VISITOR.name}\x00")
    j.call("POST", f"{API}/venues/{venue_id}/anomalies", json=bad, headers=guard, expect=422)

    # What owners and supervisors read: stats, the abnormal list, exports, the full details.
    day = TODAY.isoformat()
    for who, url in (
        (guard, f"{API}/venues/{venue_id}/stats?date={day}&scope=personal"),
        (owner, f"{API}/venues/{venue_id}/stats?date={day}&scope=unit"),
        (owner, f"{API}/venues/{venue_id}/abnormal?date={day}"),
        (owner, f"{API}/venues/{venue_id}/anomalies?date={day}"),
        (owner, f"{API}/venues/{venue_id}/export?start={day}&end={day}&format=csv"),
        (owner, f"{API}/venues/{venue_id}/export?start={day}&end={day}&format=xlsx"),
        (supervisor, f"{API}/regions/{SUPERVISOR[2]}/stats?date={day}"),
        (supervisor, f"{API}/regions/{SUPERVISOR[2]}/abnormal?date={day}"),
        (supervisor, f"{API}/regions/{SUPERVISOR[2]}/export?start={day}&end={day}"),
    ):
        j.call("GET", url, headers=who, expect=200)
    for target in ({"check_id": checks[1]["id"]}, {"anomaly_id": anomalies[0]["id"]}):
        r = j.call("POST", f"{API}/venues/{venue_id}/full-details", json=target, headers=owner, expect=200)
        assert r.json()["name"] in (RED.name, NO_CODE.name)
    j.call("GET", f"{API}/sync/pull?venue_id={venue_id}", headers=guard, expect=200)

    visitor_journey(j, venue_id, owner)


def registration(
    venue_id: int, check_id: str | None, person: Any, phone: str, kind: str, **extra: Any
) -> dict[str, Any]:
    body = {
        "id": str(uuid.uuid4()),
        "venue_id": venue_id,
        "check_id": check_id,
        "document_kind": person.kind.value,
        "document_number": person.number,
        "name": person.name,
        "phone": phone,
        "temperature": 36.8,
        "origin": "上海市浦东新区",
        "transport": "自驾",
        "anomaly_type": kind,
        "action": "report_community",
        "notes": "已报告社区",
        "created_at": local(TODAY, 9, 30).isoformat(),
        "base_version": 0,
    }
    return body | extra


def visitor_journey(j: Journey, venue_id: int, owner: dict[str, str]) -> None:
    """The venue code page on a visitor's phone: phone number, a wrong then the right SMS code,
    the result, a declaration with a contact phone, the visitor's own code."""
    url = j.call("GET", f"{API}/venues/{venue_id}/code", headers=owner, expect=200).json()["url"]
    page = "/" + url.split("/", 3)[3]
    browser = type(j.server.client)(j.server.client.app, base_url="https://testserver")
    with browser:

        def post(action: str, expect: int = 303, **form: str) -> Any:
            landing = j.call("GET", page, client=browser, expect=200)
            forms = FORM_RE.findall(landing.text)
            assert forms and all('method="post"' in tag for tag in forms), forms
            csrf = CSRF_RE.search(landing.text)
            assert csrf is not None
            data = {"csrf": csrf.group(1), **form}
            return j.call("POST", f"{page}/{action}", client=browser, data=data, expect=expect)

        post("sms", phone=VISITOR_PHONE)
        code = j.server.sms.latest_code(VISITOR_PHONE)
        assert code is not None
        post("verify", expect=422, code="000000" if code != "000000" else "111111")
        result = post("verify", code=code).headers["location"]
        j.call("GET", result, client=browser, expect=200)
        declaration = {
            "origin": "上海市",
            "arrival": "2026-11-19T18:00",
            "transport": "火车/高铁",
            "phone": RED_PHONE,
        }
        landing = j.call("GET", f"{result}/declare", client=browser, expect=200)
        csrf = CSRF_RE.search(landing.text)
        assert csrf is not None
        data = {"csrf": csrf.group(1), **declaration}
        j.call("POST", f"{result}/declare", client=browser, data=data, expect=303)
        j.call("GET", page.rstrip("/") + "/my-code", client=browser, expect=200)


# ---- the tests ------------------------------------------------------------------------------


class Collector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def every_record() -> Iterator[list[logging.LogRecord]]:
    """All log records, of every logger, down to DEBUG; SQLAlchemy's too, as with `echo=True`."""
    root, sql = logging.getLogger(), logging.getLogger("sqlalchemy.engine")
    levels = root.level, sql.level
    collector = Collector()
    root.addHandler(collector)
    root.setLevel(logging.DEBUG)
    sql.setLevel(logging.INFO)  # statements and their parameters; DEBUG would add result rows
    try:
        yield collector.records
    finally:
        root.removeHandler(collector)
        root.setLevel(levels[0])
        sql.setLevel(levels[1])


def formatted(record: logging.LogRecord) -> str:
    """The record as any handler would write it, with its exception and stack text."""
    return logging.Formatter("%(name)s %(levelname)s %(message)s").format(record)


def test_a_full_journey_logs_no_personal_data(server: Server, every_record: list[logging.LogRecord]) -> None:
    journey = Journey(server)
    staff_journey(journey)
    secrets = personal_data()
    assert len(every_record) > 100  # the logging is really on (SQL echo included)
    found = {formatted(record)[:300]: leaks(formatted(record), secrets) for record in every_record}
    assert {line: hits for line, hits in found.items() if hits} == {}
    in_urls = {url: leaks(url, secrets) for url in journey.urls}
    assert {url: hits for url, hits in in_urls.items() if hits} == {}
    assert any("/v/" in url for url in journey.urls) and any("/lookup" in url for url in journey.urls)


def test_a_database_error_does_not_carry_its_parameters(server: Server) -> None:
    """What `errors._internal` logs for an unexpected database failure: the statement, never its
    values (the engine hides parameters)."""
    ctx: ServerContext = server.client.app.state.ctx  # type: ignore[attr-defined]
    with ctx.sessions() as session, pytest.raises(DBAPIError) as failure:
        session.execute(
            text("SELECT no_such_column FROM users WHERE phone = :phone"), {"phone": VISITOR_PHONE}
        )
    assert "no_such_column" in str(failure.value)
    assert VISITOR_PHONE not in str(failure.value) and VISITOR_PHONE not in repr(failure.value)


def test_no_route_takes_personal_data_in_its_url() -> None:
    """Access logs write the path and query string: every parameter there is an id, a date or
    a code (phones, names and document numbers travel in bodies only)."""
    app = create_app(ServerSettings(database_url="sqlite://"))
    try:
        spec = app.openapi()
    finally:
        app.state.engine.dispose()
    api = {
        (path, param["name"])
        for path, item in spec["paths"].items()
        for operation in item.values()
        for param in operation.get("parameters", [])
        if param["in"] in ("path", "query")
    }
    pages = {
        (route.path, param.name)
        for route in visitor.router.routes
        if isinstance(route, APIRoute)
        for param in (*route.dependant.path_params, *route.dependant.query_params)
    }
    assert len(api) > 20 and len(pages) >= 5
    assert {name for _path, name in api | pages} <= QUERY_AND_PATH_PARAMETERS, sorted(api | pages)
