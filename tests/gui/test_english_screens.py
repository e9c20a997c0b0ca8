# mypy: allow-untyped-calls
"""Issue 17 §5: the staff app in English at 1280×800. Each test walks a person's screens and
fails on any Chinese character a visible widget shows (labels, buttons, tabs, window titles,
placeholders, tool tips, combo box items, table headers and cells) and on any label or button
whose text does not fit. The only Chinese allowed is data: the names, places and masked names the demo
backend holds (read from its database, and removed from a text before it is checked)."""

from __future__ import annotations

import contextlib
import re
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QApplication,
    QComboBox,
    QDialog,
    QGroupBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListView,
    QMessageBox,
    QPushButton,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)
from pytestqt.qtbot import QtBot
from sqlalchemy import create_engine, text

from shoumen_gui.i18n import LANGUAGES, install_translator
from shoumen_gui.paths import resources_dir
from shoumen_gui.services.api import ApiClient
from shoumen_gui.services.device import DeviceService
from shoumen_gui.ui.device_enrol import DeviceEnrolDialog
from shoumen_gui.ui.kiosk import KioskController
from shoumen_gui.ui.main_window import MainWindow
from shoumen_gui.ui.typescale import apply_type_scale
from shoumen_server.seed import DEMO_PATHS
from tests.gui.conftest import GUARD_PHONE, OWNER_PHONE, LiveBackend, MakeApp, MemoryKeyring, StationApp
from tests.gui.helpers import click, find, scanner_paced, wait_for_page
from tests.gui.supervisor.test_region import a_day_of_checks
from tests.gui.venue.drive import type_text

TABLET = QSize(1280, 800)
CJK = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f]")
SUPERVISOR_PHONE = "13900000000"


@pytest.fixture
def tablet(qapp: QApplication) -> Iterator[None]:
    """The 1280×800 type scale and style sheet, as app.py sets them."""
    font, sheet = QFont(qapp.font()), qapp.styleSheet()
    apply_type_scale(qapp, 1.0, TABLET, (resources_dir() / "styles" / "shoumen.qss").read_text("utf-8"))
    yield
    qapp.setStyleSheet(sheet)
    qapp.setFont(font)


@pytest.fixture
def english(qapp: QApplication, tablet: None) -> Iterator[None]:
    """The English catalogue installed, as app.py does for `"language": "en"`."""
    translator = install_translator(qapp, "en", resources_dir() / "translations")
    assert translator is not None
    ApiClient.accept_language = "en"  # the server's messages too (app.install_translator)
    yield
    ApiClient.accept_language = "zh-CN"
    qapp.removeTranslator(translator)


@pytest.fixture(params=["en", "zh_CN"])
def language(request: pytest.FixtureRequest, qapp: QApplication, tablet: None) -> Iterator[str]:
    """English (as `english`), then the Chinese pass (no stray English words) of the same pages."""
    if request.param != "en":
        yield request.param
        return
    translator = install_translator(qapp, "en", resources_dir() / "translations")
    assert translator is not None
    ApiClient.accept_language = "en"
    yield "en"
    ApiClient.accept_language = "zh-CN"
    qapp.removeTranslator(translator)


def data_strings(embedded: LiveBackend) -> list[str]:
    """The Chinese the backend's data puts on screen: names, places, masked names. Longest
    first, so a venue name goes before the township inside it."""
    engine = create_engine(embedded.backend.database_url)
    queries = (
        "SELECT name FROM users UNION SELECT region_name FROM users",
        "SELECT name FROM venues UNION SELECT address FROM venues UNION SELECT township FROM venues",
        "SELECT name FROM checkpoints UNION SELECT staff_name FROM memberships",
        "SELECT masked_name FROM persons UNION SELECT masked_name FROM checks",
        "SELECT masked_name FROM anomalies",
        # what a guard typed into 核查登记 (shown on the supervisor's abnormal list)
        "SELECT origin FROM anomalies UNION SELECT transport FROM anomalies",
        "SELECT reported_to FROM anomalies UNION SELECT notes FROM anomalies",
        "SELECT no_phone_reason FROM anomalies",
    )
    found: set[str] = set()
    try:
        with engine.connect() as conn:
            for query in queries:
                found.update(str(value) for (value,) in conn.execute(text(query)) if value)
    finally:
        engine.dispose()
    found.update(path.name for path in DEMO_PATHS)
    found.update(LANGUAGES.values())  # 设置 → 语言 names each language in itself
    return sorted(found, key=len, reverse=True)


