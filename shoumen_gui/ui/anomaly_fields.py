"""The input fields of 核查登记: one per AnomalyIn field a guard fills in, with required marks.

No saving or loading here (anomaly_form.py does that): the fields turn into a Draft and back,
show which are required for the chosen type, and mark the ones a check found wrong.
"""

from __future__ import annotations

from datetime import datetime
from typing import Final

from PySide6.QtCore import QCoreApplication, QDate, QDateTime, QTime, Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from shoumen_core.identity import DOCUMENT_KIND_NAMES, DocumentKind
from shoumen_core.schemas import AnomalyAction, AnomalyType
from shoumen_core.timeutil import LOCAL_TZ, as_utc
from shoumen_gui.i18n import QT_TRANSLATE_NOOP
from shoumen_gui.services import anomalies as edit
from shoumen_gui.services.anomalies import ACTION_WORDS, TYPE_WORDS, Base, Draft
from shoumen_gui.ui.plain import plain_label
from shoumen_gui.ui.texts import document_kind_words, problem_words

TITLES: Final = {
    edit.TYPE: QT_TRANSLATE_NOOP("shoumen", "异常类型"),
    edit.ACTION: QT_TRANSLATE_NOOP("shoumen", "处置方式"),
    edit.NAME: QT_TRANSLATE_NOOP("shoumen", "姓名"),
    edit.PHONE: QT_TRANSLATE_NOOP("shoumen", "联系电话"),
    edit.NO_PHONE_REASON: QT_TRANSLATE_NOOP("shoumen", "无电话原因"),
    edit.DOCUMENT: QT_TRANSLATE_NOOP("shoumen", "证件号码"),
    edit.TEMPERATURE: QT_TRANSLATE_NOOP("shoumen", "体温（°C）"),
    "origin": QT_TRANSLATE_NOOP("shoumen", "从何处来"),
    "arrival": QT_TRANSLATE_NOOP("shoumen", "抵达时间"),
    "transport": QT_TRANSLATE_NOOP("shoumen", "交通方式"),
    "reported_to": QT_TRANSLATE_NOOP("shoumen", "已报告给"),
    edit.NOTES: QT_TRANSLATE_NOOP("shoumen", "来访事由 / 情况说明"),
}


def _tr(text: str) -> str:
    return QCoreApplication.translate("AnomalyFields", text)


