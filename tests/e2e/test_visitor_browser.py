"""The venue code page in a real browser: Debian's Chromium, headless, driven by Playwright,
on a phone-sized viewport (390×844), against a real uvicorn server on a demo-seeded SQLite.

No browser is downloaded: Playwright launches the system's /usr/bin/chromium (the `chromium`
package, installed by scripts/install-system-deps.sh). Without it the tests skip locally and
fail in CI. A screenshot of each final screen goes to test-artifacts/visitor/.
"""

from __future__ import annotations

import io
import re
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest
import zxingcpp
from PIL import Image
from sqlalchemy import select

from shoumen_core.codes import venue_code_url
from shoumen_core.timeutil import LOCAL_TZ, local_day, utcnow
from shoumen_server import seed
from shoumen_server.app import create_app
from shoumen_server.models import Checkpoint
from shoumen_server.settings import ServerSettings
from shoumen_server.setup_db import migrate_database
from shoumen_server.visitor.cookies import PASS_COOKIE, local_midnight_after
from tests.conftest import IN_CI

pytestmark = pytest.mark.slow

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",  # the tests may run as root (containers, CI)
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 390, "height": 844}
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "visitor"
STARTUP_TIMEOUT = 30.0
UI_TIMEOUT_MS = 15_000

# Demo persons (docs/DEMO.md); one phone per test, so SMS limits never meet across tests.
GREEN = "13700000001"  # 陈建国: green, NAT 10 h ago -> 通行
GREEN_FULL = "13700000014"  # 朱国平: green, fully vaccinated -> 通行
NO_LOCAL_CODE = "13700000009"  # 欧阳娜娜: Sichuan ID, no local code -> 人工核验
NO_SMS = "13700000015"  # 胡美玲: never types her code
OWNER = "13900000001"  # 张店主, owner of the hospital


def _require_browser() -> Any:
    """The Playwright module, or skip (locally) / fail (in CI) with the reason."""
    reason = ""
    try:
        from playwright import sync_api
    except ImportError:
        reason = "playwright is not installed (pip install -e '.[test]')"
    else:
        if CHROMIUM.is_file():
            return sync_api
        reason = f"{CHROMIUM} is missing: install Debian's chromium (scripts/install-system-deps.sh)"
    if IN_CI:
        pytest.fail(reason)
    pytest.skip(reason)


# ---- a real server ---------------------------------------------------------------------------


@dataclass
class LiveServer:
    url: str
    app: Any
    hospital_id: int
    shop_id: int
    south_gate_id: int  # 南门 of the hospital
    _owner: dict[str, str] | None = None

    def venue_code(self, venue_id: int, checkpoint_id: int | None = None) -> str:
        return venue_code_url(self.url, venue_id, checkpoint_id, self.app.state.ctx.keys.venue_secret)

    def owner_headers(self) -> dict[str, str]:
        """Log the hospital's owner in through the API (demo mode returns the SMS code); once,
        since the SMS limit allows one code a minute."""
        if self._owner is not None:
            return self._owner
        with httpx.Client(base_url=self.url, timeout=10) as client:
            r = client.post("/api/v1/auth/sms-code", json={"phone": OWNER})
            r.raise_for_status()
            r = client.post(
                "/api/v1/auth/login",
                json={"phone": OWNER, "code": r.json()["demo_code"], "device_name": "e2e"},
            )
            r.raise_for_status()
        self._owner = {"Authorization": f"Bearer {r.json()['token']}"}
        return self._owner

    def unit_checked(self, headers: dict[str, str], venue_id: int) -> tuple[int, int]:
        """(checked today, checked today per the guards' pull) of the venue, as the app sees them."""
        day = local_day(utcnow()).isoformat()
        with httpx.Client(base_url=self.url, timeout=10, headers=headers) as client:
            stats = client.get(f"/api/v1/venues/{venue_id}/stats", params={"date": day, "scope": "unit"})
            stats.raise_for_status()
            pull = client.get("/api/v1/sync/pull", params={"venue_id": venue_id})
            pull.raise_for_status()
        return int(stats.json()["counts"]["checked"]), int(pull.json()["unit_counts"][0]["checked"])