def shown_texts(widget: QWidget) -> list[tuple[str, str]]:
    """(what, text) for everything `widget` itself puts on screen."""
    name = widget.objectName() or type(widget).__name__
    found: list[tuple[str, str]] = []
    if widget.isWindow() and widget.windowTitle():
        found.append((f"{name} title", widget.windowTitle()))
    if widget.toolTip():
        found.append((f"{name} tooltip", widget.toolTip()))
    if isinstance(widget, (QLabel, QAbstractButton)):
        found.append((name, widget.text()))
    elif isinstance(widget, QLineEdit):
        found.append((f"{name} placeholder", widget.placeholderText()))
        found.append((name, widget.text()))
    elif isinstance(widget, QGroupBox):
        found.append((name, widget.title()))
    elif isinstance(widget, QComboBox):
        found += [(f"{name} item {i}", widget.itemText(i)) for i in range(widget.count())]
    elif isinstance(widget, QTabWidget):
        found += [(f"{name} tab {i}", widget.tabText(i)) for i in range(widget.count())]
    elif isinstance(widget, QAbstractItemView) and not isinstance(widget, QHeaderView) and widget.model():
        model = widget.model()
        for column in range(model.columnCount()):
            header = model.headerData(column, Qt.Orientation.Horizontal)
            found.append((f"{name} header {column}", str(header or "")))
        for row in range(min(model.rowCount(), 30)):
            for column in range(model.columnCount()):
                value = model.index(row, column).data()
                found.append((f"{name} cell {row},{column}", "" if value is None else str(value)))
    return found


def clipped(label: QLabel) -> str | None:
    """Why a visible label's text does not fit its place (None: it fits)."""
    if not label.text() or (label.pixmap() is not None and not label.pixmap().isNull()):
        return None
    if label.wordWrap():
        needed = label.heightForWidth(label.width())
        if needed > label.height() + 1:
            return f"needs {needed} px of height, has {label.height()}"
        return None
    needed = label.sizeHint().width()
    if needed > label.width() + 1:
        return f"needs {needed} px of width, has {label.width()}"
    return None


# In Chinese, the Latin words a screen may show: codes, units, formats and product names.
LATIN_ALLOWED = frozenset(
    {"PIN", "CSV", "Excel", "XLSX", "USB", "CA", "PEM", "ISAPI", "Webhook", "KTV", "PDF", "PNG", "ID"}
    | {"KB", "MB", "GB"}
    | {"QR", "COM", "ttyUSB", "dev", "http", "https", "open", "pytest", "SMHC", "HH", "MM"}
)
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
NOT_WORDS = re.compile(r"https?://\S+|\b\d+(?:\.\d+)*\b")


def stray_latin(shown: str) -> list[str]:
    """Latin words in a Chinese text that are not a code, unit or name this app uses."""
    return [word for word in LATIN_WORD.findall(NOT_WORDS.sub(" ", shown)) if word not in LATIN_ALLOWED]


def problems(root: QWidget, data: list[str], language: str = "en") -> list[str]:
    found: list[str] = []
    widgets = [root, *root.findChildren(QWidget)]
    for widget in widgets:
        if not widget.isVisible():
            continue
        for what, shown in shown_texts(widget):
            rest = shown
            for value in data:
                rest = rest.replace(value, "")
            if language == "en" and CJK.search(rest):
                found.append(f"Chinese in {what}: {shown!r}")
            if language != "en" and stray_latin(rest):
                found.append(f"English in {what}: {shown!r} ({', '.join(stray_latin(rest))})")
        if (
            isinstance(widget, QPushButton)
            and widget.text()
            and widget.sizeHint().width() > widget.width() + 1
        ):
            found.append(
                f"clipped button {widget.objectName()} {widget.text()!r}: needs {widget.sizeHint().width()} px, has {widget.width()}"
            )
        if isinstance(widget, QLabel):
            why = clipped(widget)
            if why is not None:
                found.append(f"clipped {widget.objectName() or 'label'} {widget.text()!r}: {why}")
    return found


class Walk:
    """The problems of every screen a walk visits, reported together at its end."""

    def __init__(self, qtbot: QtBot, data: list[str], language: str = "en") -> None:
        self.qtbot, self.data, self.language = qtbot, data, language
        self.found: list[str] = []

    def screen(self, root: QWidget, where: str) -> None:
        """`root` (a page or dialog, laid out at 1280×800) shows no Chinese, no clipped label."""
        self.found += [
            f"{where}: {problem}" for problem in settled_problems(self.qtbot, root, self.data, self.language)
        ]

    def check(self) -> None:
        assert self.found == [], "\n".join(dict.fromkeys(self.found))


def settled_problems(qtbot: QtBot, root: QWidget, data: list[str], language: str) -> list[str]:
    last: list[str] = []

    def clean() -> bool:
        last[:] = problems(root, data, language)
        return not last

    with contextlib.suppress(Exception):  # waitUntil's timeout: `last` says what was wrong
        qtbot.waitUntil(clean, timeout=2_000)
    return last


def log_in_english(qtbot: QtBot, window: MainWindow, phone: str) -> None:
    """As helpers.log_in, reading the code off the English demo banner."""
    phone_field = find(window, QLineEdit, "loginPhone")
    phone_field.clear()
    qtbot.keyClicks(phone_field, phone)
    click(qtbot, window, "loginGetCode")
    banner = find(window, QLabel, "demoCodeBanner")
    qtbot.waitUntil(banner.isVisible, timeout=10_000)
    match = re.search(r"(\d{6})$", banner.text())  # 演示验证码：… / Demo code: …
    assert match, banner.text()
    qtbot.keyClicks(find(window, QLineEdit, "loginCode"), match.group(1))
    click(qtbot, window, "loginSubmit")


