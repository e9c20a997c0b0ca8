# mypy: allow-untyped-calls
"""Issue 15 §5: a server whose certificate the app does not trust is refused, and the login page
says so in words (服务器证书不受信任…), instead of a generic "cannot connect" or a silent retry
without verification. The full path through nginx is tests/deploy/test_tls_nginx.py."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QLineEdit, QPushButton
from pytestqt.qtbot import QtBot

from shoumen_gui.services.api import ApiClient
from shoumen_gui.services.tls import server_verify
from shoumen_gui.tasks import TaskManager
from shoumen_gui.ui.login import LoginPage
from tests.deploy.front import https_server_of, make_ca
from tests.gui.conftest import GUARD_PHONE


@pytest.fixture
def tls_server(tmp_path: Path) -> Iterator[str]:
    """An https server on 127.0.0.1 with a certificate from a CA the app is not given."""
    with https_server_of("服务器的 CA", tmp_path) as url:
        yield url


def test_the_login_page_says_the_server_certificate_is_not_trusted(
    qtbot: QtBot, tasks: TaskManager, tls_server: str, tmp_path: Path
) -> None:
    other_ca = make_ca("本机配置的另一个 CA").write(tmp_path / "ca.pem")
    api = ApiClient(tls_server, verify=server_verify(other_ca))
    try:
        page = LoginPage(tasks, api, device_name="pytest")
        qtbot.addWidget(page)
        page.show()
        phone = page.findChild(QLineEdit, "loginPhone")
        qtbot.keyClicks(phone, GUARD_PHONE)
        qtbot.mouseClick(page.findChild(QPushButton, "loginGetCode"), Qt.MouseButton.LeftButton)
        error = page.findChild(QLabel, "loginError")
        qtbot.waitUntil(lambda: error.isVisible() and error.text() != "", timeout=10_000)
        assert error.text().startswith("服务器证书不受信任")
        assert "CA" in error.text()
    finally:
        api.close()
