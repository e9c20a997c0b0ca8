# mypy: allow-untyped-calls
"""Driving the owner's and supervisor's screens as a person would, and reading the results
from the real files and the real backend database (shared by tests/gui/venue and /supervisor).
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import zxingcpp
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QImage, QInputMethodEvent
from PySide6.QtPdf import QPdfDocument
from PySide6.QtWidgets import QAbstractButton, QApplication, QLineEdit, QMessageBox, QTabWidget, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from shoumen_core.policy import VerdictLevel
from shoumen_core.schemas import CheckMethod, CheckRecordIn, DocumentIn, LookupRequest, PushRequest
from shoumen_core.timeutil import utcnow
from shoumen_gui.services.api import ApiClient
from shoumen_gui.services.session import login_with_demo_code
from shoumen_gui.ui.main_window import MainWindow
from shoumen_server.health import document_hash
from shoumen_server.keys import KeyStore
from shoumen_server.models import AuditEntry, Person
from tests.gui.conftest import LiveBackend, StationApp
from tests.gui.helpers import click, find, log_in, wait_for_page

SETUP_TIMEOUT = 15.0  # seconds for a set-up call that is not itself under test
SUPERVISOR_PHONE = "13900000000"  # 王督导, region 330624
REGION = "330624"
POSTER_DPI = 150


def type_text(qtbot: QtBot, edit: QLineEdit, text: str) -> None:
    """Type as a person does: ASCII key by key; Chinese as a Chinese input method commits it
    (QTest cannot press keys for characters no keyboard has)."""
    edit.setFocus()
    for part in _runs(text):
        if part.isascii():
            qtbot.keyClicks(edit, part)
        else:
            event = QInputMethodEvent("", [])
            event.setCommitString(part)
            QApplication.sendEvent(edit, event)


def _runs(text: str) -> list[str]:
    runs: list[str] = []
    for ch in text:
        if runs and runs[-1][-1].isascii() == ch.isascii():
            runs[-1] += ch
        else:
            runs.append(ch)
    return runs


def open_workbench(qtbot: QtBot, app: StationApp, phone: str, checkpoint: str | None = None) -> None:
    """Log in and, at a venue with several gates, pick `checkpoint`; wait for the workbench."""
    window = app.window
    log_in(qtbot, window, phone)
    qtbot.waitUntil(
        lambda: window.current_page.objectName() in ("checkpointPicker", "workbench"), timeout=20_000
    )
    if window.current_page is window.checkpoint_picker:
        names = {b.text(): b.objectName() for b in window.checkpoint_picker.buttons}
        chosen = names[checkpoint] if checkpoint else next(iter(names.values()))
        with qtbot.waitSignal(app.flow.ready, timeout=20_000):
            click(qtbot, window, chosen)
    wait_for_page(qtbot, window, "workbench")


def open_admin_tab(qtbot: QtBot, window: MainWindow, tab: str) -> None:
    """场所管理 in the workbench header, then the tab named `tab`."""
    if window.current_page is not window.venue_admin:
        click(qtbot, window, "venueAdminButton")
        wait_for_page(qtbot, window, "venueAdmin")
    choose_tab(qtbot, find(window, QTabWidget, "venueAdminTabs"), tab)


def choose_tab(qtbot: QtBot, tabs: QTabWidget, title: str) -> None:
    bar = tabs.tabBar()
    index = next(i for i in range(tabs.count()) if tabs.tabText(i) == title)
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(index).center())
    assert tabs.currentIndex() == index


def answer_box(qtbot: QtBot, parent: QWidget, name: str, *, yes: bool = True) -> str:
    """Click 确定/取消 in the question box `name` that `parent` opened; return its text."""
    qtbot.waitUntil(lambda: parent.findChild(QMessageBox, name) is not None, timeout=5_000)
    box = parent.findChild(QMessageBox, name)
    assert box is not None and box.isVisible() and box.isModal()
    text = box.text()
    choice = box.findChild(QAbstractButton, f"{name}Yes" if yes else f"{name}No")
    assert choice is not None
    qtbot.mouseClick(choice, Qt.MouseButton.LeftButton)
    return text


def decode_qr(image: QImage) -> list[str]:
    grey = image.convertToFormat(QImage.Format.Format_Grayscale8)
    rows = np.frombuffer(grey.constBits(), np.uint8).reshape(grey.height(), grey.bytesPerLine())
    return [found.text for found in zxingcpp.read_barcodes(rows[:, : grey.width()].copy())]


def render_pdf_page(path: Path, dpi: int = POSTER_DPI) -> tuple[QImage, int]:
    """Page 1 of the PDF at `dpi` (QtPdf), and the page count."""
    document = QPdfDocument()
    assert document.load(str(path)) == QPdfDocument.Error.None_, path
    points = document.pagePointSize(0)
    size = QSize(round(points.width() / 72 * dpi), round(points.height() / 72 * dpi))
    image = document.render(0, size)
    pages = document.pageCount()
    document.close()
    return image, pages


def database(live: LiveBackend) -> Session:
    return Session(create_engine(live.backend.database_url))


def audit_rows(live: LiveBackend, action: str) -> list[AuditEntry]:
    with database(live) as session:
        rows = list(session.scalars(select(AuditEntry).where(AuditEntry.action == action)))
        session.expunge_all()
    return rows


def set_nat_age(live: LiveBackend, number: str, hours: float) -> None:
    """The registry's latest NAT of the person with resident ID `number`: `hours` ago."""
    with database(live) as session, session.begin():
        keys = KeyStore.load(session)
        person = session.scalar(
            select(Person).where(Person.doc_hash == document_hash(keys, "resident_id", number))
        )
        assert person is not None
        person.nat_sampled_at = utcnow() - timedelta(hours=hours)


def guard_checks(
    live: LiveBackend,
    phone: str,
    levels: list[VerdictLevel],
    document: str | None = None,
    at: datetime | None = None,
) -> list[uuid.UUID]:
    """A guard's device pushes checks of these levels (today, now); with `document`, the first
    is of that real person (looked up first, as the device does). Returns the check ids."""
    with ApiClient(live.url) as api:
        login_with_demo_code(api, phone)
        venue = api.auth.me().venues[0]
        person_ref, masked_name, masked_id = None, "张*", "330624********1234"
        if document is not None:
            # Set-up, not the station's 1 s lookup budget: a loaded test machine may take longer.
            request = LookupRequest(document=DocumentIn(number=document))
            found = api.checks.lookup(venue.venue_id, request, timeout=SETUP_TIMEOUT)
            assert found.person is not None
            person_ref, masked_name, masked_id = (
                found.person.person_ref,
                found.person.masked_name,
                found.person.masked_id,
            )
        records = [
            CheckRecordIn(
                id=uuid.uuid4(),
                venue_id=venue.venue_id,
                checkpoint_id=venue.checkpoints[0].id,
                method=CheckMethod.DOCUMENT,
                checked_at=at or utcnow(),
                level=level,
                person_ref=person_ref if i == 0 else f"P{uuid.uuid4().hex[:12]}",
                masked_name=masked_name,
                masked_id=masked_id,
            )
            for i, level in enumerate(levels)
        ]
        answer = api.sync.push(PushRequest(device_id="pytest-guard", checks=records))
        assert answer.rejected == [] and len(answer.accepted) == len(records)
    return [record.id for record in records]