def open_tablet(make_station_app: MakeApp, **options: str) -> StationApp:
    app = make_station_app(**options)
    app.window.resize(TABLET)
    app.start()
    return app


def type_number(qtbot: QtBot, window: MainWindow, number: str) -> None:
    workbench = window.workbench
    if workbench.result_panel.awaiting_decision:
        click(qtbot, window, "dismissUndecided")
    field = find(workbench, QLineEdit, "idInput")
    if workbench.wedge is not None:
        workbench.wedge.repeats.reset()
    with qtbot.waitSignal(workbench.check_finished, timeout=30_000), scanner_paced(workbench):
        qtbot.keyClicks(field, number)
        qtbot.keyClick(field, Qt.Key.Key_Return)


@pytest.mark.usefixtures("english")
def test_the_guard_flow_is_english_at_1280x800(
    qtbot: QtBot, make_station_app: MakeApp, embedded: LiveBackend, memory_keyring: MemoryKeyring
) -> None:
    walk_guard_flow(qtbot, make_station_app, Walk(qtbot, data_strings(embedded)))


@pytest.mark.usefixtures("tablet")
def test_the_guard_flow_in_chinese_shows_no_stray_english_at_1280x800(
    qtbot: QtBot, make_station_app: MakeApp, embedded: LiveBackend, memory_keyring: MemoryKeyring
) -> None:
    walk_guard_flow(qtbot, make_station_app, Walk(qtbot, data_strings(embedded), "zh_CN"))


def walk_guard_flow(qtbot: QtBot, make_station_app: MakeApp, walk: Walk) -> None:
    """登录 → 选择检查点 → 核验工作台 with every demo verdict → 核查登记 → 统计 → 设置 (every
    page) → 自助模式, 退出自助模式, 待机画面."""
    app = open_tablet(make_station_app)
    window = app.window
    wait_for_page(qtbot, window, "loginPage")
    walk.screen(window, "登录, with the demo accounts")

    log_in_english(qtbot, window, GUARD_PHONE)
    qtbot.waitUntil(lambda: window.current_page.objectName() == "checkpointPicker", timeout=20_000)
    walk.screen(window, "选择检查点")
    first = window.checkpoint_picker.buttons[0]
    assert isinstance(first, QPushButton)
    with qtbot.waitSignal(app.flow.ready, timeout=20_000):
        qtbot.mouseClick(first, Qt.MouseButton.LeftButton)
    wait_for_page(qtbot, window, "workbench")
    walk.screen(window, "核验工作台, waiting")

    workbench = window.workbench
    for path in DEMO_PATHS:  # every verdict path of the demo data, with its reasons
        type_number(qtbot, window, path.number)
        walk.screen(window, f"result of {path.key}")

    find(workbench, QLineEdit, "idInput").setText("33062419850312")  # a number half typed
    walk.screen(window, "证件键盘, typing")
    find(workbench, QLineEdit, "idInput").setText("330624198503121019")  # a wrong check digit
    walk.screen(window, "证件键盘, a wrong number")
    find(workbench, QLineEdit, "idInput").clear()

    click(qtbot, window, "registerAnomaly")  # 核查登记, prefilled from the last check
    qtbot.waitUntil(lambda: workbench.tabs.currentWidget() is workbench.anomaly_form, timeout=5_000)
    walk.screen(window, "核查登记")

    view = workbench.stats_view
    with qtbot.waitSignal(view.refreshed, timeout=15_000):
        workbench.tabs.setCurrentWidget(view)  # 统计
    walk.screen(window, "统计")

    click(qtbot, window, "settingsButton")  # 设置, every page
    dialog = app.flow.settings_dialog
    assert isinstance(dialog, QDialog)
    dialog.resize(720, 640)
    qtbot.waitUntil(dialog.isVisible, timeout=5_000)
    pages = find(dialog, QTabWidget, "settingsPages")
    for index in range(pages.count()):
        pages.setCurrentIndex(index)
        walk.screen(dialog, f"设置 page {index}")
    dialog.reject()

    kiosk = KioskController(window, app.flow, app.tasks, idle_seconds=3600)  # 自助模式
    kiosk.lock()
    walk.screen(window, "自助模式")
    unlock = kiosk.open_unlock_dialog()  # 退出自助模式
    assert unlock is not None
    qtbot.waitUntil(unlock.isVisible, timeout=5_000)
    walk.screen(unlock, "退出自助模式")
    kiosk.go_idle()  # the idle screen
    qtbot.waitUntil(kiosk.idle_screen.isVisible, timeout=5_000)
    walk.screen(kiosk.idle_screen, "待机画面")
    kiosk.monitor.stop()
    kiosk.unlock()

    click(qtbot, window, "logoutButton")  # 退出登录?
    box = workbench.logout_prompt
    assert box is not None
    qtbot.waitUntil(box.isVisible, timeout=5_000)
    walk.screen(box, "退出登录")
    box.reject()  # stay logged in
    walk.check()


