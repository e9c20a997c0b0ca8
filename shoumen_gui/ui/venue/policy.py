"""核验规则: the venue's entry rules (VenuePolicy). Saved on the server; every device of the
venue takes them at its next pull (this station pulls at once after a save)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from shoumen_core.policy import MaskingLevel, VaccinationRequirement, VenuePolicy, VerdictLevel
from shoumen_gui.i18n import QT_TRANSLATE_NOOP
from shoumen_gui.services.admin import AdminService
from shoumen_gui.tasks import TaskManager
from shoumen_gui.ui.widgets import button, error_text, label, run_online, set_message, tr

OFFLINE_HINT = QT_TRANSLATE_NOOP("shoumen", "当前离线：核验规则只能在联网时修改，请联网后重试")

NAT_CHOICES: tuple[tuple[str, int | None], ...] = (
    (QT_TRANSLATE_NOOP("shoumen", "24 小时内"), 24),
    (QT_TRANSLATE_NOOP("shoumen", "48 小时内"), 48),
    (QT_TRANSLATE_NOOP("shoumen", "72 小时内"), 72),
    (QT_TRANSLATE_NOOP("shoumen", "7 天（168 小时）内"), 168),
    (QT_TRANSLATE_NOOP("shoumen", "不要求核酸"), None),
)
VACCINATION_CHOICES = (
    (QT_TRANSLATE_NOOP("shoumen", "不要求"), VaccinationRequirement.NONE),
    (QT_TRANSLATE_NOOP("shoumen", "须完成全程接种"), VaccinationRequirement.FULL),
    (QT_TRANSLATE_NOOP("shoumen", "须完成加强免疫"), VaccinationRequirement.BOOSTER),
)
ACTION_CHOICES = (
    (QT_TRANSLATE_NOOP("shoumen", "通行"), VerdictLevel.PASS),
    (QT_TRANSLATE_NOOP("shoumen", "人工核验"), VerdictLevel.REVIEW),
    (QT_TRANSLATE_NOOP("shoumen", "禁止通行"), VerdictLevel.DENY),
)
MASKING_CHOICES = (
    (QT_TRANSLATE_NOOP("shoumen", "标准（张*，330624********1234）"), MaskingLevel.STANDARD),
    (QT_TRANSLATE_NOOP("shoumen", "严格（张*，3306************34）"), MaskingLevel.STRICT),
)


def _combo(name: str, accessible: str, choices: tuple[tuple[str, Any], ...]) -> QComboBox:
    combo = QComboBox()
    combo.setObjectName(name)
    combo.setAccessibleName(accessible)
    for text, value in choices:
        combo.addItem(tr(text), value)
    return combo


def _select(combo: QComboBox, value: Any) -> None:
    for i in range(combo.count()):
        if combo.itemData(i) == value:
            combo.setCurrentIndex(i)
            return


class PolicyPanel(QWidget):
    saved = Signal(object)  # VenuePolicy

    def __init__(self, tasks: TaskManager, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("policyPanel")
        self.setAccessibleName(self.tr("核验规则"))
        self.tasks = tasks
        self.admin: AdminService | None = None
        self.venue_id = 0
        self.nat = _combo("policyNat", self.tr("核酸有效期"), NAT_CHOICES)
        self.vaccination = _combo("policyVaccination", self.tr("疫苗接种要求"), VACCINATION_CHOICES)
        self.travel = QCheckBox(self.tr("须核验行程卡"))
        self.travel.setObjectName("policyTravel")
        self.travel.setAccessibleName(self.tr("须核验行程卡"))
        self.fever = QDoubleSpinBox()
        self.fever.setObjectName("policyFever")
        self.fever.setAccessibleName(self.tr("发热标准（摄氏度）"))
        self.fever.setRange(35.0, 42.0)
        self.fever.setDecimals(1)
        self.fever.setSingleStep(0.1)
        self.fever.setSuffix(" °C")
        self.yellow = _combo("policyYellow", self.tr("黄码的处理"), ACTION_CHOICES)
        self.missing = _combo("policyMissing", self.tr("未申领本地健康码的处理"), ACTION_CHOICES)
        self.auto_clear = QSpinBox()
        self.auto_clear.setObjectName("policyAutoClear")
        self.auto_clear.setAccessibleName(self.tr("结果自动清除（秒）"))
        self.auto_clear.setRange(2, 120)
        self.auto_clear.setSuffix(self.tr(" 秒"))
        self.masking = _combo("policyMasking", self.tr("信息脱敏程度"), MASKING_CHOICES)
        self.save_button = button("policySave", self.tr("保存规则"), role="primary")
        self.defaults = button("policyDefaults", self.tr("恢复默认"))
        self.save_button.clicked.connect(self.save)
        self.defaults.clicked.connect(lambda: self.show_policy(VenuePolicy()))
        self.message = label("policyMessage", self.tr("核验规则提示"))

        form = QFormLayout()
        form.addRow(self.tr("核酸检测"), self.nat)
        form.addRow(self.tr("疫苗接种"), self.vaccination)
        form.addRow(self.tr("行程卡"), self.travel)
        form.addRow(self.tr("发热标准（≥）"), self.fever)
        form.addRow(self.tr("黄码"), self.yellow)
        form.addRow(self.tr("未申领健康码"), self.missing)
        form.addRow(self.tr("结果自动清除"), self.auto_clear)
        form.addRow(self.tr("脱敏"), self.masking)
        actions = QHBoxLayout()
        actions.addStretch(1)
        actions.addWidget(self.defaults)
        actions.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addLayout(actions)
        layout.addWidget(self.message)
        layout.addStretch(1)
        self.show_policy(VenuePolicy())

    def load(self, admin: AdminService, venue_id: int) -> None:
        self.admin, self.venue_id = admin, venue_id
        set_message(self.message, self.tr("正在读取核验规则…"))
        self.save_button.setEnabled(False)
        run_online(self.tasks, self.message, lambda: admin.policy(venue_id), self._on_loaded, self._on_failed)

    def show_policy(self, policy: VenuePolicy) -> None:
        _select(self.nat, policy.nat_window_hours)
        _select(self.vaccination, policy.vaccination_required)
        self.travel.setChecked(policy.travel_card_required)
        self.fever.setValue(policy.fever_threshold)
        _select(self.yellow, policy.yellow_action)
        _select(self.missing, policy.missing_code_action)
        self.auto_clear.setValue(policy.auto_clear_seconds)
        _select(self.masking, policy.masking)

    def policy(self) -> VenuePolicy:
        return VenuePolicy(
            nat_window_hours=self.nat.currentData(),
            vaccination_required=self.vaccination.currentData(),
            travel_card_required=self.travel.isChecked(),
            fever_threshold=round(self.fever.value(), 1),
            yellow_action=self.yellow.currentData(),
            missing_code_action=self.missing.currentData(),
            auto_clear_seconds=self.auto_clear.value(),
            masking=self.masking.currentData(),
        )

    @Slot()
    def save(self) -> None:
        if self.admin is None:
            return
        admin, venue_id, policy = self.admin, self.venue_id, self.policy()
        self.save_button.setEnabled(False)
        set_message(self.message, self.tr("正在保存…"))
        run_online(
            self.tasks,
            self.message,
            lambda: admin.set_policy(venue_id, policy),
            self._on_saved,
            self._on_failed,
        )

    def _on_loaded(self, policy: VenuePolicy) -> None:
        self.show_policy(policy)
        self.save_button.setEnabled(True)
        set_message(self.message, "")

    def _on_saved(self, policy: VenuePolicy) -> None:
        self.show_policy(policy)
        self.save_button.setEnabled(True)
        set_message(
            self.message, self.tr("已保存。本场所的所有核验设备会在下次同步时（约 1 分钟内）采用新规则。")
        )
        self.saved.emit(policy)

    def _on_failed(self, error: Exception) -> None:
        self.save_button.setEnabled(self.admin is not None)
        set_message(self.message, error_text(error, self.tr(OFFLINE_HINT), self.admin), "error")
