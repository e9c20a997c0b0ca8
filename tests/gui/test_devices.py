# mypy: allow-untyped-calls
"""设备绑定 (issue 18 §1) on the real embedded backend: the owner makes a code in 场所管理 → 设备,
a kiosk enrols with it from its login page and checks on its own credential (no person's
login), keeps it across a restart, and stops and says so when the owner revokes it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QComboBox, QDialog, QLabel, QLineEdit, QMessageBox, QPushButton, QTableView
from pytestqt.qtbot import QtBot

from shoumen_core.devices import DEVICE_SCHEME, QR_PREFIX
from shoumen_gui.paths import AppPaths
from shoumen_gui.services.device import ROTATE_EVERY
from shoumen_gui.settings import SettingsStore
from shoumen_gui.tasks import TaskManager
from shoumen_gui.ui.device_flow import REVOKED_MESSAGE
from shoumen_gui.ui.flow import BackendChoice, SessionFlow
from shoumen_gui.ui.kiosk import KioskController
from shoumen_gui.ui.main_window import MainWindow
from shoumen_server.seed import DEMO_PATHS_BY_KEY
from tests.gui.conftest import (
    FAST_SYNC,
    GUARD_PHONE,
    OWNER_PHONE,
    LiveBackend,
    MakeApp,
    MemoryKeyring,
    StationApp,
)
from tests.gui.helpers import click, find, type_id, verdict, wait_for_page
from tests.gui.venue.drive import answer_box, decode_qr, open_admin_tab, open_workbench, type_text

KIOSK_CHECKPOINT = "南门"


@pytest.fixture
def make_kiosk(qtbot: QtBot, tmp_path: Path, embedded: LiveBackend) -> Iterator[object]:
    """A second station (its own data folder) on the same backend, as main() wires one."""
    made: list[StationApp] = []
    paths = AppPaths.in_folder(tmp_path / "kiosk").ensure()

    def make() -> StationApp:
        tasks = TaskManager()
        store = SettingsStore(paths.settings_file)
        window = MainWindow(tasks, device_name="kiosk")
        qtbot.addWidget(window)
        flow = SessionFlow(
            window,
            tasks,
            paths,
            store,
            store.load(),
            BackendChoice.local(embedded.backend),
            sync_options=FAST_SYNC,
        )
        kiosk = StationApp(window, flow, tasks, paths, qtbot)
        made.append(kiosk)
        window.show()
        return kiosk

    yield make
    for kiosk in made:
        kiosk.close()


def new_enrolment_code(qtbot: QtBot, owner: StationApp) -> str:
    """场所管理 → 设备: choose the kiosk's checkpoint, name it, 新建绑定码; the code shown."""
    window = owner.window
    open_admin_tab(qtbot, window, "设备")
    panel = window.venue_admin.devices
    combo = find(panel, QComboBox, "devicesCheckpoint")
    qtbot.waitUntil(lambda: combo.count() == 3, timeout=10_000)
    combo.setCurrentIndex(combo.findText(KIOSK_CHECKPOINT))
    name = find(panel, QLineEdit, "devicesName")
    name.clear()
    type_text(qtbot, name, "南门自助机")
    click(qtbot, panel, "devicesNewCode")
    code = find(panel, QLabel, "devicesCode")
    qtbot.waitUntil(lambda: bool(code.text()), timeout=10_000)
    assert find(panel, QLabel, "devicesQr").isVisible()
    assert "分" in find(panel, QLabel, "devicesCountdown").text()
    return code.text()


def enrol_kiosk(qtbot: QtBot, kiosk: StationApp, code: str) -> None:
    window = kiosk.window
    wait_for_page(qtbot, window, "loginPage")
    click(qtbot, window, "loginDeviceEnrol")
    qtbot.waitUntil(lambda: window.findChild(QDialog, "deviceEnrolDialog") is not None, timeout=5_000)
    dialog = window.findChild(QDialog, "deviceEnrolDialog")
    type_text(qtbot, find(dialog, QLineEdit, "deviceEnrolCode"), code)
    with qtbot.waitSignal(kiosk.flow.ready, timeout=20_000) as blocker:
        click(qtbot, dialog, "deviceEnrolSubmit")
    assert blocker.args == ["workbench"]