@pytest.mark.usefixtures("english")
def test_the_owners_venue_admin_pages_are_english_at_1280x800(
    qtbot: QtBot, make_station_app: MakeApp, embedded: LiveBackend, memory_keyring: MemoryKeyring
) -> None:
    walk = Walk(qtbot, data_strings(embedded))
    app = open_tablet(make_station_app, demo_login=OWNER_PHONE)
    window = app.window
    qtbot.waitUntil(
        lambda: window.current_page.objectName() in ("checkpointPicker", "workbench"), timeout=20_000
    )
    if window.current_page is window.checkpoint_picker:
        with qtbot.waitSignal(app.flow.ready, timeout=20_000):
            qtbot.mouseClick(window.checkpoint_picker.buttons[0], Qt.MouseButton.LeftButton)
    wait_for_page(qtbot, window, "workbench")
    click(qtbot, window, "venueAdminButton")  # 场所管理, every tab
    wait_for_page(qtbot, window, "venueAdmin")
    tabs = find(window, QTabWidget, "venueAdminTabs")
    for index in range(tabs.count()):
        tabs.setCurrentIndex(index)
        walk.screen(window, f"场所管理 tab {index}")
    admin = window.venue_admin

    # 检查点 → 删除 (the one this station uses: the longer question), answered 取消.
    tabs.setCurrentWidget(admin.checkpoints)
    places = find(admin.checkpoints, QListView, "checkpointList")
    qtbot.waitUntil(lambda: places.model().rowCount() > 0, timeout=10_000)
    post = app.station.post
    assert post is not None and post.checkpoint is not None
    rows = [places.model().index(r, 0).data() for r in range(places.model().rowCount())]
    in_use = rows.index(post.checkpoint.name)
    choose_row(qtbot, places, in_use)
    click(qtbot, admin.checkpoints, "checkpointRemove")
    walk_question(qtbot, walk, admin.checkpoints, "confirmCheckpointRemove", "删除检查点")

    # 子管理员 → 收回权限, answered 取消.
    tabs.setCurrentWidget(admin.staff)
    staff = find(admin.staff, QTableView, "staffTable")
    qtbot.waitUntil(lambda: staff.model().rowCount() > 1, timeout=10_000)
    toggle = find(admin.staff, QPushButton, "staffToggle")
    for row in range(staff.model().rowCount()):
        choose_row(qtbot, staff, row)
        if toggle.isEnabled():
            break
    click(qtbot, admin.staff, "staffToggle")
    walk_question(qtbot, walk, admin.staff, "confirmStaffRevoke", "收回核验权限")

    # 设备 → 新建绑定码: the code, its QR and countdown; a kiosk enrols with it; 解除绑定 asks.
    tabs.setCurrentWidget(admin.devices)
    devices = admin.devices
    combo = find(devices, QComboBox, "devicesCheckpoint")
    qtbot.waitUntil(lambda: combo.count() > 0, timeout=10_000)
    name = find(devices, QLineEdit, "devicesName")
    name.clear()
    qtbot.keyClicks(name, "Kiosk")
    click(qtbot, devices, "devicesNewCode")
    code = find(devices, QLabel, "devicesCode")
    qtbot.waitUntil(lambda: bool(code.text()), timeout=10_000)
    walk.screen(window, "设备, a new enrolment code")
    with ApiClient(embedded.url) as api:
        DeviceService(api).enrol(code.text())
    table = find(devices, QTableView, "devicesTable")
    click(qtbot, devices, "devicesRefresh")
    qtbot.waitUntil(lambda: table.model().rowCount() == 1, timeout=10_000)
    walk.screen(window, "设备, one kiosk enrolled")
    choose_row(qtbot, table, 0)
    click(qtbot, devices, "devicesRevoke")
    walk_question(qtbot, walk, devices, "confirmDeviceRevoke", "解除绑定")
    walk.check()


def choose_row(qtbot: QtBot, view: QAbstractItemView, row: int) -> None:
    rect = view.visualRect(view.model().index(row, 0))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def walk_question(
    qtbot: QtBot, walk: Walk, parent: QWidget, name: str, where: str, *, yes: bool = False
) -> None:
    """The question box `name` that `parent` opened: walked, then answered (取消 unless `yes`)."""
    qtbot.waitUntil(lambda: parent.findChild(QMessageBox, name) is not None, timeout=5_000)
    box = parent.findChild(QMessageBox, name)
    assert box is not None
    qtbot.waitUntil(box.isVisible, timeout=5_000)
    walk.screen(box, where)
    answer = box.findChild(QAbstractButton, f"{name}Yes" if yes else f"{name}No")
    assert answer is not None
    qtbot.mouseClick(answer, Qt.MouseButton.LeftButton)


