"""The workbench: where the guard checks visitors — the ID pad, the result, the sync status.

Every check goes through the Station (and so through tasks.py): the GUI thread only hands the
number over and shows what comes back.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from shoumen_core.identity import DocumentKind, mask_name
from shoumen_core.policy import VenuePolicy
from shoumen_gui.services.errors import ServiceError
from shoumen_gui.station import Station
from shoumen_gui.tasks import TaskManager
from shoumen_gui.ui.id_pad import IdPad
from shoumen_gui.ui.result_panel import ResultPanel
from shoumen_gui.ui.status import SyncStatusBar

if TYPE_CHECKING:
    from shoumen_gui.services.checks import CheckResult
    from shoumen_gui.services.sync import SyncStatus
    from shoumen_gui.ui.sounds import SoundPlayer

log = logging.getLogger("shoumen.gui.workbench")

MESSAGE_CLEAR_MS = 6000


class Workbench(QWidget):
    logout_requested = Signal()
    switch_requested = Signal()
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

        self.demo_badge = QLabel(demo_badge)
        self.demo_badge.setObjectName("demoBadge")
        self.demo_badge.setAccessibleName(self.tr("演示模式"))
        self.demo_badge.setProperty("role", "badge")
        self.demo_badge.setVisible(bool(demo_badge))
        self.title = QLabel()
        self.title.setObjectName("workbenchTitle")
        self.title.setProperty("role", "title")
        self.user_label = QLabel()
        self.user_label.setObjectName("workbenchUser")
        self.switch_button = QPushButton(self.tr("切换检查点"))
        self.switch_button.setObjectName("switchCheckpoint")
        self.switch_button.setAccessibleName(self.tr("切换场所或检查点"))
        self.switch_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.switch_button.clicked.connect(self.switch_requested)
        self.logout_button = QPushButton(self.tr("退出登录"))
        self.logout_button.setObjectName("logoutButton")
        self.logout_button.setAccessibleName(self.tr("退出登录"))
        self.logout_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.logout_button.clicked.connect(self.logout_requested)
        header = QHBoxLayout()
        header.addWidget(self.demo_badge)
        header.addWidget(self.title, 1)
        header.addWidget(self.user_label)
        header.addWidget(self.switch_button)
        header.addWidget(self.logout_button)

        self.keyring_banner = QLabel(
            self.tr("本机没有可用的系统钥匙串：登录状态只保存在本次运行中，重启程序后需要重新登录。")
        )
        self.keyring_banner.setObjectName("keyringBanner")
        self.keyring_banner.setAccessibleName(self.tr("登录保存提示"))
        self.keyring_banner.setProperty("role", "infoBanner")
        self.keyring_banner.setWordWrap(True)
        self.keyring_banner.hide()

        self.id_pad = IdPad()
        self.id_pad.submitted.connect(self._on_document_submitted)
        self.result_panel = ResultPanel(tasks)
        self.result_panel.cleared.connect(self._on_result_cleared)
        if sounds is not None:
            self.result_panel.sounds = sounds.play
        body = QHBoxLayout()
        body.addWidget(self.id_pad, 2)
        body.addWidget(self.result_panel, 3)

        self.status_bar = SyncStatusBar()
        layout = QVBoxLayout(self)
        layout.addLayout(header)
        layout.addWidget(self.keyring_banner)
        layout.addLayout(body, 1)
        layout.addWidget(self.status_bar)

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
        self.keyring_banner.setVisible(not keyring_persistent)
        self.policy = station.policy
        station.status_changed.connect(self._on_status)
        station.rejected_rows_changed.connect(self.status_bar.set_rejected_rows)
        station.policy_changed.connect(self._on_policy)
        station.pending_changed.connect(self.status_bar.set_pending)
        if station.last_status is not None:
            self.status_bar.update_status(station.last_status)
        self.result_panel.set_decision_recorder(station.record_manual_decision)
        self.result_panel.clear()
        self.id_pad.clear()
        self.id_pad.set_busy(False)
        self.id_pad.input.setFocus()

    def detach(self) -> None:
        station, self.station = self.station, None
        if station is not None:
            signals = (
                station.status_changed,
                station.rejected_rows_changed,
                station.policy_changed,
                station.pending_changed,
            )
            for signal in signals:
                signal.disconnect()
        self.result_panel.set_decision_recorder(None)
        self.result_panel.clear()
        self.id_pad.clear()

    # --- checks ---------------------------------------------------------------------------------

    @Slot(str, object)
    def _on_document_submitted(self, number: str, kind: DocumentKind) -> None:
        station = self.station
        if station is None:
            return
        self.id_pad.set_busy(True)
        station.check_document(number, kind, self._on_check_result, self._on_check_failed)

    def check_text(self, text: str) -> None:
        """A scanner or camera read (the scanning helper's widgets call this)."""
        if self.station is None:
            return
        self.id_pad.set_busy(True)
        self.station.check_text(text, self._on_check_result, self._on_check_failed)

    def _on_check_result(self, result: CheckResult) -> None:
        self.id_pad.set_busy(False)
        self.result_panel.show_result(result, self.policy.auto_clear_seconds * 1000)
        if self.station is not None:
            self.station.refresh_pending()
        log.info("check shown: %s (%s)", result.level.value, result.source)
        self.check_finished.emit(result)

    def _on_check_failed(self, error: Exception) -> None:
        self.id_pad.set_busy(False)
        if not isinstance(error, ServiceError):
            raise error  # a bug: to the crash handler
        self.result_panel.show_message(error.message, MESSAGE_CLEAR_MS)
        self.id_pad.input.setFocus()
        self.check_finished.emit(error)

    @Slot()
    def _on_result_cleared(self) -> None:
        self.id_pad.input.setFocus()

    # --- status -------------------------------------------------------------------------------

    def _on_status(self, status: SyncStatus) -> None:
        self.status_bar.update_status(status)

    def _on_policy(self, policy: VenuePolicy) -> None:
        self.policy = policy
