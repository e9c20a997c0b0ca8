# mypy: allow-untyped-calls
"""Logging in with the demo SMS code, as a person does it, against the real embedded backend."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QLineEdit, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from shoumen_core.schemas import LoginResponse
from shoumen_gui.services.api import ApiClient
from shoumen_gui.tasks import TaskManager
from shoumen_gui.ui.login import LoginPage
from tests.gui.conftest import GUARD_PHONE, LiveBackend


@pytest.fixture
def api(embedded: LiveBackend) -> Iterator[ApiClient]:
    client = ApiClient(embedded.url)
    yield client
    client.close()


@pytest.fixture
def page(qtbot: QtBot, tasks: TaskManager, api: ApiClient) -> LoginPage:
    widget = LoginPage(tasks, api, device_name="pytest")
    qtbot.addWidget(widget)
    widget.show()
    return widget


def child(page: QWidget, cls: type, name: str):  # type: ignore[no-untyped-def]
    widget = page.findChild(cls, name)
    assert widget is not None, name
    return widget


def ask_for_code(qtbot: QtBot, page: LoginPage, phone: str = GUARD_PHONE) -> str:
    qtbot.keyClicks(child(page, QLineEdit, "loginPhone"), phone)
    qtbot.mouseClick(child(page, QPushButton, "loginGetCode"), Qt.MouseButton.LeftButton)
    banner = child(page, QLabel, "demoCodeBanner")
    qtbot.waitUntil(banner.isVisible, timeout=10_000)
    match = re.fullmatch(r"演示验证码：(\d{6})", banner.text())
    assert match, banner.text()
    return match.group(1)


def test_log_in_with_the_demo_code(qtbot: QtBot, page: LoginPage) -> None:
    code = ask_for_code(qtbot, page)
    get_code = child(page, QPushButton, "loginGetCode")
    assert not get_code.isEnabled()
    assert re.fullmatch(r"(60|59) 秒后重发", get_code.text())
    qtbot.keyClicks(child(page, QLineEdit, "loginCode"), code)
    with qtbot.waitSignal(page.logged_in, timeout=10_000) as blocker:
        qtbot.mouseClick(child(page, QPushButton, "loginSubmit"), Qt.MouseButton.LeftButton)
    response = blocker.args[0]
    assert isinstance(response, LoginResponse)
    assert response.user.phone_masked.endswith("0002")
    assert child(page, QLineEdit, "loginCode").text() == ""
    assert not child(page, QLabel, "demoCodeBanner").isVisible()


def test_countdown_ends_and_the_button_comes_back(qtbot: QtBot, page: LoginPage) -> None:
    page.resend_seconds = 1  # the 60 s countdown, shortened
    ask_for_code(qtbot, page)
    get_code = child(page, QPushButton, "loginGetCode")
    assert get_code.text() == "1 秒后重发" and not get_code.isEnabled()
    qtbot.waitUntil(get_code.isEnabled, timeout=5000)
    assert get_code.text() == "获取验证码"


def test_wrong_code_shows_the_servers_chinese_message(qtbot: QtBot, page: LoginPage) -> None:
    code = ask_for_code(qtbot, page)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    qtbot.keyClicks(child(page, QLineEdit, "loginCode"), wrong)
    error = child(page, QLabel, "loginError")
    with qtbot.assertNotEmitted(page.logged_in, wait=0):
        qtbot.keyClick(child(page, QLineEdit, "loginCode"), Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: error.text() != "", timeout=10_000)
    assert error.text() == "验证码错误，还可尝试 4 次"
    assert child(page, QPushButton, "loginSubmit").isEnabled()


def test_bad_phone_is_refused_before_any_request(
    qtbot: QtBot, page: LoginPage, embedded: LiveBackend
) -> None:
    qtbot.keyClicks(child(page, QLineEdit, "loginPhone"), "1390000")
    qtbot.mouseClick(child(page, QPushButton, "loginGetCode"), Qt.MouseButton.LeftButton)
    assert child(page, QLabel, "loginError").text() == "手机号码格式不正确"
    assert page.tasks.idle  # nothing was sent


def test_missing_code_is_asked_for(qtbot: QtBot, page: LoginPage) -> None:
    qtbot.keyClicks(child(page, QLineEdit, "loginPhone"), GUARD_PHONE)
    qtbot.mouseClick(child(page, QPushButton, "loginSubmit"), Qt.MouseButton.LeftButton)
    assert child(page, QLabel, "loginError").text() == "请输入短信验证码"


def test_offline_server_is_a_calm_message(qtbot: QtBot, page: LoginPage, embedded: LiveBackend) -> None:
    embedded.backend.stop()
    qtbot.keyClicks(child(page, QLineEdit, "loginPhone"), GUARD_PHONE)
    qtbot.mouseClick(child(page, QPushButton, "loginGetCode"), Qt.MouseButton.LeftButton)
    error = child(page, QLabel, "loginError")
    qtbot.waitUntil(lambda: error.text() != "", timeout=10_000)
    assert error.text() == "无法连接服务器，已切换到离线模式"
    assert child(page, QPushButton, "loginGetCode").isEnabled()