@pytest.mark.usefixtures("english")
def test_the_supervisors_pages_are_english_at_1280x800(
    qtbot: QtBot, make_station_app: MakeApp, embedded: LiveBackend, memory_keyring: MemoryKeyring
) -> None:
    a_day_of_checks(embedded)  # rows in the region's table and its abnormal list
    walk = Walk(qtbot, data_strings(embedded))
    app = open_tablet(make_station_app)
    window = app.window
    view = window.region_view
    with qtbot.waitSignal(view.loaded, timeout=20_000):
        log_in_english(qtbot, window, SUPERVISOR_PHONE)  # 区域监管, every tab
    tabs = find(view, QTabWidget, "regionTabs")
    for index in range(tabs.count()):
        tabs.setCurrentIndex(index)
        walk.screen(window, f"区域监管 tab {tabs.tabText(index)}")
    tabs.setCurrentWidget(view.abnormal)  # one abnormal visitor's details
    table = find(view.abnormal, QTableView, "abnormalTable")
    assert table.model().rowCount() > 0
    table.selectRow(0)
    walk.screen(window, "异常名单, a row chosen")
    panel = view.abnormal  # 查看完整信息 of a registered visitor: the question, then the details
    for row in range(table.model().rowCount()):
        choose_row(qtbot, table, row)
        if panel.item is not None and panel.item.registered:
            break
    walk.screen(window, "异常名单, a registered visitor chosen")
    qtbot.waitUntil(lambda: find(panel, QPushButton, "viewFullDetails").isEnabled(), timeout=10_000)
    click(qtbot, panel, "viewFullDetails")
    walk_question(qtbot, walk, panel, "confirmFullDetails", "查看完整信息?", yes=True)
    with contextlib.suppress(Exception):
        qtbot.waitUntil(panel.full.isVisible, timeout=30_000)
    assert panel.full.isVisible(), (panel.message.text(), walk.found)
    walk.screen(window, "查看完整信息, shown")

    tabs.setCurrentWidget(view.on_behalf)  # 代为注册: the errors, then done
    on_behalf = view.on_behalf
    click(qtbot, on_behalf, "onBehalfSubmit")
    walk.screen(window, "代为注册, nothing filled in")
    type_text(qtbot, on_behalf.owner_name, "孙大爷")  # (keyClicks types Latin-1 only)
    type_text(qtbot, on_behalf.owner_phone, "13955556666")
    form = on_behalf.form
    for field, value in (("name", "孙记理发店"), ("address", "东街 12 号"), ("township", "南明街道")):
        type_text(qtbot, getattr(form, field), value)
    type_text(qtbot, form.contact_phone, "13955556666")
    picker = form.unit_type
    qtbot.keyClicks(picker.filter, "Super")
    first = picker.view.model().index(0, 0)
    qtbot.mouseClick(
        picker.view.viewport(), Qt.MouseButton.LeftButton, pos=picker.view.visualRect(first).center()
    )
    walk.data += ["孙大爷", "孙记理发店", "东街 12 号", "南明街道"]
    message = find(on_behalf, QLabel, "onBehalfMessage")
    with qtbot.waitSignal(view.loaded, timeout=15_000):
        click(qtbot, on_behalf, "onBehalfSubmit")
    qtbot.waitUntil(lambda: "139****6666" in message.text(), timeout=10_000)
    qtbot.waitUntil(lambda: "/v/" in find(on_behalf.code, QLabel, "onBehalfCodeUrl").text(), timeout=10_000)
    walk.screen(window, "代为注册, done")
    view.open_export()  # 导出核验记录
    dialog = view.export_dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible, timeout=5_000)
    walk.screen(dialog, "导出核验记录")
    dialog.reject()
    walk.check()


def test_the_register_page_is_english_at_1280x800(
    qtbot: QtBot,
    language: str,
    make_station_app: MakeApp,
    embedded: LiveBackend,
    memory_keyring: MemoryKeyring,
) -> None:
    walk = Walk(qtbot, data_strings(embedded), language)
    app = open_tablet(make_station_app)
    window = app.window
    wait_for_page(qtbot, window, "loginPage")
    click(qtbot, window, "loginRegister")  # 注册场所
    wait_for_page(qtbot, window, "registerPage")
    walk.screen(window, "注册场所")
    page = window.register_page  # step 2, as test_register.py reaches it
    qtbot.keyClicks(find(page, QLineEdit, "registerPhone"), "13912345678")
    click(qtbot, page, "registerGetCode")
    banner = find(page, QLabel, "registerDemoCode")
    qtbot.waitUntil(banner.isVisible, timeout=10_000)
    walk.screen(window, "注册场所, the demo code sent")
    qtbot.keyClicks(find(page, QLineEdit, "registerCode"), banner.text()[-6:])
    click(qtbot, page, "registerNext")
    qtbot.waitUntil(lambda: page.steps.currentIndex() == 1, timeout=10_000)
    walk.screen(window, "注册场所 step 2")
    click(qtbot, page, "registerSubmit")  # nothing filled in: every field says what is wrong
    walk.screen(window, "注册场所 step 2, the errors")
    click(qtbot, page, "registerBack")
    wait_for_page(qtbot, window, "loginPage")

    click(qtbot, window, "loginDeviceEnrol")  # 设备绑定, with a wrong code
    qtbot.waitUntil(lambda: window.findChild(QDialog, "deviceEnrolDialog") is not None, timeout=5_000)
    dialog = window.findChild(DeviceEnrolDialog, "deviceEnrolDialog")
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible, timeout=5_000)
    walk.data += ["K7QX-M2PA", "ABC"]  # the example code (a code), and what this test types
    walk.screen(dialog, "设备绑定")
    message = find(dialog, QLabel, "deviceEnrolMessage")
    code = find(dialog, QLineEdit, "deviceEnrolCode")
    qtbot.keyClicks(code, "ABC")
    click(qtbot, dialog, "deviceEnrolSubmit")
    qtbot.waitUntil(lambda: bool(message.text()) and dialog.submit_button.isEnabled(), timeout=5_000)
    walk.screen(dialog, "设备绑定, a code of the wrong shape")
    code.clear()
    message.clear()
    qtbot.keyClicks(code, "K7QX-M2PA")  # the right shape, but no owner made it
    click(qtbot, dialog, "deviceEnrolSubmit")
    qtbot.waitUntil(lambda: bool(message.text()) and dialog.submit_button.isEnabled(), timeout=10_000)
    walk.screen(dialog, "设备绑定, an unknown code")
    dialog.reject()
    walk.check()