class AnomalyFields(QWidget):
    check_requested = Signal()  # 核验并关联: check the typed document and link the check

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("anomalyFields")
        self.type_box = _combo("anomalyType", QT_TRANSLATE_NOOP("shoumen", "异常类型"), TYPE_WORDS)
        self.type_box.currentIndexChanged.connect(self._on_type_changed)
        self.action_box = _combo("anomalyAction", QT_TRANSLATE_NOOP("shoumen", "处置方式"), ACTION_WORDS)
        self.name = _line("anomalyName", QT_TRANSLATE_NOOP("shoumen", "姓名"), 50)
        self.phone = _line("anomalyPhone", QT_TRANSLATE_NOOP("shoumen", "联系电话"), 32)
        self.phone.textChanged.connect(lambda _text: self.update_required())
        self.no_phone_reason = _line(
            "anomalyNoPhoneReason", QT_TRANSLATE_NOOP("shoumen", "无联系电话的原因"), 500
        )
        self.no_phone_reason.setPlaceholderText(_tr("未留电话时填写，如：老人无手机"))
        self.doc_kind = QComboBox()
        self.doc_kind.setObjectName("anomalyDocKind")
        self.doc_kind.setAccessibleName(_tr("证件类型"))
        self.doc_kind.addItem(_tr("自动识别"), None)
        for kind, words in DOCUMENT_KIND_NAMES.items():
            self.doc_kind.addItem(document_kind_words(words), kind.value)
        self.document = _line("anomalyDocument", QT_TRANSLATE_NOOP("shoumen", "证件号码"), 40)
        self.check_button = QPushButton(_tr("核验并关联"))
        self.check_button.setObjectName("anomalyCheck")
        self.check_button.setAccessibleName(_tr("核验证件并关联核验记录"))
        self.check_button.clicked.connect(self.check_requested)
        self.temperature = _line("anomalyTemperature", QT_TRANSLATE_NOOP("shoumen", "体温"), 8)
        self.temperature.setPlaceholderText(_tr("未测可不填，如 37.5"))
        self.origin = _line("anomalyOrigin", QT_TRANSLATE_NOOP("shoumen", "从何处来"), 500)
        self.transport = _line("anomalyTransport", QT_TRANSLATE_NOOP("shoumen", "交通方式"), 500)
        self.arrival_known = QCheckBox(_tr("填写"))
        self.arrival_known.setObjectName("anomalyArrivalKnown")
        self.arrival_known.setAccessibleName(_tr("填写抵达时间"))
        self.arrival = QDateTimeEdit()
        self.arrival.setObjectName("anomalyArrival")
        self.arrival.setAccessibleName(_tr("抵达时间"))
        self.arrival.setCalendarPopup(True)
        self.arrival.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.arrival_known.toggled.connect(self.arrival.setEnabled)
        line = self.arrival.findChild(QLineEdit)
        if line is not None:  # Qt's own part of the edit: named for screen readers too
            line.setAccessibleName(_tr("抵达时间"))
        self.reported_to = _line("anomalyReportedTo", QT_TRANSLATE_NOOP("shoumen", "已报告给"), 500)
        self.notes = QPlainTextEdit()
        self.notes.setObjectName("anomalyNotes")
        self.notes.setAccessibleName(_tr("来访事由或情况说明"))
        self.notes.setTabChangesFocus(True)
        self.notes.setMinimumHeight(90)  # three lines; grows with the column
        self.base: Base | None = None
        self.field_labels: dict[str, QLabel] = {}
        self._build_layout()

    def _build_layout(self) -> None:
        number = QHBoxLayout()
        number.addWidget(self.document, 1)
        number.addWidget(self.check_button)
        document = QVBoxLayout()  # the kind above the number: an 18-digit number keeps its width
        document.addWidget(self.doc_kind)
        document.addLayout(number)
        arrival = QHBoxLayout()
        arrival.addWidget(self.arrival_known)
        arrival.addWidget(self.arrival, 1)
        # Two columns, the visitor on the left and the circumstances on the right: the whole
        # form fits a 1280×800 tablet without scrolling (the scroll area is there for larger type).
        columns: tuple[list[tuple[str, QWidget | QHBoxLayout | QVBoxLayout]], ...] = (
            [
                (edit.TYPE, self.type_box),
                (edit.ACTION, self.action_box),
                (edit.NAME, self.name),
                (edit.PHONE, self.phone),
                (edit.NO_PHONE_REASON, self.no_phone_reason),
                (edit.DOCUMENT, document),
                (edit.TEMPERATURE, self.temperature),
            ],
            [
                ("origin", self.origin),
                ("arrival", arrival),
                ("transport", self.transport),
                ("reported_to", self.reported_to),
                (edit.NOTES, self.notes),
            ],
        )
        layout = QHBoxLayout(self)
        for rows in columns:
            form = QFormLayout()
            form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
            form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
            for key, widget in rows:
                label = plain_label(_tr(TITLES[key]))
                self.field_labels[key] = label
                form.addRow(label, widget)
            layout.addLayout(form, 1)

    @property
    def inputs(self) -> dict[str, QWidget]:
        """The fields validation can point at."""
        return {
            edit.TYPE: self.type_box,
            edit.ACTION: self.action_box,
            edit.NAME: self.name,
            edit.PHONE: self.phone,
            edit.NO_PHONE_REASON: self.no_phone_reason,
            edit.DOCUMENT: self.document,
            edit.TEMPERATURE: self.temperature,
            edit.NOTES: self.notes,
        }

    @property
    def anomaly_type(self) -> AnomalyType | None:
        value = self.type_box.currentData()
        return None if value is None else AnomalyType(value)

    def draft(self) -> Draft:
        kind, action = self.doc_kind.currentData(), self.action_box.currentData()
        arrival = None
        if self.arrival_known.isChecked():
            wall = self.arrival.dateTime().toPython()
            assert isinstance(wall, datetime)
            arrival = as_utc(wall.replace(tzinfo=LOCAL_TZ))
        return Draft(
            anomaly_type=self.anomaly_type,
            action=None if action is None else AnomalyAction(action),
            name=self.name.text(),
            phone=self.phone.text(),
            document_kind=None if kind is None else DocumentKind(kind),
            document_number=self.document.text(),
            temperature=self.temperature.text(),
            origin=self.origin.text(),
            transport=self.transport.text(),
            arrival_at=arrival,
            reported_to=self.reported_to.text(),
            notes=self.notes.toPlainText(),
            no_phone_reason=self.no_phone_reason.text(),
        )

    def fill(self, draft: Draft, base: Base) -> None:
        """Show `draft`; what the registration keeps unless retyped shows as placeholders."""
        self.base = base
        select(self.type_box, None if draft.anomaly_type is None else draft.anomaly_type.value)
        select(self.action_box, None if draft.action is None else draft.action.value)
        select(self.doc_kind, None if draft.document_kind is None else draft.document_kind.value)
        texts = (
            (self.name, draft.name, base.masked_name),
            (self.phone, draft.phone, base.phone_masked),
            (self.document, draft.document_number, base.masked_id),
        )
        for line, text, kept in texts:
            line.setText(text)
            line.setPlaceholderText(_tr("留空则保持：{0}").format(kept) if kept else "")
        for line, text in (
            (self.temperature, draft.temperature),
            (self.origin, draft.origin),
            (self.transport, draft.transport),
            (self.reported_to, draft.reported_to),
            (self.no_phone_reason, draft.no_phone_reason),
        ):
            line.setText(text)
        self.arrival_known.setChecked(draft.arrival_at is not None)
        self.arrival.setEnabled(draft.arrival_at is not None)
        # The edit shows China wall-clock time (LOCAL_TZ), whatever the machine's zone.
        moment = (draft.arrival_at or datetime.now(LOCAL_TZ)).astimezone(LOCAL_TZ).replace(tzinfo=None)
        self.arrival.setDateTime(
            QDateTime(
                QDate(moment.year, moment.month, moment.day), QTime(moment.hour, moment.minute, moment.second)
            )
        )
        self.notes.setPlainText(draft.notes)
        self.mark_problems([])
        self.update_required()

    def suggest_type(self, suggested: AnomalyType | None) -> None:
        """A check's suggestion; the guard's own choice stays."""
        if suggested is not None and self.type_box.currentData() is None:
            select(self.type_box, suggested.value)

    def mark_problems(self, problems: list[edit.Problem]) -> None:
        by_field = {p.field: problem_words(p) for p in problems}
        for name, widget in self.inputs.items():
            message = by_field.get(name, "")
            widget.setProperty("state", "invalid" if message else "")
            widget.setAccessibleDescription(message)
            widget.setToolTip(message)
            widget.style().unpolish(widget)
            widget.style().polish(widget)

    def update_required(self, base: Base | None = None) -> None:
        """A * on the required fields: they depend on the type and on a linked check."""
        self.base = base or self.base
        if self.base is None:
            return
        required = edit.required_fields(
            self.anomaly_type, self.base, phone_typed=bool(self.phone.text().strip())
        )
        faq6 = self.anomaly_type is AnomalyType.NO_PHONE_NO_ID
        self.no_phone_reason.setVisible(faq6)  # FAQ 6 only: other visitors are identified otherwise
        self.field_labels[edit.NO_PHONE_REASON].setVisible(faq6)
        for key, label in self.field_labels.items():
            title = _tr(TITLES[key])
            label.setText(f"{title} *" if key in required else title)
            label.setProperty("required", key in required)

    @Slot(int)
    def _on_type_changed(self, _index: int) -> None:
        chosen = self.anomaly_type
        if chosen is not None and self.action_box.currentData() is None:
            select(self.action_box, edit.DEFAULT_ACTIONS.get(chosen, AnomalyAction.TURN_AWAY).value)
        self.update_required()


def select(box: QComboBox, value: str | None) -> None:
    index = box.findData(value) if value is not None else 0
    box.setCurrentIndex(max(0, index))


def _line(name: str, accessible: str, max_length: int) -> QLineEdit:
    line = QLineEdit()
    line.setObjectName(name)
    line.setAccessibleName(_tr(accessible))
    line.setMaxLength(max_length)
    return line


def _combo(name: str, accessible: str, words: dict[AnomalyType, str] | dict[AnomalyAction, str]) -> QComboBox:
    box = QComboBox()
    box.setObjectName(name)
    box.setAccessibleName(_tr(accessible))
    box.addItem(_tr("请选择"), None)
    for value, text in words.items():
        box.addItem(_tr(text), value.value)
    return box
