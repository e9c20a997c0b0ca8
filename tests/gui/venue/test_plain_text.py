# mypy: allow-untyped-calls
"""Text people typed shows as typed (issue 13 §5): a venue named `<b>x</b>` and a guard named
`=HYPERLINK(...)` are stored by the real backend and shown literally — plain-text labels and
question boxes, never bold, never a link."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QMessageBox, QTableView
from pytestqt.qtbot import QtBot

from shoumen_core.schemas import VenueUpdate
from shoumen_gui.services.admin import AdminService
from shoumen_gui.services.api import ApiClient
from shoumen_gui.services.session import login_with_demo_code
from tests.gui.conftest import OWNER_PHONE, LiveBackend, MakeApp, MemoryKeyring
from tests.gui.helpers import click, find
from tests.gui.venue.drive import answer_box, open_admin_tab, open_workbench
from tests.gui.venue.test_staff import rows, select_row

BOLD = "<b>x</b>"
FORMULA = '=HYPERLINK("http://x","y")'


def _plain(label: QLabel) -> bool:
    return label.textFormat() is Qt.TextFormat.PlainText


def test_user_typed_names_render_as_plain_text(
    qtbot: QtBot, make_station_app: MakeApp, embedded: LiveBackend, memory_keyring: MemoryKeyring
) -> None:
    with ApiClient(embedded.url) as owner:
        login_with_demo_code(owner, OWNER_PHONE)
        admin = AdminService(owner)
        venue_id = owner.auth.me().venues[0].venue_id
        admin.update_venue(venue_id, VenueUpdate(name=BOLD))
        admin.add_staff(venue_id, FORMULA, "13900000009")
        admin.add_staff(venue_id, BOLD, "13900000008")

    app = make_station_app()
    app.start()
    window = app.window
    open_workbench(qtbot, app, OWNER_PHONE, "南门")
    title = find(window, QLabel, "workbenchTitle")
    assert BOLD in title.text() and _plain(title)
    # Every named label of the app is plain: none would render a name as bold. (Unnamed ones
    # are QFormLayout captions, fixed words of the code.) The pages built on first use too.
    assert all(page.objectName() for page in (window.register_page, window.venue_admin, window.region_view))
    labels = [label for label in window.findChildren(QLabel) if label.objectName()]
    bad = [(lb.objectName(), lb.text()) for lb in labels if lb.text() and not _plain(lb)]
    assert not bad, "\n".join(map(str, bad))

    open_admin_tab(qtbot, window, "子管理员")
    panel = window.venue_admin.staff
    table = find(panel, QTableView, "staffTable")
    qtbot.waitUntil(lambda: FORMULA in [row[0] for row in rows(table)], timeout=10_000)
    assert BOLD in [row[0] for row in rows(table)]

    # Revoke <b>x</b>: the message names them as typed.
    select_row(qtbot, table, BOLD)
    click(qtbot, panel, "staffToggle")
    assert BOLD in answer_box(qtbot, panel, "confirmStaffRevoke")
    message = find(panel, QLabel, "staffMessage")
    qtbot.waitUntil(lambda: message.text() == f"已收回 {BOLD} 的核验权限", timeout=10_000)
    assert _plain(message)

    # The delete question shows the formula as text, in a plain-text box.
    select_row(qtbot, table, FORMULA)
    click(qtbot, panel, "staffDelete")
    qtbot.waitUntil(lambda: panel.findChild(QMessageBox, "confirmStaffDelete") is not None, timeout=5_000)
    box = panel.findChild(QMessageBox, "confirmStaffDelete")
    assert box is not None
    assert box.textFormat() is Qt.TextFormat.PlainText
    assert FORMULA in box.text()
    shown = [label for label in box.findChildren(QLabel) if FORMULA in label.text()]
    assert shown and all(_plain(label) for label in shown)
    click(qtbot, box, "confirmStaffDeleteNo")
