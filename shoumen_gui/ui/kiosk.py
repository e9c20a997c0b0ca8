"""Kiosk mode: an unattended tablet at a venue entrance where visitors scan themselves.

`--kiosk` or the `kiosk` setting. While locked: the window is fullscreen without decorations
and cannot be closed by a person (only by the program itself, MainWindow.close_for_shutdown);
the workbench shows the 核验 tab only, without 退出登录 / 切换检查点 / 场所管理 / 设置 and
without the guard's decisions (Workbench.set_kiosk). The login and picker pages still appear
when needed (first start, an expired session); registration, venue admin and the region view
do not. A discreet 管理 button opens the unlock dialog (ui/kiosk_unlock.py): the venue's owner
or a staff member, or the PIN. Unlocked, the station is an ordinary windowed workbench with
a 自助模式 button to lock it again.

After `kiosk_idle_seconds` without input and with no result on screen, the idle screen
(ui/kiosk_idle.py) covers everything and the result panel and ID pad forget the last person.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtWidgets import QWidget

from shoumen_gui.i18n import QT_TRANSLATE_NOOP
from shoumen_gui.kiosk_pin import PinAttempts
from shoumen_gui.tasks import TaskManager
from shoumen_gui.ui.kiosk_idle import IdleMonitor, IdleScreen
from shoumen_gui.ui.kiosk_unlock import UnlockDialog

if TYPE_CHECKING:
    from shoumen_gui.ui.flow import SessionFlow
    from shoumen_gui.ui.main_window import MainWindow

log = logging.getLogger("shoumen.gui.kiosk")

MSG_SUPERVISOR = QT_TRANSLATE_NOOP("shoumen", "自助模式下请使用本场所工作人员的账号登录")


class KioskController(QObject):
    locked_changed = Signal(bool)
    idle_changed = Signal(bool)  # the idle screen came (True) or went (False)

    def __init__(
        self,
        window: MainWindow,
        flow: SessionFlow,
        tasks: TaskManager,
        *,
        idle_seconds: float | None = None,
        pin_attempts: PinAttempts | None = None,
        parent: QObject | None = None,
    ) -> None:
        """`idle_seconds` overrides the setting (tests; the setting itself is 10..3600 s)."""
        super().__init__(parent or window)
        self.window, self.flow, self.tasks = window, flow, tasks
        self.idle_override = idle_seconds
        self.pin_attempts = pin_attempts or PinAttempts()
        self.locked = False
        self.unlock_dialog: UnlockDialog | None = None
        self.idle_screen = IdleScreen(window)
        self.monitor = IdleMonitor(self._idle_ms(), self)
        self.monitor.timed_out.connect(self._on_idle_timeout)
        self.monitor.woken.connect(self.wake)

        workbench = window.workbench
        workbench.kiosk_button.show()  # 自助模式: any station can be locked, not only one started so
        workbench.kiosk_unlock_requested.connect(self.open_unlock_dialog)
        workbench.kiosk_requested.connect(self.lock)
        workbench.check_finished.connect(self._on_check_finished)
        workbench.result_panel.cleared.connect(self.monitor.restart)
        window.pages.currentChanged.connect(self._on_page_changed)
        flow.ready.connect(self._on_flow_ready)

    # --- locking ----------------------------------------------------------------------------

    @property
    def idle(self) -> bool:
        return self.idle_screen.isVisible()

    @Slot()
    def lock(self) -> None:
        window = self.window
        self.locked = True
        window.set_close_locked(True)
        window.setWindowFlag(Qt.WindowType.FramelessWindowHint, True)
        window.showFullScreen()  # changing the flags hid the window; this shows it again
        window.workbench.set_kiosk(True)
        window.login.register_link.hide()  # no new venues from an unattended screen
        self.monitor.set_interval(self._idle_ms())
        self.monitor.start()
        log.info("kiosk mode on")
        self.locked_changed.emit(True)

    @Slot()
    def unlock(self) -> None:
        """After a manager proved it (the unlock dialog): an ordinary windowed workbench."""
        window = self.window
        self.locked = False
        self.monitor.stop()
        self.wake()
        window.set_close_locked(False)
        window.setWindowFlag(Qt.WindowType.FramelessWindowHint, False)
        window.showNormal()
        window.workbench.set_kiosk(False)
        window.login.register_link.show()
        log.info("kiosk mode off")
        self.locked_changed.emit(False)

    @Slot()
    def open_unlock_dialog(self) -> UnlockDialog | None:
        if not self.locked:
            return None
        if self.unlock_dialog is not None:
            self.unlock_dialog.raise_()
            return self.unlock_dialog
        station = self.flow.station
        if station is None:
            return None
        api = self.flow.api
        settings = self.flow.settings
        dialog = UnlockDialog(
            self.tasks,
            base_url=None if api is None else api.base_url,
            venue_id=station.post.venue_id,
            device_name=settings.device_name,
            pin_hash=settings.kiosk_pin_hash,
            attempts=self.pin_attempts,
            verify=True if api is None else api.verify,
            parent=self.window,
        )
        dialog.unlocked.connect(self.unlock)
        dialog.finished.connect(self._on_dialog_finished)
        self.unlock_dialog = dialog
        dialog.open()
        return dialog

    @Slot()
    def _on_dialog_finished(self) -> None:
        dialog, self.unlock_dialog = self.unlock_dialog, None
        if dialog is not None:
            dialog.deleteLater()

    # --- the idle screen ---------------------------------------------------------------------

    def _idle_ms(self) -> int:
        seconds = (
            self.idle_override if self.idle_override is not None else self.flow.settings.kiosk_idle_seconds
        )
        return max(1, int(seconds * 1000))

    @Slot()
    def _on_idle_timeout(self) -> None:
        workbench = self.window.workbench
        if not self.locked or self.window.current_page is not workbench or workbench.station is None:
            self.monitor.restart()
            return
        if workbench.result_panel.showing_result:
            return  # the panel's own auto-clear comes first; `cleared` restarts the count
        self.go_idle()

    def go_idle(self) -> None:
        """The idle screen; the last person leaves every widget under it."""
        if self.unlock_dialog is not None:
            self.unlock_dialog.reject()  # a half-typed manager phone does not stay on screen
        workbench = self.window.workbench
        workbench.result_panel.clear()
        workbench.id_pad.clear()
        self.idle_screen.show_for(workbench.title.text())
        log.info("kiosk idle")
        self.idle_changed.emit(True)

    @Slot()
    def wake(self) -> None:
        self.monitor.timed_out_now = False
        if self.idle_screen.isVisible():
            self.idle_screen.hide()
            self.idle_changed.emit(False)
        self.monitor.restart()

    @Slot(object)
    def _on_check_finished(self, _result: object) -> None:
        """A camera or scanner read while idle: the result replaces the idle screen."""
        self.wake()

    # --- pages a kiosk does not show -----------------------------------------------------------

    @Slot(str)
    def _on_flow_ready(self, page: str) -> None:
        if not self.locked:
            return
        if page == "workbench":
            self.window.workbench.set_kiosk(True)  # e.g. 场所管理 shown again after a re-login
        elif page == "region":
            log.info("kiosk: a supervisor logged in; back to the login page")
            self.flow.logout()
            self.window.login.reset(self.tr(MSG_SUPERVISOR))

    @Slot(int)
    def _on_page_changed(self, _index: int) -> None:
        if not self.locked:
            return
        window = self.window
        page: QWidget = window.current_page
        # Asked without building them: a page not built yet (None) is not the one shown.
        if page is window.lazy.venue_admin.built:
            window.show_page(window.workbench)
        elif page is window.lazy.register_page.built:
            window.show_page(window.login)
        if page is not window.workbench:
            self.wake()