def test_owner_enrols_a_kiosk_which_checks_on_its_credential_and_resumes_after_a_restart(
    qtbot: QtBot, make_station_app: MakeApp, make_kiosk, embedded: LiveBackend, memory_keyring: MemoryKeyring
) -> None:  # type: ignore[no-untyped-def]
    owner = make_station_app()
    owner.start()
    open_workbench(qtbot, owner, OWNER_PHONE, "北门")
    code = new_enrolment_code(qtbot, owner)

    memory_keyring.store.clear()  # the kiosk is another machine: not the owner's keyring
    kiosk = make_kiosk()
    kiosk.start()
    enrol_kiosk(qtbot, kiosk, code)
    assert kiosk.api.token_scheme == DEVICE_SCHEME and kiosk.flow.devices.active
    assert not find(kiosk.window, QPushButton, "venueAdminButton").isVisible()  # no admin on a device
    assert kiosk.station.post.checkpoint is not None
    assert kiosk.station.post.checkpoint.name == KIOSK_CHECKPOINT
    assert any(account.startswith("device:") for _service, account in memory_keyring.store)
    before = embedded.count_checks()
    type_id(qtbot, kiosk.window, DEMO_PATHS_BY_KEY["green_fresh"].number)
    assert verdict(kiosk.window) == "通行"  # looked up online on the device credential
    qtbot.waitUntil(lambda: embedded.count_checks() == before + 1, timeout=15_000)  # pushed

    # A restart: the credential comes back from the keyring; no login page, no SMS.
    kiosk.close()
    again = make_kiosk()
    with qtbot.waitSignal(again.flow.ready, timeout=20_000) as blocker:
        again.flow.start()
    assert blocker.args == ["workbench"]
    assert again.flow.devices.active

    # The owner sees the station in the list.
    panel = owner.window.venue_admin.devices
    click(qtbot, panel, "devicesRefresh")
    table = find(panel, QTableView, "devicesTable")
    qtbot.waitUntil(lambda: table.model().rowCount() == 1, timeout=10_000)
    row = [str(table.model().index(0, c).data()) for c in range(table.model().columnCount())]
    assert row[0] == "南门自助机" and row[1] == KIOSK_CHECKPOINT and row[5] == "使用中"


def test_owner_revokes_a_kiosk_which_stops_at_its_next_request_and_says_so(
    qtbot: QtBot, make_station_app: MakeApp, make_kiosk, embedded: LiveBackend, memory_keyring: MemoryKeyring
) -> None:  # type: ignore[no-untyped-def]
    owner = make_station_app()
    owner.start()
    open_workbench(qtbot, owner, OWNER_PHONE, "北门")
    code = new_enrolment_code(qtbot, owner)
    memory_keyring.store.clear()  # the kiosk is another machine: not the owner's keyring
    kiosk = make_kiosk()
    kiosk.start()
    enrol_kiosk(qtbot, kiosk, code)

    panel = owner.window.venue_admin.devices
    click(qtbot, panel, "devicesRefresh")
    table = find(panel, QTableView, "devicesTable")
    qtbot.waitUntil(lambda: table.model().rowCount() == 1, timeout=10_000)
    table.selectRow(0)
    click(qtbot, panel, "devicesRevoke")
    text = answer_box(qtbot, panel, "confirmDeviceRevoke")
    assert "南门自助机" in text
    qtbot.waitUntil(lambda: table.model().index(0, 5).data() == "已解除绑定", timeout=10_000)

    # The kiosk's next request (a sync round) is refused: it stops checking and says why.
    kiosk.station.sync_now()
    wait_for_page(qtbot, kiosk.window, "loginPage")
    assert find(kiosk.window, QLabel, "loginError").text() == REVOKED_MESSAGE
    assert not kiosk.flow.devices.active and kiosk.flow.station is None
    qtbot.waitUntil(
        lambda: not any(account.startswith("device:") for _s, account in memory_keyring.store), timeout=5_000
    )


def test_a_kiosk_enrolled_from_the_scanned_qr_without_a_keyring_says_its_credential_is_in_memory_only(
    qtbot: QtBot, make_station_app: MakeApp, make_kiosk, embedded: LiveBackend, no_keyring: None
) -> None:  # type: ignore[no-untyped-def]
    owner = make_station_app()
    owner.start()
    open_workbench(qtbot, owner, OWNER_PHONE, "北门")
    new_enrolment_code(qtbot, owner)
    # The QR on the owner's screen, read as a scanner at the kiosk would type it.
    shown = find(owner.window.venue_admin.devices, QLabel, "devicesQr").pixmap().toImage()
    [payload] = decode_qr(shown)
    assert payload.startswith(QR_PREFIX)
    kiosk = make_kiosk()
    kiosk.start()
    enrol_kiosk(qtbot, kiosk, payload)
    qtbot.waitUntil(
        lambda: kiosk.window.findChild(QMessageBox, "deviceMemoryOnlyNotice") is not None, timeout=5_000
    )
    notice = kiosk.window.findChild(QMessageBox, "deviceMemoryOnlyNotice")
    assert "只保存在内存中" in notice.text() and "重新绑定" in notice.text()
    assert kiosk.flow.devices.active  # it still runs on the credential for this run


