"""The result panel: one verdict, readable from a distance and without colour vision.

Colour AND icon AND words (DESIGN §2), the masked name and ID, and one row per source with its
state and reason. For 人工核验 and 无法核验 the guard decides by hand (人工放行 / 劝返); the
decision is recorded off the GUI thread. Such a result waits for the decision however long the
guard checks by hand (an out-of-province code, a travel card): it clears only once decided, or
when the guard presses 暂不决定 (the check stays undecided). Other results, and decided ones,
go back to the ready state after the policy's auto-clear time and forget the person (DESIGN §7:
no PII on an idle screen). On an unattended kiosk nobody decides: every result clears.

人工放行 at a post with a gate opens it once for that check (the decision is the reason); only
an opening without a decision goes through 手动开闸 and its reason dialog.

At a post with a gate, a gate line tells what the gate did (已开闸 / 闸机保持关闭 / 闸机未响应…)
and offers 手动开闸, which asks for a reason (ui/gate_controls.py). On an unattended kiosk
(`set_attended(False)`) visitors get no buttons, only "请联系现场工作人员".
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from shoumen_core.policy import LEVEL_COLOURS, Source, VerdictLevel
from shoumen_core.schemas import ManualDecision
from shoumen_gui.i18n import QT_TRANSLATE_NOOP
from shoumen_gui.ops import station as station_ops
from shoumen_gui.services.errors import ServiceError
from shoumen_gui.services.gate import GateResult
from shoumen_gui.tasks import TaskManager
from shoumen_gui.ui import texts
from shoumen_gui.ui.finding_rows import ROWS, FindingRow
from shoumen_gui.ui.gate_controls import (
    CLOSED,
    OPEN,
    PENDING,
    WARNING,
    GateReasonDialog,
    ManualGateOpener,
    ask_gate_reason,
    gate_line,
    style_gate_label,
)
from shoumen_gui.ui.icons import verdict_pixmap
from shoumen_gui.ui.plain import plain_label
from shoumen_gui.ui.texts import error_words, level_words

if TYPE_CHECKING:
    from shoumen_gui.services.checks import CheckResult

log = logging.getLogger("shoumen.gui.result")

DecisionRecorder = Callable[[uuid.UUID, ManualDecision], None]
# Station.open_for_admit: (check id, on_done on the GUI thread)
AdmitGateOpener = Callable[[uuid.UUID, Callable[[GateResult], None]], None]

SOURCE_WORDS: dict[str, str] = {
    "online": QT_TRANSLATE_NOOP("shoumen", "在线核验"),
    "offline_snapshot": QT_TRANSLATE_NOOP("shoumen", "离线核验（健康码签名快照）"),
    "offline_unverified": QT_TRANSLATE_NOOP("shoumen", "离线，未能核验"),
    "refused": QT_TRANSLATE_NOOP("shoumen", "服务器拒绝查询"),
    "rate_limited": QT_TRANSLATE_NOOP("shoumen", "查询过于频繁，未能在线核验"),
}

DECISION_WORDS: dict[ManualDecision, str] = {
    ManualDecision.ADMIT: QT_TRANSLATE_NOOP("shoumen", "人工放行"),
    ManualDecision.TURN_AWAY: QT_TRANSLATE_NOOP("shoumen", "劝返"),
}

READY_TEXT = QT_TRANSLATE_NOOP("shoumen", "请扫描个人健康码，或录入证件号码")
STAFF_HINT = QT_TRANSLATE_NOOP("shoumen", "请联系现场工作人员")


class ResultPanel(QFrame):
    cleared = Signal()
    decision_recorded = Signal(object)  # ManualDecision
    register_requested = Signal(object)  # CheckResult: open 核查登记 prefilled from this check
    gate_shown = Signal(object)  # GateResult now on the gate line
    attended_changed = Signal(bool)
    dismissed_undecided = Signal(object)  # CheckResult the guard left without a decision

    def __init__(self, tasks: TaskManager, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("resultPanel")
        self.setAccessibleName(self.tr("核验结果"))
        self.tasks = tasks
        self.result: CheckResult | None = None
        self._record_decision: DecisionRecorder | None = None
        self._remaining = 0
        self._clear_after_ms = 0
        self.sounds: Callable[[VerdictLevel], None] | None = None
        self.attended = True  # False on an unattended kiosk: no buttons for visitors
        self.gate_available = False  # the post has a gate: the gate line is shown
        self._open_gate: ManualGateOpener | None = None
        self._open_for_admit: AdmitGateOpener | None = None
        self._decided: ManualDecision | None = None  # recorded for the shown result
        self._gate_state = ""  # gate_controls.PENDING/OPEN/CLOSED/WARNING, "" = no line
        self._gate_opened = False  # the gate line's outcome opened the gate (even if it then failed)
        self._unsaved = False  # the grey 无法保存 state is shown
        self.reason_dialog: GateReasonDialog | None = None
        self._build()
        self._connect()
        self.clear()

    def _build(self) -> None:
        """The timers, the three pages (ready, result, unsaved) and the layout; signals: _connect."""
        self.clear_timer = QTimer(self)
        self.clear_timer.setSingleShot(True)
        self.tick_timer = QTimer(self)
        self.tick_timer.setInterval(1000)

        self.stack = QStackedWidget()
        self.ready_label = plain_label(self.tr(READY_TEXT))
        self.ready_label.setObjectName("readyLabel")
        self.ready_label.setAccessibleName(self.tr("等待核验"))
        self.ready_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.ready_label.setWordWrap(True)
        self.stack.addWidget(self.ready_label)
        self.stack.addWidget(self._build_result_page())
        self.stack.addWidget(self._build_unsaved_page())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)

    def _connect(self) -> None:
        self.clear_timer.timeout.connect(self.clear)
        self.tick_timer.timeout.connect(self._tick)
        self.admit_button.clicked.connect(lambda: self._decide(ManualDecision.ADMIT))
        self.turn_away_button.clicked.connect(lambda: self._decide(ManualDecision.TURN_AWAY))
        self.dismiss_button.clicked.connect(self.dismiss_undecided)
        self.register_button.clicked.connect(self._request_registration)
        self.manual_gate_button.clicked.connect(self._ask_manual_gate)
        self.unsaved_dismiss.clicked.connect(self.clear)

    def _build_result_page(self) -> QWidget:
        """Verdict banner, person, one row per source, the gate line and the guard's buttons."""
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addWidget(self._build_banner())
        layout.addWidget(self.headline)
        layout.addLayout(self._build_person())
        layout.addLayout(self._build_rows())
        layout.addWidget(self._build_gate_row())
        layout.addLayout(self._build_actions())
        layout.addStretch(1)
        return page

    def _build_banner(self) -> QFrame:
        self.banner = QFrame()
        self.banner.setObjectName("verdictBanner")
        self.verdict_icon = plain_label()
        self.verdict_icon.setObjectName("verdictIcon")
        self.verdict_label = plain_label()
        self.verdict_label.setObjectName("verdictLabel")
        self.verdict_label.setAccessibleName(self.tr("核验结论"))
        banner_layout = QHBoxLayout(self.banner)
        banner_layout.addWidget(self.verdict_icon)
        banner_layout.addWidget(self.verdict_label, 1)
        self.headline = plain_label()
        self.headline.setObjectName("verdictHeadline")
        self.headline.setWordWrap(True)
        return self.banner

    def _build_person(self) -> QGridLayout:
        self.masked_name = plain_label()
        self.masked_name.setObjectName("maskedName")
        self.masked_name.setAccessibleName(self.tr("姓名"))
        self.masked_id = plain_label()
        self.masked_id.setObjectName("maskedId")
        self.masked_id.setAccessibleName(self.tr("证件号码"))
        self.source = plain_label()
        self.source.setObjectName("resultSource")
        person = QGridLayout()
        person.addWidget(self.masked_name, 0, 0)
        person.addWidget(self.masked_id, 0, 1)
        person.addWidget(self.source, 1, 0, 1, 2)
        return person

    def _build_rows(self) -> QVBoxLayout:
        self.rows: dict[Source, FindingRow] = {}
        rows = QVBoxLayout()
        for source, object_name, title in ROWS:
            row = FindingRow(object_name, self.tr(title))
            self.rows[source] = row
            rows.addWidget(row)
        return rows

    def _build_actions(self) -> QHBoxLayout:
        """人工放行 / 劝返, the decision, the hint, 核查登记, 暂不决定 and the countdown."""
        self.admit_button = QPushButton(self.tr("人工放行"))
        self.admit_button.setObjectName("manualAdmit")
        self.admit_button.setAccessibleName(self.tr("人工放行"))
        self.turn_away_button = QPushButton(self.tr("劝返"))
        self.turn_away_button.setObjectName("manualTurnAway")
        self.turn_away_button.setAccessibleName(self.tr("劝返"))
        self.decision_label = plain_label()
        self.decision_label.setObjectName("decisionLabel")
        self.decision_label.setAccessibleName(self.tr("人工核验决定"))
        self.decision_label.setWordWrap(True)
        self.dismiss_button = QPushButton(self.tr("暂不决定"))
        self.dismiss_button.setObjectName("dismissUndecided")
        self.dismiss_button.setAccessibleName(self.tr("暂不决定，清除此结果（记为未决定）"))
        self.dismiss_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.register_button = QPushButton(self.tr("核查登记"))
        self.register_button.setObjectName("registerAnomaly")
        self.register_button.setAccessibleName(self.tr("为此访客做核查登记"))
        self.register_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.staff_hint = plain_label(self.tr(STAFF_HINT))
        self.staff_hint.setObjectName("staffHint")
        self.staff_hint.setAccessibleName(self.tr("提示"))
        self.staff_hint.setWordWrap(True)
        self.countdown = plain_label()
        self.countdown.setObjectName("clearCountdown")
        self.countdown.setAccessibleName(self.tr("自动清除倒计时"))
        buttons = QHBoxLayout()
        buttons.addWidget(self.admit_button)
        buttons.addWidget(self.turn_away_button)
        buttons.addWidget(self.decision_label, 1)
        buttons.addWidget(self.staff_hint, 1)
        buttons.addWidget(self.register_button)
        buttons.addWidget(self.dismiss_button)
        buttons.addWidget(self.countdown)
        return buttons

    def _build_gate_row(self) -> QFrame:
        """What the gate did for this check, and 手动开闸."""
        self.gate_row = QFrame()
        self.gate_row.setObjectName("gateRow")
        self.gate_label = plain_label()
        self.gate_label.setObjectName("gateStatus")
        self.gate_label.setAccessibleName(self.tr("闸机状态"))
        self.gate_label.setWordWrap(True)
        self.manual_gate_button = QPushButton(self.tr("手动开闸"))
        self.manual_gate_button.setObjectName("manualGateOpen")
        self.manual_gate_button.setAccessibleName(self.tr("手动开闸（需填写原因）"))
        self.manual_gate_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        gate_layout = QHBoxLayout(self.gate_row)
        gate_layout.setContentsMargins(0, 0, 0, 0)
        gate_layout.addWidget(self.gate_label, 1)
        gate_layout.addWidget(self.manual_gate_button)
        return self.gate_row

    def _build_unsaved_page(self) -> QWidget:
        """A check the disk refused: grey, no verdict, no person, no countdown (issue 14 §1)."""
        page = QFrame()
        page.setObjectName("unsavedPage")
        page.setAccessibleName(self.tr("核验记录无法保存"))
        page.setStyleSheet(
            f"#unsavedPage {{ background-color: {LEVEL_COLOURS[VerdictLevel.CANNOT_VERIFY]};"
            " border-radius: 8px; } #unsavedPage QLabel { color: white; }"
        )
        self.unsaved_icon = plain_label()
        self.unsaved_icon.setObjectName("unsavedIcon")
        self.unsaved_title = plain_label(self.tr("无法保存"))
        self.unsaved_title.setObjectName("unsavedTitle")
        self.unsaved_title.setAccessibleName(self.tr("核验结论"))
        self.unsaved_title.setProperty("role", "title")
        title_row = QHBoxLayout()
        title_row.addWidget(self.unsaved_icon)
        title_row.addWidget(self.unsaved_title, 1)
        self.unsaved_message = plain_label()
        self.unsaved_message.setObjectName("unsavedMessage")
        self.unsaved_message.setAccessibleName(self.tr("无法保存的原因"))
        self.unsaved_message.setWordWrap(True)
        self.unsaved_held = plain_label()
        self.unsaved_held.setObjectName("unsavedHeld")
        self.unsaved_held.setAccessibleName(self.tr("暂存的核验记录"))
        self.unsaved_held.setWordWrap(True)
        self.unsaved_dismiss = QPushButton(self.tr("知道了"))
        self.unsaved_dismiss.setObjectName("unsavedDismiss")
        self.unsaved_dismiss.setAccessibleName(self.tr("关闭无法保存提示"))
        self.unsaved_dismiss.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        layout = QVBoxLayout(page)
        layout.addLayout(title_row)
        layout.addWidget(self.unsaved_message)
        layout.addWidget(self.unsaved_held)
        layout.addStretch(1)
        layout.addWidget(self.unsaved_dismiss, 0, Qt.AlignmentFlag.AlignRight)
        return page

    # --- public API ------------------------------------------------------------------------

    @property
    def showing_result(self) -> bool:
        return self.result is not None

    def set_decision_recorder(self, recorder: DecisionRecorder | None) -> None:
        """The call that records 人工放行 / 劝返 (CheckService.record_manual_decision); runs on the
        serial database worker."""
        self._record_decision = recorder

    def set_gate_opener(self, opener: ManualGateOpener | None) -> None:
        """The call behind 手动开闸 (Station.manual_open: the gate lane); None without a station."""
        self._open_gate = opener

    def set_admit_gate_opener(self, opener: AdmitGateOpener | None) -> None:
        """The call that opens the gate after 人工放行 (Station.open_for_admit: the gate lane)."""
        self._open_for_admit = opener

    @property
    def awaiting_decision(self) -> bool:
        """A result that needs the guard's 人工放行 / 劝返 is shown and not decided yet."""
        result = self.result
        return self.attended and result is not None and result.needs_manual_decision and self._decided is None

    @Slot()
    def dismiss_undecided(self) -> None:
        """暂不决定 (or the guard chose to check the next visitor): the result leaves the
        screen and its check stays without a decision, as the record shows."""
        result = self.result
        if result is None:
            return
        if self.awaiting_decision:
            log.info("a result needing a decision was dismissed undecided")
            self.clear()
            self.dismissed_undecided.emit(result)
            return
        self.clear()

    def set_gate_available(self, available: bool) -> None:
        """The post has a gate: gate lines and 手动开闸 are shown."""
        self.gate_available = available
        if not available:
            self._set_gate_line("", "")
        self._update_actions()

    def set_attended(self, attended: bool) -> None:
        """False on an unattended kiosk: 人工放行/劝返/手动开闸/核查登记 are hidden and visitors
        read "请联系现场工作人员" where a guard would have to act."""
        if attended == self.attended:
            return
        self.attended = attended
        if not attended and self.reason_dialog is not None:
            self.reason_dialog.reject()
        if not attended and self.result is not None and not self.clear_timer.isActive():
            self._start_clear_timer(self._clear_after_ms)  # nobody decides on a kiosk
        self._update_actions()
        self.attended_changed.emit(attended)

    def show_gate_pending(self, record_id: uuid.UUID) -> None:
        """The gate command for this check went out (PASS): "正在开闸…" until it answers."""
        if self._is_current(record_id) and self.gate_available:
            self._set_gate_line(self.tr("正在开闸…"), PENDING)

    def show_gate(self, record_id: uuid.UUID, outcome: GateResult, *, manual: bool = False) -> None:
        """What the gate did for this check; ignored once another result (or none) is shown."""
        if not self._is_current(record_id):
            return
        text, state = gate_line(outcome, manual=manual)
        self._set_gate_line(text if self.gate_available else "", state, opened=outcome.opened)
        self.gate_shown.emit(outcome)

    def show_result(self, result: CheckResult, clear_after_ms: int) -> None:
        if self.reason_dialog is not None:  # it was asking about the previous visitor
            self.reason_dialog.reject()
        self._set_gate_line("", "")
        self._unsaved = False
        self.result = result
        level = result.level
        colour = LEVEL_COLOURS[level]
        self.banner.setStyleSheet(f"#verdictBanner {{ background-color: {colour}; border-radius: 8px; }}")
        self.banner.setProperty("level", level.value)
        self.setProperty("level", level.value)
        self.verdict_icon.setPixmap(verdict_pixmap(level, 72))
        self.verdict_label.setText(level_words(level))
        self.headline.setText(texts.headline(level, result.findings))
        self.masked_name.setText(self.tr("姓名：{0}").format(result.masked_name or "—"))
        self.masked_id.setText(self.tr("证件：{0}").format(result.masked_id or "—"))
        self.source.setText(self.tr(SOURCE_WORDS.get(str(result.source), str(result.source))))
        by_source = {finding.source: finding for finding in result.findings}
        for source, row in self.rows.items():
            finding = by_source.get(source)
            if source is Source.TEMPERATURE:
                row.setVisible(finding is not None)
            row.show_finding(finding)
        manual = result.needs_manual_decision
        self._decided = None
        for button in (self.admit_button, self.turn_away_button):
            button.setVisible(manual)
            button.setEnabled(manual)
        self.decision_label.setText(self.tr("请人工核验后选择") if manual else "")
        self.register_button.setVisible(level is not VerdictLevel.PASS)  # abnormal visitors are registered
        self._update_actions()
        self.stack.setCurrentIndex(1)
        self._clear_after_ms = clear_after_ms
        if self.awaiting_decision:
            self._wait_for_decision()
        else:
            self._start_clear_timer(clear_after_ms)
        if self.sounds is not None:
            self.sounds(level)

    def show_message(self, message: str, clear_after_ms: int) -> None:
        """A calm message instead of a verdict (input not recognised, offline without data)."""
        self._forget()
        self.ready_label.setText(message)
        self.ready_label.setProperty("state", "message")
        self.stack.setCurrentIndex(0)
        self._start_clear_timer(clear_after_ms)

    def show_unsaved(self, message: str, held: int) -> None:
        """The check could not be committed: the previous verdict (and its countdown and gate
        line) goes first, then a grey state that names no verdict and stays until the next check
        or 知道了 — the guard checks this visitor by hand. `held`: checks of this run waiting in
        memory until the disk takes them."""
        self._forget()
        self.unsaved_message.setText(message)
        self.unsaved_held.setText(
            self.tr("本次运行已有 {0} 条核验记录暂存在内存中，存储恢复后自动写入；请勿关闭程序。").format(
                held
            )
        )
        self.unsaved_icon.setPixmap(verdict_pixmap(VerdictLevel.CANNOT_VERIFY, 72))
        self.unsaved_dismiss.setVisible(self.attended)  # a kiosk's visitor waits for the staff
        self.setProperty("level", "unsaved")
        self.stack.setCurrentIndex(2)
        self._unsaved = True
        if self.sounds is not None:
            self.sounds(VerdictLevel.CANNOT_VERIFY)

    @property
    def showing_unsaved(self) -> bool:
        return self._unsaved

    @Slot()
    def clear(self) -> None:
        """Back to ready; every trace of the person leaves the widgets."""
        was_showing = self.result is not None or self.clear_timer.isActive() or self._unsaved
        self._forget()
        self.ready_label.setText(self.tr(READY_TEXT))
        self.ready_label.setProperty("state", "ready")
        self.stack.setCurrentIndex(0)
        if was_showing:
            self.cleared.emit()

    # --- internals --------------------------------------------------------------------------

    def _forget(self) -> None:
        self._unsaved = False
        self._decided = None
        self.clear_timer.stop()
        self.tick_timer.stop()
        self.result = None
        if self.reason_dialog is not None:
            self.reason_dialog.reject()
        self._set_gate_line("", "")
        self.staff_hint.setVisible(False)
        self.banner.setStyleSheet("")
        self.banner.setProperty("level", "")
        self.setProperty("level", "")
        self.verdict_icon.clear()
        for label in (self.verdict_label, self.headline, self.masked_name, self.masked_id, self.source):
            label.clear()
        for row in self.rows.values():
            row.forget()
        self.decision_label.clear()
        self.countdown.clear()
        for button in (self.admit_button, self.turn_away_button, self.register_button, self.dismiss_button):
            button.setVisible(False)

    def _wait_for_decision(self) -> None:
        """No countdown: the result stays until decided or dismissed."""
        self.clear_timer.stop()
        self.tick_timer.stop()
        self.countdown.setText(self.tr("等待人工决定"))

    def _resume_clearing(self) -> None:
        """After a dialog about the shown result: count down anew, unless it awaits a decision."""
        if self.awaiting_decision:
            self._wait_for_decision()
        else:
            self._start_clear_timer(self._clear_after_ms)

    def _start_clear_timer(self, clear_after_ms: int) -> None:
        self._clear_after_ms = clear_after_ms
        self.clear_timer.start(max(1, clear_after_ms))
        self._remaining = max(1, round(clear_after_ms / 1000))
        self._show_countdown()
        self.tick_timer.start()

    @Slot()
    def _tick(self) -> None:
        self._remaining = max(0, self._remaining - 1)
        self._show_countdown()

    def _show_countdown(self) -> None:
        self.countdown.setText(self.tr("{0} 秒后清除").format(self._remaining))

    # --- the gate line and who may act -------------------------------------------------------

    def _is_current(self, record_id: uuid.UUID) -> bool:
        return self.result is not None and self.result.record_id == record_id

    def _set_gate_line(self, text: str, state: str, *, opened: bool = False) -> None:
        self._gate_state = state if text else ""
        self._gate_opened = opened and bool(text)
        self.gate_label.setText(text)
        style_gate_label(self.gate_label, self._gate_state)
        self.gate_row.setVisible(bool(text))
        self._update_actions()

    def _update_actions(self) -> None:
        """Who may act on the shown result: the guard gets the buttons; a kiosk's visitor gets
        "请联系现场工作人员" wherever a guard would have to act."""
        result = self.result
        gate_closed = self._gate_state in (CLOSED, WARNING) and not self._gate_opened
        self.manual_gate_button.setVisible(
            self.attended and result is not None and self.gate_available and gate_closed
        )
        self.manual_gate_button.setEnabled(self._open_gate is not None)
        if self.attended:
            self.staff_hint.setVisible(False)
            self.decision_label.setVisible(True)
            if result is not None:
                manual = result.needs_manual_decision
                self.admit_button.setVisible(manual)
                self.turn_away_button.setVisible(manual)
                self.register_button.setVisible(result.level is not VerdictLevel.PASS)
            self.dismiss_button.setVisible(self.awaiting_decision)
            return
        for button in (self.admit_button, self.turn_away_button, self.register_button, self.dismiss_button):
            button.setVisible(False)
        self.decision_label.setVisible(False)
        needs_staff = result is not None and (
            result.level is not VerdictLevel.PASS or self._gate_state == WARNING
        )
        self.staff_hint.setVisible(needs_staff)

    @Slot()
    def _ask_manual_gate(self) -> None:
        result, opener = self.result, self._open_gate
        if result is None or opener is None or not self.attended or self.reason_dialog is not None:
            return
        record_id = result.record_id
        # The guard is deciding: the result stays until the dialog closes (then counts down anew).
        self.clear_timer.stop()
        self.tick_timer.stop()

        def chosen(reason: str) -> None:
            if not self._is_current(record_id):
                return
            self._set_gate_line(self.tr("正在开闸…"), PENDING)
            opener(record_id, reason, lambda outcome: self._on_manual_gate(record_id, outcome))

        def closed() -> None:
            self.reason_dialog = None
            if self._is_current(record_id):
                self._resume_clearing()

        self.reason_dialog = ask_gate_reason(self, chosen, closed)

    def _on_manual_gate(self, record_id: uuid.UUID, outcome: GateResult) -> None:
        if not self._is_current(record_id):
            return
        self.show_gate(record_id, outcome, manual=True)
        self._resume_clearing()  # the guard reads the outcome in full

    @Slot()
    def _request_registration(self) -> None:
        if self.result is not None:
            self.register_requested.emit(self.result)

    def _decide(self, decision: ManualDecision) -> None:
        result = self.result
        recorder = self._record_decision
        if result is None or recorder is None:
            return
        for button in (self.admit_button, self.turn_away_button):
            button.setEnabled(False)
        record_id = result.record_id

        def done(_: None) -> None:
            if self._is_current(record_id):
                # Decided: both buttons stay disabled, the decision is shown, the result clears.
                self._decided = decision
                self.decision_label.setText(self.tr("已记录：{0}").format(self.tr(DECISION_WORDS[decision])))
                self._update_actions()
                self._start_clear_timer(self._clear_after_ms)
                if decision is ManualDecision.ADMIT:
                    self._open_after_admit(record_id)
            self.decision_recorded.emit(decision)

        def failed(error: Exception) -> None:
            if not isinstance(error, ServiceError):
                raise error
            if self.result is not None and self.result.record_id == record_id:
                self.decision_label.setText(error_words(error))
                for button in (self.admit_button, self.turn_away_button):
                    button.setEnabled(True)

        station_ops.record_decision(recorder, record_id, decision).success(done).failure(failed).run(
            self.tasks, self
        )

    def _open_after_admit(self, record_id: uuid.UUID) -> None:
        """人工放行 at a post with a gate: open it once, no reason dialog (the decision is it)."""
        opener = self._open_for_admit
        if opener is None or not self.gate_available:
            return
        self._set_gate_line(self.tr("正在开闸…"), PENDING)
        opener(record_id, lambda outcome: self._on_admit_gate(record_id, outcome))

    def _on_admit_gate(self, record_id: uuid.UUID, outcome: GateResult) -> None:
        if not self._is_current(record_id):
            return
        text, state = gate_line(outcome, manual=True)
        if state == OPEN:
            text = self.tr("已开闸（人工放行）")
        self._set_gate_line(text, state, opened=outcome.opened)
        self.gate_shown.emit(outcome)
        self._start_clear_timer(self._clear_after_ms)  # the guard reads the outcome in full
