"""The workbench: where the guard checks visitors — the ID pad, the result, the sync status.

Every check goes through the Station (and so through tasks.py): the GUI thread only hands the
number over and shows what comes back. Three tabs: 核验 (the camera, the ID pad, the result),
核查登记 (the anomaly form) and 统计. Camera reads and keyboard-wedge scans (a USB scanner or
ID-card reader typing anywhere on the workbench) are checked like a typed ID; while a new
registration waits for its visitor, they identify the visitor in the form instead.

While a result waits for the guard's 人工放行 / 劝返, the next typed ID or scan asks first
(继续核验 leaves that check undecided). A thermometer typing like a scanner gun ("36.8⏎",
"T36.8⏎") fills the pad's 体温 field; the reading joins the next check.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractButton,
    QFrame,
    QHBoxLayout,
    QMessageBox,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from shoumen_core.identity import DocumentKind, mask_name
from shoumen_core.policy import VenuePolicy
from shoumen_core.schemas import AbnormalItem, MembershipOut, VenueStatus
from shoumen_core.temperature import looks_like_reading
from shoumen_gui.ops import local as local_ops
from shoumen_gui.services.checks import ResultSource
from shoumen_gui.services.errors import ServiceError, StorageError
from shoumen_gui.services.gate import GateKind
from shoumen_gui.station import Station
from shoumen_gui.tasks import TaskManager
from shoumen_gui.ui.anomaly_form import AnomalyForm
from shoumen_gui.ui.gate_controls import ManualGateControl
from shoumen_gui.ui.id_pad import IdPad
from shoumen_gui.ui.plain import plain_label
from shoumen_gui.ui.result_panel import ResultPanel
from shoumen_gui.ui.scan_view import ScanConfig, ScanView
from shoumen_gui.ui.stats_view import StatsView
from shoumen_gui.ui.status import SyncStatusBar
from shoumen_gui.ui.texts import error_words

if TYPE_CHECKING:
    from collections.abc import Callable

    from shoumen_gui.services.checks import CheckResult
    from shoumen_gui.services.sync import SyncStatus
    from shoumen_gui.ui.sounds import SoundPlayer
    from shoumen_gui.ui.wedge_filter import WedgeFilter

log = logging.getLogger("shoumen.gui.workbench")

MESSAGE_CLEAR_MS = 6000


class Workbench(QWidget):
    logout_requested = Signal()
    switch_requested = Signal()
    admin_requested = Signal()  # 场所管理 (owners; shown by ui/venue/admin_flow.py)
    settings_requested = Signal()  # 设置 (this station: gate, kiosk, display)
    kiosk_unlock_requested = Signal()  # 管理 on a locked kiosk: the unlock dialog (ui/kiosk.py)
    scanning_loaded = Signal()  # OpenCV and the decoders are in (once): the app freezes them (gc)
    kiosk_requested = Signal()  # 自助模式: back into kiosk mode after an unlock
    check_finished = Signal(object)  # CheckResult, or the ServiceError that was shown

    def __init__(
        self,
        tasks: TaskManager,
        *,
        demo_badge: str = "",
        sounds: SoundPlayer | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("workbench")
        self.setAccessibleName(self.tr("核验工作台"))
        self.tasks = tasks
        self.station: Station | None = None
        self.policy = VenuePolicy()
        self.logout_prompt: QMessageBox | None = None
        self.decision_prompt: QMessageBox | None = None  # "the last visitor is not decided yet"
        self._held_check: Callable[[], None] | None = None  # the check waiting for that answer
        self._keyring_persistent, self._keyring_dismissed = True, False
        self.wedge: WedgeFilter | None = None
        self._build(demo_badge)
        self._connect(sounds)
        self._scanning_preloaded = False  # at the first attach (_start_scanning)

    def _build(self, demo_badge: str) -> None:
        """The widgets and layouts (no signal is connected here: _connect)."""
        header = self._build_header(demo_badge)
        self._build_banners()
        self._build_tabs()
        header.insertWidget(header.indexOf(self.user_label), self.manual_gate)  # room there, even at 800 px
        self.status_bar = SyncStatusBar()
        layout = QVBoxLayout(self)
        layout.addLayout(header)
        layout.addWidget(self.keyring_row)
        layout.addWidget(self.venue_status_banner)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.status_bar)

    def _build_header(self, demo_badge: str) -> QHBoxLayout:
        self.demo_badge = plain_label(demo_badge)
        self.demo_badge.setObjectName("demoBadge")
        self.demo_badge.setAccessibleName(self.tr("演示模式"))
        self.demo_badge.setProperty("role", "badge")
        self.demo_badge.setVisible(bool(demo_badge))
        self.title = plain_label()
        self.title.setObjectName("workbenchTitle")
        self.title.setProperty("role", "title")
        self.user_label = plain_label()
        self.user_label.setObjectName("workbenchUser")
        self.switch_button = QPushButton(self.tr("切换检查点"))
        self.switch_button.setObjectName("switchCheckpoint")
        self.switch_button.setAccessibleName(self.tr("切换场所或检查点"))
        self.switch_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.logout_button = QPushButton(self.tr("退出登录"))
        self.logout_button.setObjectName("logoutButton")
        self.logout_button.setAccessibleName(self.tr("退出登录"))
        self.logout_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.admin_button = QPushButton(self.tr("场所管理"))
        self.admin_button.setObjectName("venueAdminButton")
        self.admin_button.setAccessibleName(self.tr("场所管理"))
        self.admin_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.admin_button.hide()
        self.settings_button = QPushButton(self.tr("设置"))
        self.settings_button.setObjectName("settingsButton")
        self.settings_button.setAccessibleName(self.tr("本机设置"))
        self.settings_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.settings_button.hide()  # shown while a station is attached (its post's settings)
        header = QHBoxLayout()
        header.addWidget(self.demo_badge)
        header.addWidget(self.title, 1)
        header.addWidget(self.user_label)
        header.addWidget(self.admin_button)
        header.addWidget(self.settings_button)
        header.addWidget(self.switch_button)
        header.addWidget(self.logout_button)
        self.kiosk_button, self.kiosk_unlock_button = self._make_kiosk_buttons()
        header.addWidget(self.kiosk_button)
        header.addWidget(self.kiosk_unlock_button)
        return header

    def _build_banners(self) -> None:
        self.keyring_banner = plain_label(
            self.tr(
                "本机没有可用的系统钥匙串：登录状态和闸机密钥只保存在本次运行中，"
                "重启程序后需要重新登录，并在设置中重新填写闸机密钥。"
            )
        )
        self.keyring_banner.setObjectName("keyringBanner")
        self.keyring_banner.setAccessibleName(self.tr("登录保存提示"))
        self.keyring_banner.setProperty("role", "infoBanner")
        self.keyring_banner.setWordWrap(True)
        # Issue 16 §10: dismissible for the session (知道了), never on the visitors' kiosk screen.
        self.keyring_dismiss = QPushButton(self.tr("知道了"))
        self.keyring_dismiss.setObjectName("keyringBannerDismiss")
        self.keyring_dismiss.setAccessibleName(self.tr("关闭登录保存提示"))
        self.keyring_dismiss.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.keyring_row = QFrame()
        self.keyring_row.setObjectName("keyringBannerRow")
        keyring_row = QHBoxLayout(self.keyring_row)
        keyring_row.setContentsMargins(0, 0, 0, 0)
        keyring_row.addWidget(self.keyring_banner, 1)
        keyring_row.addWidget(self.keyring_dismiss)
        self.keyring_row.hide()

        # A venue the township has not approved yet: its lookups come back grey (issue 13 §1).
        self.venue_status_banner = plain_label()
        self.venue_status_banner.setObjectName("venueStatusBanner")
        self.venue_status_banner.setAccessibleName(self.tr("场所审核状态"))
        self.venue_status_banner.setProperty("role", "warningBanner")
        self.venue_status_banner.setTextFormat(Qt.TextFormat.PlainText)  # a supervisor typed the reason
        self.venue_status_banner.setWordWrap(True)
        self.venue_status_banner.hide()

    def _build_tabs(self) -> None:
        self.id_pad = IdPad()
        self.result_panel = ResultPanel(self.tasks)
        self.scan_view = ScanView()
        self.manual_gate = ManualGateControl()  # 手动开闸 for a visitor without a check
        left = QVBoxLayout()
        left.addWidget(self.scan_view, 2)
        left.addWidget(self.id_pad, 3)
        self.check_page = QWidget()
        self.check_page.setObjectName("checkPage")
        body = QHBoxLayout(self.check_page)
        body.setContentsMargins(0, 0, 0, 0)
        body.addLayout(left, 2)
        body.addWidget(self.result_panel, 3)
        self.anomaly_form = AnomalyForm()
        self.stats_view = StatsView()
        self.tabs = QTabWidget()
        self.tabs.setObjectName("workbenchTabs")
        self.tabs.setAccessibleName(self.tr("工作台页面"))
        self.tabs.tabBar().setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.tabs.addTab(self.check_page, self.tr("核验"))
        self.tabs.addTab(self.anomaly_form, self.tr("核查登记"))
        self.tabs.addTab(self.stats_view, self.tr("统计"))
        scroll_names = {
            "ScrollLeftButton": self.tr("向左滚动页签"),
            "ScrollRightButton": self.tr("向右滚动页签"),
        }
        for button in self.tabs.tabBar().findChildren(QAbstractButton):  # Qt's own: named for screen readers
            button.setAccessibleName(scroll_names.get(button.objectName(), self.tr("页签按钮")))

    def _connect(self, sounds: SoundPlayer | None) -> None:
        """The signals between the widgets _build made, and out of the workbench."""
        self.switch_button.clicked.connect(self.switch_requested)
        self.logout_button.clicked.connect(self.confirm_logout)
        self.admin_button.clicked.connect(self.admin_requested)
        self.settings_button.clicked.connect(self.settings_requested)
        self.kiosk_button.clicked.connect(self.kiosk_requested)
        self.kiosk_unlock_button.clicked.connect(self.kiosk_unlock_requested)
        self.keyring_dismiss.clicked.connect(self._dismiss_keyring_banner)
        self.id_pad.submitted.connect(self._on_document_submitted)
        self.result_panel.cleared.connect(self._on_result_cleared)
        if sounds is not None:
            self.result_panel.sounds = sounds.play
        self.result_panel.register_requested.connect(self.open_registration)
        self.scan_view.scanned.connect(self.on_scanned)
        self.scan_view.message.connect(self._on_scan_message)
        self.result_panel.attended_changed.connect(self.manual_gate.set_attended)
        self.anomaly_form.checked.connect(self._on_check_result)
        self.stats_view.registration_requested.connect(self.open_registration_for_item)
        self.anomaly_form.saved.connect(self.stats_view.schedule_refresh)

    # --- set-up -------------------------------------------------------------------------------

    def attach(self, station: Station, *, keyring_persistent: bool = True) -> None:
        self.detach()
        self.station = station
        post = station.post
        checkpoint = post.checkpoint.name if post.checkpoint is not None else None
        self.title.setText(
            post.venue.venue_name if not checkpoint else f"{post.venue.venue_name} · {checkpoint}"
        )
        self.user_label.setText(mask_name(post.user.name) or post.user.phone_masked)
        self.status_bar.set_checkpoint(post.venue.venue_name, checkpoint)
        self.status_bar.show_connecting()
        self._keyring_persistent = keyring_persistent
        self._show_keyring_banner()
        self._show_venue_status(post.venue)
        self.policy = station.policy
        station.status_changed.connect(self._on_status)
        station.rejected_rows_changed.connect(self.status_bar.set_rejected_rows)
        station.policy_changed.connect(self._on_policy)
        station.pending_changed.connect(self.status_bar.set_pending)
        station.storage_changed.connect(self.status_bar.set_storage)
        if station.last_storage is not None:
            self.status_bar.set_storage(station.last_storage)
        if station.last_status is not None:
            self.status_bar.update_status(station.last_status)
        self.result_panel.set_decision_recorder(station.record_manual_decision)
        self.result_panel.set_gate_opener(station.manual_open)
        self.result_panel.set_admit_gate_opener(station.open_for_admit)
        self.manual_gate.set_opener(station.manual_open)
        station.gate_changed.connect(self._on_gate_changed)
        self._on_gate_changed(station.gate_kind)
        self.result_panel.clear()
        self.id_pad.clear()
        self.id_pad.set_busy(False)
        self.anomaly_form.set_station(station)
        self.stats_view.set_station(station)
        self.tabs.setCurrentWidget(self.check_page)
        self._install_wedge()
        self.settings_button.show()
        self.id_pad.input.setFocus()
        # The camera starts, and OpenCV and the decoders load on a worker, once the workbench is
        # up: during start-up that import (~0.3 s) would hold the GIL against the GUI thread
        # (issue 18 §3). The ID pad works at once.
        QTimer.singleShot(0, lambda: self._start_scanning(station))

    def _start_scanning(self, station: Station) -> None:
        if self.station is not station:
            return  # detached (or attached again) before the event loop came round
        self.scan_view.start()
        if not self._scanning_preloaded:  # not on the GUI thread at the first scan either
            self._scanning_preloaded = True
            local_ops.preload_scanning().success(lambda _: self.scanning_loaded.emit()).failure(
                lambda error: log.warning("scanning unavailable: %s", error)
            ).run(self.tasks)

    def detach(self) -> None:
        station, self.station = self.station, None
        if station is not None:
            signals = (
                station.status_changed,
                station.rejected_rows_changed,
                station.policy_changed,
                station.pending_changed,
                station.gate_changed,
                station.storage_changed,
            )
            for signal in signals:
                signal.disconnect()
        self.result_panel.set_decision_recorder(None)
        self.result_panel.set_gate_opener(None)
        self.result_panel.set_admit_gate_opener(None)
        self.manual_gate.set_opener(None)
        self._close_decision_prompt()
        self._on_gate_changed(GateKind.NONE)
        self.result_panel.clear()
        self.id_pad.clear()
        self.settings_button.hide()
        self.venue_status_banner.hide()
        self.scan_view.stop()
        if self.wedge is not None:
            self.wedge.uninstall()
        self.anomaly_form.set_station(None)
        self.stats_view.set_station(None)

    # --- checks ---------------------------------------------------------------------------------

    @Slot(str, object)
    def _on_document_submitted(self, number: str, kind: DocumentKind) -> None:
        if self.station is None:
            return

        def run() -> None:
            station = self.station
            if station is None:
                return
            temperature = self.id_pad.take_temperature()
            self.id_pad.set_busy(True)
            station.check_document(
                number, kind, self._on_gate_check_result, self._on_check_failed, temperature
            )

        # 返回处理 puts the number back: the guard typed it once.
        self._when_decided(run, on_back=lambda: self.id_pad.restore(number))

    def check_text(self, text: str) -> None:
        """A scanner or camera read (the scanning helper's widgets call this)."""
        if self.station is None:
            return
        problem = self.id_pad.temperature_problem()
        if problem:  # the reading would be refused: nothing is checked until it is corrected
            self.tabs.setCurrentWidget(self.check_page)
            self.id_pad.temperature_input.setFocus()  # its message says what is wrong
            if not self.result_panel.awaiting_decision:  # never over a result awaiting a decision
                self.result_panel.show_message(
                    self.tr("{0}：请更正或清空体温后重新扫码").format(problem), MESSAGE_CLEAR_MS
                )
            return

        def run() -> None:
            station = self.station
            if station is None:
                return
            temperature = self.id_pad.take_temperature()
            self.id_pad.set_busy(True)
            station.check_text(text, self._on_gate_check_result, self._on_check_failed, temperature)

        self._when_decided(run)

    # --- leaving -------------------------------------------------------------------------------

    @Slot()
    def confirm_logout(self) -> None:
        """退出登录 asks first: logging in again costs an SMS code, and a half-filled 核查登记
        would be lost (取消 goes back to it)."""
        if self.logout_prompt is not None:
            self.logout_prompt.raise_()
            return
        draft = self.anomaly_form.has_unsaved_draft
        text = self.tr("退出后需要重新获取短信验证码才能登录。确定退出登录？")
        if draft:
            text = self.tr("核查登记尚未保存，退出登录将丢失已填写的内容。\n") + text
        box = QMessageBox(QMessageBox.Icon.Question, self.tr("退出登录"), "", parent=self)
        box.setObjectName("logoutConfirm")
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setText(text)
        leave = box.addButton(self.tr("退出登录"), QMessageBox.ButtonRole.AcceptRole)
        leave.setObjectName("logoutConfirmOk")
        stay = box.addButton(
            self.tr("返回登记") if draft else self.tr("取消"), QMessageBox.ButtonRole.RejectRole
        )
        stay.setObjectName("logoutConfirmCancel")
        box.setDefaultButton(stay)
        box.setEscapeButton(stay)

        def answered() -> None:
            self.logout_prompt = None
            box.deleteLater()
            if box.clickedButton() is leave:
                self.logout_requested.emit()
            elif draft:
                self.tabs.setCurrentWidget(self.anomaly_form)

        box.finished.connect(answered)
        self.logout_prompt = box
        box.open()

    # --- a result waiting for the guard's decision ---------------------------------------------

    @property
    def awaiting_decision(self) -> bool:
        return self.result_panel.awaiting_decision

    def _when_decided(self, run: Callable[[], None], on_back: Callable[[], None] | None = None) -> None:
        """Run the next check at once, or, while the shown result waits for 人工放行 / 劝返,
        after the guard chose to leave it undecided (the prompt; never a blocking dialog)."""
        if not self.result_panel.awaiting_decision:
            run()
            return
        self._held_check = run
        if self.decision_prompt is not None:
            return  # already asking: the latest input waits for the answer
        box = QMessageBox(QMessageBox.Icon.Question, self.tr("上一位访客尚未处理"), "", parent=self)
        box.setObjectName("pendingDecisionPrompt")
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setText(
            self.tr(
                "上一位访客需要人工核验，尚未选择“人工放行”或“劝返”。\n继续核验下一位，上一位将记为未决定。"
            )
        )
        go_on = box.addButton(self.tr("继续核验下一位"), QMessageBox.ButtonRole.AcceptRole)
        go_on.setObjectName("pendingDecisionContinue")
        back = box.addButton(self.tr("返回处理"), QMessageBox.ButtonRole.RejectRole)
        back.setObjectName("pendingDecisionBack")
        box.setDefaultButton(back)  # an Enter from the next scan must not dismiss the decision
        box.setEscapeButton(back)

        def answered() -> None:
            held, self._held_check = self._held_check, None
            self.decision_prompt = None
            box.deleteLater()
            if box.clickedButton() is go_on:
                self.result_panel.dismiss_undecided()
                if held is not None:
                    held()
            elif on_back is not None:
                on_back()
            self.id_pad.input.setFocus()

        box.finished.connect(answered)
        self.decision_prompt = box
        box.open()

    def _close_decision_prompt(self) -> None:
        box, self.decision_prompt = self.decision_prompt, None
        self._held_check = None
        if box is not None:
            box.finished.disconnect()
            box.reject()
            box.deleteLater()

    def _on_scan_message(self, text: str) -> None:
        """The camera's calm message (a venue code ...): never over a result awaiting a decision."""
        if self.result_panel.awaiting_decision:
            log.info("scan message not shown: a result awaits the guard's decision")
            return
        self.result_panel.show_message(text, MESSAGE_CLEAR_MS)

    def set_temperature_required(self, required: bool) -> None:
        """设置 → 本场所要求测体温: the pad's 体温 row stays for every visitor."""
        self.id_pad.set_temperature_required(required)

    def _show_venue_status(self, venue: MembershipOut) -> None:
        status = venue.venue_status
        if status is VenueStatus.PENDING:
            text = self.tr(
                "本场所待审核：所在乡镇街道审核通过前不能查询证件信息，核验将显示“无法核验”。"
                "审核期间可以添加工作人员、打印场所码。"
            )
        elif status is VenueStatus.REJECTED:
            text = self.tr("本场所未通过乡镇街道审核，不能查询证件信息。原因：{0}").format(
                venue.venue_status_reason or self.tr("未说明")
            )
        else:
            text = ""
        self.venue_status_banner.setText(text)
        self.venue_status_banner.setVisible(bool(text))

    def _on_check_result(self, result: CheckResult) -> None:
        self.id_pad.set_busy(False)
        if result.source is ResultSource.ONLINE:  # the server looked the visitor up: approved meanwhile
            self.venue_status_banner.hide()
        self.result_panel.show_result(result, self.policy.auto_clear_seconds * 1000)
        if self.station is not None:
            self.station.refresh_pending()
        log.info("check shown: %s (%s)", result.level.value, result.source)
        self.stats_view.schedule_refresh()
        self.check_finished.emit(result)

    def _on_gate_check_result(self, result: CheckResult) -> None:
        """A check of the 核验 page (not the anomaly form's): shown, then the gate is told."""
        self._on_check_result(result)
        station = self.station
        if station is None or station.gate_kind is GateKind.NONE:
            return
        panel, record_id = self.result_panel, result.record_id
        panel.show_gate_pending(record_id)
        station.open_gate_for(result, lambda outcome: panel.show_gate(record_id, outcome))

    def _on_gate_changed(self, kind: GateKind) -> None:
        has_gate = kind is not GateKind.NONE
        self.result_panel.set_gate_available(has_gate)
        self.manual_gate.set_available(has_gate)

    def _on_check_failed(self, error: Exception) -> None:
        self.id_pad.set_busy(False)
        if not isinstance(error, ServiceError):
            raise error  # a bug: to the crash handler
        if isinstance(error, StorageError):  # not committed: grey, no verdict, no gate (issue 14 §1)
            self.result_panel.show_unsaved(error_words(error), error.held)
            if self.station is not None:
                self.station.check_storage()  # the status bar counts it and shows the free space
            self.id_pad.input.setFocus()
            self.check_finished.emit(error)
            return
        self.result_panel.show_message(error_words(error), MESSAGE_CLEAR_MS)
        self.id_pad.input.setFocus()
        self.check_finished.emit(error)

    @Slot()
    def _on_result_cleared(self) -> None:
        self.id_pad.input.setFocus()

    # --- scanning and registration -------------------------------------------------------------

    def set_scan_config(self, config: ScanConfig | None) -> None:
        """The frame source for the camera view (app.py: --camera/--video/--images or settings);
        scanning runs while a station is attached."""
        self.scan_view.set_config(config)
        if self.station is not None:
            self.scan_view.start()

    @Slot(str)
    def on_scanned(self, text: str) -> None:
        """A camera read or a wedge scan: identify the visitor of a new registration, or check.
        A thermometer's burst (a short reading) goes to the 体温 field of the 核验 page."""
        if looks_like_reading(text):
            if self.tabs.currentWidget() is self.anomaly_form:  # measured while registering
                self.anomaly_form.fields.temperature.setText(text.strip())
                return
            self.tabs.setCurrentWidget(self.check_page)
            self.id_pad.set_temperature_reading(text)
            return
        if self.tabs.currentWidget() is self.anomaly_form and self.anomaly_form.wants_visitor:
            self.anomaly_form.identify(text)
            return
        self.tabs.setCurrentWidget(self.check_page)
        self.check_text(text)

    @Slot(object)
    def open_registration(self, result: CheckResult | None = None) -> None:
        """核查登记 from the result panel (prefilled from its check) or blank."""
        self.anomaly_form.new(result)
        self.tabs.setCurrentWidget(self.anomaly_form)

    @Slot(object)
    def open_registration_for_item(self, item: AbnormalItem) -> None:
        """A row of the abnormal list: its registration, or a new one for its check."""
        if item.anomaly_id is not None:
            self.anomaly_form.open_registration(item.anomaly_id)
        else:
            self.anomaly_form.new_for_item(item)
        self.tabs.setCurrentWidget(self.anomaly_form)

    def _install_wedge(self) -> None:
        if self.wedge is None:
            from shoumen_gui.scanning.thermometer import ThermometerWedgeDetector
            from shoumen_gui.ui.wedge_filter import WedgeFilter

            # A thermometer's reading ("36.8⏎") is shorter than any code: the detector also
            # takes a fast, Enter-ended burst shaped like a reading as a scan.
            self.wedge = WedgeFilter(self, detector=ThermometerWedgeDetector())
            self.wedge.scanned.connect(self.on_scanned)
        self.wedge.install()

    # --- status -------------------------------------------------------------------------------

    def _on_status(self, status: SyncStatus) -> None:
        self.status_bar.update_status(status)
        self.stats_view.schedule_refresh()  # a pull brings the venue's counts

    def _on_policy(self, policy: VenuePolicy) -> None:
        self.policy = policy

    # --- kiosk mode -----------------------------------------------------------------------------

    def _make_kiosk_buttons(self) -> tuple[QPushButton, QPushButton]:
        self.kiosk = False
        self._kiosk_hidden: dict[QWidget, bool] = {}  # what set_kiosk(True) hid, to show it again
        enter = QPushButton(self.tr("自助模式"))
        enter.setObjectName("kioskEnterButton")
        enter.setAccessibleName(self.tr("进入自助模式"))
        enter.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        enter.hide()  # offered where a KioskController runs (ui/kiosk.py: always, in the app)
        unlock = QPushButton(self.tr("管理"))
        unlock.setObjectName("kioskUnlockButton")
        unlock.setAccessibleName(self.tr("退出自助模式"))
        unlock.setToolTip(self.tr("退出自助模式（需要场所管理人员验证）"))
        unlock.setProperty("role", "discreet")
        unlock.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        unlock.hide()
        return enter, unlock

    def set_kiosk(self, on: bool) -> None:
        """Kiosk mode: visitors scan themselves. Only the 核验 tab (other visitors' data must not
        be on an unattended screen), no way out of the post, and a discreet 管理 button that
        asks for a manager. Off: everything back as it was, plus 自助模式 to lock again.
        Calling it again while on hides what someone showed meanwhile (e.g. 场所管理 after a
        re-login)."""
        staff_buttons = (self.logout_button, self.switch_button, self.admin_button, self.settings_button)
        if on:
            for button in staff_buttons:
                self._kiosk_hidden[button] = self._kiosk_hidden.get(button, False) or not button.isHidden()
                button.hide()
            for page in (self.anomaly_form, self.stats_view):
                self.tabs.setTabVisible(self.tabs.indexOf(page), False)
            self.tabs.setCurrentWidget(self.check_page)
        else:
            for widget, was_shown in self._kiosk_hidden.items():
                widget.setVisible(was_shown)
            self._kiosk_hidden.clear()
            for page in (self.anomaly_form, self.stats_view):
                self.tabs.setTabVisible(self.tabs.indexOf(page), True)
        self.tabs.tabBar().setVisible(not on)
        self.result_panel.set_attended(not on)  # no guard's decisions on an unattended screen
        self.kiosk_unlock_button.setVisible(on)
        self.kiosk_button.setVisible(not on and (self.kiosk or not self.kiosk_button.isHidden()))
        self.kiosk = on
        self._show_keyring_banner()

    def _show_keyring_banner(self) -> None:
        self.keyring_row.setVisible(not (self._keyring_persistent or self._keyring_dismissed or self.kiosk))

    @Slot()
    def _dismiss_keyring_banner(self) -> None:
        self._keyring_dismissed = True  # for this run: the next start says it again
        self._show_keyring_banner()