def test_a_wrong_code_is_refused_with_words_and_the_kiosk_stays_on_the_login_page(
    qtbot: QtBot, make_kiosk, memory_keyring: MemoryKeyring
) -> None:  # type: ignore[no-untyped-def]
    kiosk = make_kiosk()
    kiosk.start()
    window = kiosk.window
    click(qtbot, window, "loginDeviceEnrol")
    qtbot.waitUntil(lambda: window.findChild(QDialog, "deviceEnrolDialog") is not None, timeout=5_000)
    dialog = window.findChild(QDialog, "deviceEnrolDialog")
    message = find(dialog, QLabel, "deviceEnrolMessage")
    type_text(qtbot, find(dialog, QLineEdit, "deviceEnrolCode"), "ABC")
    click(qtbot, dialog, "deviceEnrolSubmit")
    qtbot.waitUntil(lambda: "8 位" in message.text(), timeout=5_000)
    code = find(dialog, QLineEdit, "deviceEnrolCode")
    code.clear()
    type_text(qtbot, code, "K7QX-M2PA")  # the right shape, but no owner made it
    click(qtbot, dialog, "deviceEnrolSubmit")
    qtbot.waitUntil(lambda: "绑定码无效" in message.text(), timeout=10_000)
    assert window.current_page is window.login and not kiosk.flow.devices.active


def test_the_kiosk_rotates_its_credential_when_a_day_old_and_keeps_working(
    qtbot: QtBot, make_station_app: MakeApp, make_kiosk, embedded: LiveBackend, memory_keyring: MemoryKeyring
) -> None:  # type: ignore[no-untyped-def]
    owner = make_station_app()
    owner.start()
    open_workbench(qtbot, owner, OWNER_PHONE, "北门")
    code = new_enrolment_code(qtbot, owner)
    memory_keyring.store.clear()  # the kiosk is another machine: not the owner's keyring
    kiosk = make_kiosk()
    kiosk.start()
    enrol_kiosk(qtbot, kiosk, code)
    devices = kiosk.flow.devices
    first = devices.credential
    assert first is not None and not devices.rotate_if_due()  # fresh: nothing to do
    devices.credential = first.model_copy(update={"rotated_at": first.rotated_at - ROTATE_EVERY})
    assert devices.rotate_if_due()
    qtbot.waitUntil(lambda: kiosk.api.token != first.token, timeout=10_000)
    stored = [v for (_s, account), v in memory_keyring.store.items() if account.startswith("device:")]
    assert len(stored) == 1 and kiosk.api.token in stored[0]  # kept before it was used
    before = embedded.count_checks()
    type_id(qtbot, kiosk.window, DEMO_PATHS_BY_KEY["green_fresh"].number)
    assert verdict(kiosk.window) == "通行"
    qtbot.waitUntil(lambda: embedded.count_checks() == before + 1, timeout=15_000)


def test_staff_unlock_a_locked_device_kiosk_on_top_of_its_credential(
    qtbot: QtBot, make_station_app: MakeApp, make_kiosk, embedded: LiveBackend, memory_keyring: MemoryKeyring
) -> None:  # type: ignore[no-untyped-def]
    owner = make_station_app()
    owner.start()
    open_workbench(qtbot, owner, OWNER_PHONE, "北门")
    code = new_enrolment_code(qtbot, owner)
    memory_keyring.store.clear()  # the kiosk is another machine: not the owner's keyring
    kiosk = make_kiosk()
    kiosk.start()
    enrol_kiosk(qtbot, kiosk, code)
    controller = KioskController(kiosk.window, kiosk.flow, kiosk.tasks, idle_seconds=60.0)
    controller.lock()
    try:
        click(qtbot, kiosk.window, "kioskUnlockButton")
        dialog = controller.unlock_dialog
        assert dialog is not None
        qtbot.keyClicks(find(dialog, QLineEdit, "kioskUnlockPhone"), GUARD_PHONE)
        click(qtbot, dialog, "kioskUnlockGetCode")
        qtbot.waitUntil(lambda: dialog.demo_code is not None, timeout=10_000)
        qtbot.keyClicks(find(dialog, QLineEdit, "kioskUnlockCode"), dialog.demo_code or "")
        with qtbot.waitSignal(controller.locked_changed, timeout=15_000) as blocker:
            click(qtbot, dialog, "kioskUnlockSubmit")
        assert blocker.args == [False]
        # The station still runs on its own credential: the person's login was a temporary one.
        assert kiosk.api.token_scheme == DEVICE_SCHEME and kiosk.flow.devices.active
    finally:
        controller.monitor.stop()