class _Uvicorn:
    """uvicorn in a thread, on a socket we bound (a free port); `ready` is set once it serves."""

    def __init__(self, app: Any, sock: socket.socket) -> None:
        import uvicorn

        ready = threading.Event()

        class Server(uvicorn.Server):
            async def startup(self, sockets: list[socket.socket] | None = None) -> None:
                await super().startup(sockets=sockets)
                ready.set()

        config = uvicorn.Config(
            app, log_config=None, access_log=False, lifespan="off", timeout_graceful_shutdown=2
        )
        self.server = Server(config)
        self.ready = ready
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [sock]}, name="visitor-e2e-server", daemon=True
        )

    def start(self) -> None:
        self.thread.start()
        if not self.ready.wait(STARTUP_TIMEOUT):
            raise RuntimeError("the test server did not start")

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    _require_browser()
    database_url = f"sqlite:///{tmp_path_factory.mktemp('visitor-e2e') / 'server.db'}"
    migrate_database(database_url)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    app = create_app(ServerSettings(database_url=database_url, public_base_url=url, demo_mode=True))
    ctx = app.state.ctx
    hospital_id, shop_id = seed.seed_demo(ctx.sessions, ctx.keys, utcnow()).venue_ids
    with ctx.sessions() as session:
        south_gate = session.scalar(
            select(Checkpoint.id).where(Checkpoint.venue_id == hospital_id, Checkpoint.name == "南门")
        )
    assert south_gate is not None
    server = _Uvicorn(app, sock)
    server.start()
    try:
        yield LiveServer(url, app, hospital_id, shop_id, south_gate)
    finally:
        server.stop()
        sock.close()
        app.state.engine.dispose()


@pytest.fixture(scope="module")
def browser(live_server: LiveServer) -> Iterator[Any]:
    sync_api = _require_browser()
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh phone: its own cookies, 390×844, touch, Chinese."""
    context = browser.new_context(
        viewport=VIEWPORT, is_mobile=True, has_touch=True, locale="zh-CN", device_scale_factor=2
    )
    context.set_default_timeout(UI_TIMEOUT_MS)
    tab = context.new_page()
    try:
        yield tab
    finally:
        context.close()


def screenshot(page: Any, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 10_000
    return path


def assert_reads_on_a_phone(page: Any) -> None:
    """No sideways scrolling at 390 px, and large type."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= VIEWPORT["width"], f"the page is {width} px wide"
    body_px = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    assert body_px >= 18


def check_in_with_sms(page: Any, url: str, phone: str, shots: str = "") -> None:
    page.goto(url)
    page.fill("#phone", phone)
    if shots:
        screenshot(page, f"{shots}_phone_step")
    page.click("#send-code")
    page.wait_for_selector("#demo-code")
    if shots:
        assert_reads_on_a_phone(page)
        screenshot(page, f"{shots}_code_step")
    code = page.inner_text("#demo-code strong").strip()
    assert code.isdigit() and len(code) == 6
    page.fill("#code", code)
    page.click("#verify")
    page.wait_for_selector("#verdict")


# ---- the journeys ----------------------------------------------------------------------------


def test_green_visitor_checks_in_and_is_counted(live_server: LiveServer, page: Any) -> None:
    owner = live_server.owner_headers()
    before = live_server.unit_checked(owner, live_server.hospital_id)
    url = live_server.venue_code(live_server.hospital_id, live_server.south_gate_id)

    check_in_with_sms(page, url, GREEN, shots="0")

    assert page.get_attribute("#verdict", "data-level") == "pass"
    assert page.inner_text("#verdict-words") == "通行"
    assert page.inner_text("#venue-name") == "新昌县人民医院"
    assert page.inner_text("#checkpoint-name") == "南门"
    rows = page.inner_text("#health-rows")
    for text in ("绿码", "已完成全程接种", "阴性 · 采样 10 小时前", "行程卡", "正常"):
        assert text in rows
    assert GREEN not in page.url and GREEN not in page.content()
    words_px = page.evaluate(
        "parseFloat(getComputedStyle(document.getElementById('verdict-words')).fontSize)"
    )
    assert words_px >= 32
    # The live clock runs (the page's one script passes the CSP).
    shown = page.inner_text("#clock")
    _require_browser().expect(page.locator("#clock")).not_to_have_text(shown, timeout=5000)
    assert_reads_on_a_phone(page)
    screenshot(page, "1_green_visitor")

    after = live_server.unit_checked(owner, live_server.hospital_id)
    assert after == (before[0] + 1, before[1] + 1)


def test_once_a_day_cookie_skips_the_code(live_server: LiveServer, page: Any) -> None:
    check_in_with_sms(
        page, live_server.venue_code(live_server.hospital_id, live_server.south_gate_id), GREEN_FULL
    )
    [day_pass] = [c for c in page.context.cookies() if c["name"] == PASS_COOKIE]
    assert day_pass["httpOnly"] and day_pass["sameSite"] == "Lax" and day_pass["path"] == "/v/"
    assert not day_pass["secure"]  # the server's public URL is plain http here
    midnight = local_midnight_after(utcnow()).timestamp()
    assert abs(day_pass["expires"] - midnight) < 120

    # Another venue's poster, later that day: one tap, no code.
    page.goto(live_server.venue_code(live_server.shop_id))
    assert "137****0014" in page.inner_text("#verified-note")
    screenshot(page, "2_verified_step")
    assert page.locator("#phone").count() == 0 and page.locator("#code").count() == 0
    page.click("#check-in")
    page.wait_for_selector("#verdict")
    assert page.inner_text("#venue-name") == "南明街道便民超市"
    assert page.get_attribute("#verdict", "data-level") == "pass"
    assert_reads_on_a_phone(page)
    screenshot(page, "2_once_a_day_result")

    page.click("#my-code")
    qr = page.wait_for_selector("#personal-code")
    image = Image.open(io.BytesIO(qr.screenshot())).convert("L")
    [decoded] = zxingcpp.read_barcodes(np.asarray(image))
    assert decoded.text.startswith("SMHC1.")  # the code on the screen scans
    assert_reads_on_a_phone(page)
    screenshot(page, "3_my_code")