def test_the_walk_finds_chinese_and_clipped_labels(qtbot: QtBot) -> None:
    """The check itself: Chinese outside data is found, data is not, a squeezed label is."""
    page = QWidget()
    qtbot.addWidget(page)
    page.resize(400, 200)
    chinese = QLabel("保存", page)
    chinese.setObjectName("chinese")
    data = QLabel("Venue: 新昌县人民医院", page)
    data.setObjectName("data")
    data.move(0, 40)
    squeezed = QLabel("A label far too long for its place", page)
    squeezed.setObjectName("squeezed")
    squeezed.setGeometry(0, 80, 30, 20)
    button = QPushButton("A button far too long for its place", page)
    button.setObjectName("narrow")
    button.setGeometry(0, 120, 30, 30)
    page.show()
    qtbot.waitExposed(page)
    found = problems(page, ["新昌县人民医院"])
    assert any(p.startswith("clipped button narrow") for p in found), found
    button.hide()
    found = problems(page, ["新昌县人民医院"])
    assert any(p.startswith("Chinese in chinese:") for p in found), found
    assert not any("in data:" in p for p in found), found
    assert any(p.startswith("clipped squeezed") for p in found), found
    assert len(found) == 2, found
    chinese.setText("PIN 错误，请在 https://example.gov.cn 重试")  # a code and an address: Chinese
    data.setText("核验 Check")  # an English word left on a Chinese screen
    squeezed.hide()
    found = problems(page, [], "zh_CN")
    assert [p for p in found if p.startswith("English")] == ["English in data: '核验 Check' (Check)"]


# --- the pages the first walk left out (issue 17 §5) ------------------------------------------


def test_the_status_bar_banners_are_english_at_1280x800(qtbot: QtBot, language: str) -> None:
    """Clock skew both ways, a refused trust list, low storage with held checks, rejected rows
    and their reasons (the tool tip), revoked staff: what test_status.py triggers."""
    from shoumen_core.policy import VerdictLevel
    from shoumen_core.trust import BadTrustListSignature
    from shoumen_gui.services.cache_rows import RejectedRow
    from shoumen_gui.services.storage import StorageStatus
    from shoumen_gui.ui.status import SyncStatusBar
    from tests.gui.test_status import SYNCED_AT, status

    walk = Walk(qtbot, [], language)
    window = QWidget()  # the bar at the foot of a 1280×800 window, as on the workbench
    bar = SyncStatusBar()
    column = QVBoxLayout(window)
    column.addStretch(1)
    column.addWidget(bar)
    qtbot.addWidget(window)
    window.resize(TABLET)
    window.show()
    qtbot.waitExposed(window)
    bar.set_checkpoint("新昌县人民医院", "北门")
    walk.data += ["新昌县人民医院", "北门"]
    for minutes in (7, -12):
        bar.update_status(status(clock_skew=timedelta(minutes=minutes), skew_warning=True))
        walk.screen(bar, f"clock {minutes} min off")
    refused = BadTrustListSignature()
    bar.update_status(status(trust_warning=refused.message, trust_code=refused.code))
    assert bar.trust_banner.text()  # (an untranslated text would be empty, not Chinese)
    walk.screen(bar, "a refused trust list")
    bar.update_status(status(online=False, pending=3, rejected=3, revoked=True, message="forbidden"))
    bar.set_storage(StorageStatus(free_bytes=50 * 2**20, low=True, held=2))
    rows = [
        RejectedRow(
            uuid.uuid4(), 1, SYNCED_AT, VerdictLevel.PASS, "陈**", "330624********1011", code, message
        )
        # One refused while the app spoke Chinese; the server answers in English now (Accept-Language).
        for code, message in (
            ("staff_revoked", "核验权限已被收回"),
            ("checkpoint_gone", "Checkpoint removed" if language == "en" else "检查点已删除"),
        )
    ]
    bar.set_rejected_rows(rows)
    walk.screen(bar, "offline, rejected rows, low storage, revoked")
    bar.set_storage(StorageStatus(free_bytes=None, low=True, held=0))
    walk.screen(bar, "storage not measurable")
    walk.check()


def test_the_manual_open_reason_dialog_is_english_at_1280x800(qtbot: QtBot, language: str) -> None:
    from shoumen_gui.ui.gate_controls import GateReasonDialog

    walk = Walk(qtbot, [], language)
    dialog = GateReasonDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    walk.screen(dialog, "手动开闸 reason")
    click(qtbot, dialog, "gateQuickReason0")
    walk.screen(dialog, "手动开闸, a quick reason chosen")
    walk.check()


def test_the_crash_dialogs_are_english_at_1280x800(qtbot: QtBot, language: str, tmp_path: Path) -> None:
    """The crash dialog with its report written, and when the log folder refuses it (the OS's
    reason in words): as test_logging_and_crash.py triggers them."""
    import shutil
    import sys

    from shoumen_gui.crash import CrashHandler

    walk = Walk(qtbot, [], language)
    logs = tmp_path / "logs"
    logs.mkdir()
    handler = CrashHandler(logs)
    for where in ("crash report", "crash report, not written"):
        if where.endswith("not written"):
            shutil.rmtree(logs)
            logs.write_text("not a folder", encoding="utf-8")  # ENOTDIR for the report
        try:
            raise RuntimeError("boom")
        except RuntimeError:
            exc_type, exc, tb = sys.exc_info()
        assert exc_type is not None and exc is not None
        with qtbot.waitSignal(handler.crashed, timeout=5_000) as crashed:
            handler.handle_exception(exc_type, exc, tb)
        walk.data[:] = [crashed.args[0], str(logs), str(tmp_path)]  # file names are no words of the app
        dialog = handler.dialog
        assert dialog is not None
        qtbot.addWidget(dialog)
        qtbot.waitExposed(dialog)
        assert "()" not in dialog.informativeText()  # the OS's reason is said
        walk.screen(dialog, where)
        dialog.close()
    walk.check()


def test_the_reject_dialog_is_english_at_1280x800(qtbot: QtBot, language: str) -> None:
    from shoumen_gui.ui.supervisor.pending_venues import RejectDialog

    walk = Walk(qtbot, ["城关便民超市"], language)
    dialog = RejectDialog("城关便民超市")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    walk.screen(dialog, "不通过 (reject a venue)")
    click(qtbot, dialog, "rejectConfirm")  # no reason yet: it says so
    walk.screen(dialog, "不通过, no reason")
    walk.check()


@pytest.mark.usefixtures("english")
def test_the_server_switch_questions_and_the_start_up_problem_are_english_at_1280x800(
    qtbot: QtBot,
    make_station_app: MakeApp,
    embedded: LiveBackend,
    memory_keyring: MemoryKeyring,
    tmp_path: Path,
) -> None:
    """As test_server_identity_cache.py: the same server under another URL (told), a different
    server with an unsynced check (asked), and 暂不切换 (the start-up page says why)."""
    from shoumen_gui.embedded import EmbeddedBackend
    from shoumen_gui.ui.flow import BackendChoice
    from tests.gui.test_server_identity_cache import check_offline, localhost

    walk = Walk(qtbot, data_strings(embedded))
    first = make_station_app(demo_login=GUARD_PHONE, backend=BackendChoice.remote(embedded.url))
    first.window.resize(TABLET)
    first.start()
    check_offline(qtbot, first, embedded.backend)
    embedded.backend.start()

    second = make_station_app(demo_login=GUARD_PHONE, backend=BackendChoice.remote(localhost(embedded.url)))
    second.window.resize(TABLET)
    second.start()
    notice = second.flow.server_notice
    assert notice is not None
    qtbot.waitUntil(notice.isVisible, timeout=5_000)
    walk.screen(notice, "服务器地址 (the same server, another URL)")
    notice.accept()
    check_offline(qtbot, second, embedded.backend)  # (the first one went up with the second start)
    embedded.backend.start()

    path = tmp_path / "other-server" / "embedded-server.db"
    path.parent.mkdir()
    other = EmbeddedBackend(path, server_options={"sms_min_interval_seconds": 0, "sms_max_per_day": 1000})
    other.start()
    try:
        third = make_station_app(demo_login=GUARD_PHONE, backend=BackendChoice.remote(other.url))
        third.window.resize(TABLET)
        third.window.show()
        third.flow.start()
        qtbot.waitUntil(lambda: third.flow.server_change_dialog is not None, timeout=20_000)
        dialog = third.flow.server_change_dialog
        assert dialog is not None
        qtbot.waitUntil(dialog.isVisible, timeout=5_000)
        walk.screen(dialog, "切换服务器? (unsynced checks)")
        find(dialog, QPushButton, "serverChangeStay").click()
        assert third.window.current_page is third.window.startup
        walk.screen(third.window, "启动问题: 未切换服务器")
        third.close()
    finally:
        other.close()
    walk.check()