def test_visitor_without_local_code_declares(live_server: LiveServer, page: Any) -> None:
    check_in_with_sms(
        page, live_server.venue_code(live_server.hospital_id, live_server.south_gate_id), NO_LOCAL_CODE
    )
    assert page.get_attribute("#verdict", "data-level") == "review"
    assert "您未申领本地健康码" in page.inner_text("#code-missing-note")
    assert "未申领" in page.inner_text("#health-rows")
    screenshot(page, "4_no_local_code")

    page.click("#declare")
    arrival = (utcnow() - timedelta(hours=3)).astimezone(LOCAL_TZ).strftime("%Y-%m-%dT%H:%M")
    page.fill("#origin", "四川省成都市锦江区")
    page.fill("#arrival", arrival)
    page.select_option("#transport", "火车/高铁")
    page.fill("#contact-phone", "13800138000")
    assert_reads_on_a_phone(page)
    screenshot(page, "5_declaration_form")
    page.click("#submit-declaration")
    page.wait_for_selector("#declared-note")
    assert page.get_attribute("#verdict", "data-level") == "review"
    assert "13800138000" not in page.url
    screenshot(page, "6_declared")


def test_no_sms_sends_the_visitor_to_the_guard(live_server: LiveServer, page: Any) -> None:
    owner = live_server.owner_headers()
    before = live_server.unit_checked(owner, live_server.hospital_id)
    page.goto(live_server.venue_code(live_server.hospital_id, live_server.south_gate_id))
    page.fill("#phone", NO_SMS)
    page.click("#send-code")
    page.wait_for_selector("#no-sms")
    page.click("#no-sms")
    page.wait_for_selector("#verdict")
    assert page.get_attribute("#verdict", "data-level") == "cannot_verify"
    assert page.inner_text("#verdict-words") == "无法核验"
    assert "出示健康码或身份证" in page.inner_text("#unverified-note")
    assert_reads_on_a_phone(page)
    screenshot(page, "7_no_sms")
    assert live_server.unit_checked(owner, live_server.hospital_id) == (before[0] + 1, before[1] + 1)


def test_forged_token_gets_a_clear_page(live_server: LiveServer, page: Any) -> None:
    genuine = live_server.venue_code(live_server.hospital_id, live_server.south_gate_id)
    forged = genuine[:-4] + ("AAAA" if not genuine.endswith("AAAA") else "BBBB")
    response = page.goto(forged)
    assert response is not None and response.status == 404
    assert page.inner_text("#error-message") == "场所码无效或已失效，请向工作人员确认"
    assert "Traceback" not in page.content()
    assert_reads_on_a_phone(page)
    screenshot(page, "8_forged_token")


ENGLISH_GREEN = "13700000003"  # 吴志强: green, NAT 49 h ago -> 人工核验 at the hospital (48 h)


def test_an_english_phone_gets_the_pages_in_english(live_server: LiveServer, browser: Any) -> None:
    """A phone set to English (its Accept-Language) checks in in English: `<html lang="en">`
    and no Chinese on the screen but the venue's and checkpoint's names and the masked name."""
    context = browser.new_context(
        viewport=VIEWPORT, is_mobile=True, has_touch=True, locale="en-US", device_scale_factor=2
    )
    context.set_default_timeout(UI_TIMEOUT_MS)
    page = context.new_page()
    try:
        url = live_server.venue_code(live_server.hospital_id, live_server.south_gate_id)
        page.goto(url)
        assert page.get_attribute("html", "lang") == "en"
        assert page.inner_text("#send-code") == "Get a code"
        check_in_with_sms(page, url, ENGLISH_GREEN)
        assert page.get_attribute("html", "lang") == "en"
        words = page.inner_text("#verdict-words")
        assert words in ("Pass", "Manual check"), words
        shown = page.inner_text("body")
        for data in ("新昌县人民医院", "南门", page.inner_text("#masked-name"), "中文"):
            shown = shown.replace(data, "")
        assert not re.search(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]", shown), shown
        assert "Health code" in shown and "Travel card" in shown
        assert_reads_on_a_phone(page)
        screenshot(page, "9_english_result")

        page.click("#lang-switch")  # 中文: the same result in Chinese, and it stays so
        page.wait_for_selector("html[lang='zh-CN']")
        assert page.inner_text("#verdict-words") in ("通行", "人工核验")
        page.goto(url)
        assert page.get_attribute("html", "lang") == "zh-CN"
    finally:
        context.close()