def test_the_camera_messages_are_english_at_1280x800(
    qtbot: QtBot,
    language: str,
    make_station_app: MakeApp,
    embedded: LiveBackend,
    memory_keyring: MemoryKeyring,
) -> None:
    """The workbench's scan view with no camera, then one plugged in and pulled out (the fake
    camera of test_scan_view.py)."""
    from shoumen_gui import pyside_fixes
    from shoumen_gui.scanning.testframes import make_frame, sample_personal_code
    from shoumen_gui.ui.scan_view import ScanState, stop_all_scanners
    from tests.gui.scanning.fakes import FakeCamera
    from tests.gui.test_scan_view import camera_config

    pyside_fixes.apply()  # (the camera's previews: as test_scan_view.py)
    walk = Walk(qtbot, data_strings(embedded), language)
    camera = FakeCamera([make_frame(sample_personal_code(0), size=(640, 480))])
    camera.plugged_in = False
    app = make_station_app(demo_login=GUARD_PHONE)
    app.window.resize(TABLET)
    app.window.workbench.set_scan_config(camera_config(camera))
    app.start()
    workbench = app.window.workbench
    view = workbench.scan_view
    qtbot.waitUntil(lambda: view.state is ScanState.NO_CAMERA, timeout=10_000)
    walk.screen(app.window, "核验工作台, no camera")
    camera.plugged_in = True
    qtbot.waitUntil(lambda: view.state is ScanState.SCANNING, timeout=10_000)
    camera.plugged_in = False
    qtbot.waitUntil(lambda: view.state is ScanState.LOST, timeout=10_000)
    walk.screen(app.window, "核验工作台, camera lost")
    camera.plugged_in = True
    qtbot.waitUntil(lambda: view.state is ScanState.SCANNING, timeout=10_000)
    walk.screen(app.window, "核验工作台, camera back")
    workbench.detach()
    assert stop_all_scanners()
    walk.check()


@pytest.mark.usefixtures("english")
def test_the_registration_conflict_is_english_at_1280x800(
    qtbot: QtBot, make_station_app: MakeApp, embedded: LiveBackend, memory_keyring: MemoryKeyring
) -> None:
    """核查登记 when another guard changed it meanwhile: the conflict banner with the server's
    version, a refused online save, and 载入服务器版本 (as test_anomaly_form.py drives it)."""
    from shoumen_core.schemas import AnomalyType
    from shoumen_gui.services import anomalies as edit
    from shoumen_gui.services.anomalies import EditMode
    from shoumen_gui.services.session import login_with_demo_code
    from tests.gui.test_anomaly_form import GREEN, OTHER_GUARD, save

    walk = Walk(qtbot, data_strings(embedded))
    app = make_station_app(demo_login=GUARD_PHONE)
    app.window.resize(TABLET)
    app.start()
    window = app.window
    workbench = window.workbench
    form = workbench.anomaly_form
    workbench.open_registration()
    qtbot.keyClicks(form.fields.document, GREEN)
    with qtbot.waitSignal(form.checked, timeout=15_000):
        click(qtbot, form, "anomalyCheck")
    form.fields.type_box.setCurrentIndex(form.fields.type_box.findData(AnomalyType.OTHER.value))
    form.fields.notes.setPlainText("first")
    anomaly = save(qtbot, form)
    qtbot.waitUntil(
        lambda: (a := app.cache.anomaly(anomaly.id)) is not None and a.state == "synced", timeout=15_000
    )
    walk.screen(window, "核查登记, saved and synced")
    with ApiClient(embedded.url) as other:
        other.token = login_with_demo_code(other, OTHER_GUARD).token
        theirs = anomaly.model_copy(update={"notes": "second", "base_version": 1})
        edit.put_online(other, theirs)
        with qtbot.waitSignal(form.saved, timeout=10_000):
            form.open_registration(anomaly.id)
            qtbot.waitUntil(lambda: form.fields.notes.toPlainText() == "first", timeout=10_000)
            form.fields.notes.setPlainText("third")
            click(qtbot, form, "anomalySave")
        qtbot.waitUntil(
            lambda: (a := app.cache.anomaly(anomaly.id)) is not None and a.state == "conflict", timeout=15_000
        )
        form.open_registration(anomaly.id)
        qtbot.waitUntil(lambda: form.base.mode is EditMode.SERVER, timeout=10_000)
        banner = find(form, QLabel, "anomalyBanner")
        qtbot.waitUntil(banner.isVisible, timeout=5_000)
        walk.screen(window, "核查登记, a conflict with the server's version")
        edit.put_online(other, theirs.model_copy(update={"notes": "fourth", "base_version": 2}))
    form.fields.notes.setPlainText("second; third")
    click(qtbot, form, "anomalySave")
    qtbot.waitUntil(lambda: "3" in banner.text() and banner.text() != "", timeout=10_000)
    walk.screen(window, "核查登记, an online save refused (server version 3)")
    click(qtbot, form, "anomalyReload")  # 载入服务器版本
    qtbot.waitUntil(lambda: form.fields.notes.toPlainText() == "fourth", timeout=10_000)
    walk.screen(window, "核查登记, the server's version loaded")
    walk.check()
