"""录证件: typing a visitor's document number, with live validation.

For elderly visitors without a smartphone the guard types the ID number, on the on-screen
keypad or on a keyboard (a USB ID-card reader types into the same field). The number is
checked as it is typed with shoumen_core.identity: the check digit as soon as 18 characters
are in, and the message says what is wrong. The field is emptied the moment the number is
submitted, so it never stays on screen.

Above the keys, an optional 体温 field: a reading typed by the guard or sent by a thermometer
that types like a scanner gun (the workbench puts it here). It joins the next check (a typed ID
or a scan) and is then emptied: one visitor's reading never goes with the next. It is shown
while the venue requires temperatures (the 设置 option), and for the one visitor a
thermometer reading came for otherwise. Bad readings are named at once (shoumen_core.temperature).
"""

from __future__ import annotations

from enum import Enum

from PySide6.QtCore import QCoreApplication, Qt, Signal, Slot
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QButtonGroup,
    QGridLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from shoumen_core.identity import DocumentErrorCode, DocumentKind, InvalidDocument, parse_document
from shoumen_core.temperature import MAX_READING_CHARS, InvalidTemperature, parse_reading
from shoumen_gui.i18n import QT_TRANSLATE_NOOP
from shoumen_gui.ui.plain import plain_label
from shoumen_gui.ui.texts import code_words


class PadKind(Enum):
    """The four choices on the pad; 通行证 covers both passes (the number's shape decides)."""

    RESIDENT_ID = ("kindResidentId", QT_TRANSLATE_NOOP("shoumen", "居民身份证"), 18)
    RESIDENCE_PERMIT = ("kindResidencePermit", QT_TRANSLATE_NOOP("shoumen", "港澳台居住证"), 18)
    PASS = ("kindPass", QT_TRANSLATE_NOOP("shoumen", "通行证"), 11)
    PASSPORT = ("kindPassport", QT_TRANSLATE_NOOP("shoumen", "护照"), 17)

    def __init__(self, object_name: str, label: str, max_length: int) -> None:
        self.object_name = object_name
        self.label = label
        self.max_length = max_length


def document_kind_for(pad_kind: PadKind, number: str) -> DocumentKind:
    if pad_kind is PadKind.RESIDENT_ID:
        return DocumentKind.RESIDENT_ID
    if pad_kind is PadKind.RESIDENCE_PERMIT:
        return DocumentKind.HMT_RESIDENCE_PERMIT
    if pad_kind is PadKind.PASS:
        return DocumentKind.HK_MACAO_PASS if number[:1].upper() in ("H", "M") else DocumentKind.TAIWAN_PASS
    return DocumentKind.PASSPORT


class ValidationState(Enum):
    EMPTY = "empty"
    TYPING = "typing"  # incomplete, nothing wrong yet
    INVALID = "invalid"
    VALID = "valid"


def _tr(text: str) -> str:
    return QCoreApplication.translate("IdPad", text)


def validate(text: str, pad_kind: PadKind) -> tuple[ValidationState, str]:
    """The state and the message for what is typed so far."""
    if not text:
        return ValidationState.EMPTY, _tr("请输入证件号码")
    kind = document_kind_for(pad_kind, text)
    try:
        document = parse_document(text, kind)
    except InvalidDocument as exc:
        # Too short and otherwise well-formed: still typing, not an error.
        if exc.code is DocumentErrorCode.BAD_LENGTH and len(text) < pad_kind.max_length:
            return ValidationState.TYPING, code_words(str(exc.code), exc.message)
        return ValidationState.INVALID, code_words(str(exc.code), exc.message)
    if kind is DocumentKind.RESIDENT_ID and len(text) == 15:
        return ValidationState.VALID, _tr("15 位旧身份证号码有效，可以核验")
    if document.kind is not kind and document.kind is DocumentKind.HMT_RESIDENCE_PERMIT:
        return ValidationState.VALID, _tr("港澳台居民居住证号码有效，可以核验")
    return ValidationState.VALID, _tr("号码有效，可以核验")


_KEYS = ("1", "2", "3", "4", "5", "6", "7", "8", "9", "X", "0")


class IdPad(QWidget):
    """Emits `submitted(number, DocumentKind)` with a valid, normalised number."""

    submitted = Signal(str, object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("idPad")
        self.setAccessibleName(self.tr("录入证件号码"))
        self._kind = PadKind.RESIDENT_ID
        self._state = ValidationState.EMPTY
        self._busy = False

        self.kind_group = QButtonGroup(self)
        self.kind_group.setExclusive(True)
        kinds = QHBoxLayout()
        for pad_kind in PadKind:
            button = QPushButton(self.tr(pad_kind.label))
            button.setObjectName(pad_kind.object_name)
            button.setAccessibleName(self.tr("证件类型：{0}").format(self.tr(pad_kind.label)))
            button.setCheckable(True)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.setChecked(pad_kind is PadKind.RESIDENT_ID)
            button.setProperty("padKind", pad_kind.name)
            self.kind_group.addButton(button)
            kinds.addWidget(button)
        self.kind_group.buttonClicked.connect(self._on_kind_clicked)

        self.input = QLineEdit()
        self.input.setObjectName("idInput")
        self.input.setAccessibleName(self.tr("证件号码"))
        self.input.setPlaceholderText(self.tr("输入证件号码"))
        self.input.setMaxLength(PadKind.RESIDENT_ID.max_length)
        font = QFont(self.input.font())
        font.setPointSizeF(max(font.pointSizeF(), 10) * 1.8)
        font.setStyleHint(QFont.StyleHint.Monospace)
        self.input.setFont(font)
        self.input.textEdited.connect(self._on_text_edited)
        self.input.returnPressed.connect(self.submit)

        self.temperature_input = QLineEdit()
        self.temperature_input.setObjectName("temperatureInput")
        self.temperature_input.setAccessibleName(self.tr("体温（摄氏度，可不填）"))
        self.temperature_input.setPlaceholderText(self.tr("体温 °C，可不填，如 36.8"))
        self.temperature_input.setMaxLength(MAX_READING_CHARS)
        self.temperature_input.textChanged.connect(self._on_temperature_changed)
        self.temperature_input.returnPressed.connect(self.input.setFocus)  # then the number
        self.temperature_message = plain_label()
        self.temperature_message.setObjectName("temperatureMessage")
        self.temperature_message.setAccessibleName(self.tr("体温提示"))
        self.temperature_message.setWordWrap(True)
        self.temperature_row = QWidget()
        self.temperature_row.setObjectName("temperatureRow")
        temperature_layout = QHBoxLayout(self.temperature_row)
        temperature_layout.setContentsMargins(0, 0, 0, 0)
        temperature_layout.addWidget(plain_label(self.tr("体温")))
        temperature_layout.addWidget(self.temperature_input, 1)
        temperature_layout.addWidget(self.temperature_message, 2)
        self.temperature_required = False  # the venue requires it: the row stays for every visitor
        self.temperature_row.setVisible(False)

        self.message = plain_label()
        self.message.setObjectName("idMessage")
        self.message.setAccessibleName(self.tr("号码校验提示"))
        self.message.setWordWrap(True)

        self.submit_button = QPushButton(self.tr("核验"))
        self.submit_button.setObjectName("idSubmit")
        self.submit_button.setAccessibleName(self.tr("核验证件"))
        self.submit_button.setProperty("role", "primary")
        self.submit_button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.submit_button.clicked.connect(self.submit)

        # Five rows, 核验 beside 清空: the pad fits under the camera on a 1280×800 tablet.
        grid = QGridLayout()
        for index, key in enumerate(_KEYS):
            grid.addWidget(self._key_button(key, f"key{key}", key), index // 3, index % 3)
        grid.addWidget(self._key_button("⌫", "keyDelete", self.tr("删除")), 3, 2)
        grid.addWidget(self._key_button(self.tr("清空"), "keyClear", self.tr("清空")), 4, 0)
        grid.addWidget(self.submit_button, 4, 1, 1, 2)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)  # the workbench's margins frame it already
        layout.addLayout(kinds)
        layout.addWidget(self.temperature_row)
        layout.addWidget(self.input)
        layout.addWidget(self.message)
        layout.addLayout(grid, 1)
        self._revalidate()

    # --- public API ------------------------------------------------------------------------

    @property
    def kind(self) -> PadKind:
        return self._kind

    @property
    def state(self) -> ValidationState:
        return self._state

    def set_kind(self, pad_kind: PadKind) -> None:
        self._kind = pad_kind
        for button in self.kind_group.buttons():
            button.setChecked(button.property("padKind") == pad_kind.name)
        self.input.setMaxLength(pad_kind.max_length)
        self._revalidate()
        self.input.setFocus()

    def set_busy(self, busy: bool) -> None:
        """While a check runs, a second submit would check the same person twice."""
        self._busy = busy
        self._update_submit()

    def clear(self) -> None:
        self.input.clear()
        self._revalidate()

    def restore(self, number: str) -> None:
        """Put a submitted number back (its check did not run): the guard typed it once."""
        self.input.setText(number)
        self._revalidate()
        self.input.setFocus()

    # --- temperature ----------------------------------------------------------------------------

    def set_temperature_required(self, required: bool) -> None:
        """The 设置 option: the venue measures every visitor, the 体温 row stays on screen."""
        self.temperature_required = required
        self.temperature_row.setVisible(required or bool(self.temperature_input.text()))

    def set_temperature_reading(self, text: str) -> None:
        """A thermometer's reading (or one typed elsewhere): shown, checked, used by the next check."""
        self.temperature_row.setVisible(True)
        self.temperature_input.setText(text.strip())
        self.input.setFocus()

    def temperature(self) -> float | None:
        """The reading for the next check (None: not measured); InvalidTemperature if bad."""
        return parse_reading(self.temperature_input.text())

    def temperature_problem(self) -> str:
        """The message for a bad reading ("" when empty or good)."""
        try:
            self.temperature()
        except InvalidTemperature as exc:
            return code_words(str(exc.code), exc.message)
        return ""

    def take_temperature(self) -> float | None:
        """The reading, then the field is emptied (call after temperature() said it is good)."""
        value = self.temperature()
        self.temperature_input.clear()
        self.temperature_row.setVisible(self.temperature_required)
        return value

    @Slot(str)
    def _on_temperature_changed(self, _text: str) -> None:
        problem = self.temperature_problem()
        value = None if problem else self.temperature()
        if problem:
            shown = problem
        elif value is not None:
            shown = self.tr("体温 {0} °C，随下一次核验记录").format(f"{value:g}")
        else:
            shown = ""
        self.temperature_message.setText(shown)
        state = "invalid" if problem else ("valid" if value is not None else "empty")
        for widget in (self.temperature_message, self.temperature_input):
            widget.setProperty("state", state)
            widget.style().unpolish(widget)
            widget.style().polish(widget)

    @Slot()
    def submit(self) -> None:
        if self._busy:
            return
        problem = self.temperature_problem()
        if problem:  # the number stays typed: the guard corrects or empties the reading first
            self.temperature_input.setFocus()
            return
        text = self.input.text()
        self._state, message = validate(text, self._kind)
        if self._state is not ValidationState.VALID:
            if self._state is ValidationState.TYPING:  # pressed 核验 too early: now it is an error
                self._state = ValidationState.INVALID
            self._show(message)
            return
        kind = document_kind_for(self._kind, text)
        self.clear()
        self.submitted.emit(text, kind)

    # --- internals --------------------------------------------------------------------------

    def _key_button(self, text: str, object_name: str, accessible: str) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName(object_name)
        button.setAccessibleName(accessible)
        button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the input keeps the keyboard focus
        button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        button.setProperty("role", "key")
        button.clicked.connect(lambda: self._on_key(object_name, text))
        return button

    def _on_key(self, object_name: str, text: str) -> None:
        if object_name == "keyDelete":
            self.input.backspace()
        elif object_name == "keyClear":
            self.input.clear()
        else:
            self.input.insert(text)
        self._on_text_edited(self.input.text())
        self.input.setFocus()

    @Slot(object)
    def _on_kind_clicked(self, button: QPushButton) -> None:
        self.set_kind(PadKind[str(button.property("padKind"))])

    @Slot(str)
    def _on_text_edited(self, text: str) -> None:
        # Upper-case as typed (a lowercase x is the check character X); keep the caret in place.
        cleaned = "".join(text.split()).upper()
        if cleaned != text:
            position = self.input.cursorPosition() - (len(text) - len(cleaned))
            self.input.setText(cleaned)
            self.input.setCursorPosition(max(0, position))
        self._revalidate()

    def _revalidate(self) -> None:
        self._state, message = validate(self.input.text(), self._kind)
        self._show(message)

    def _show(self, message: str) -> None:
        self.message.setText(message)
        self.message.setProperty("state", self._state.value)
        self.input.setProperty("state", self._state.value)
        for widget in (self.message, self.input):
            widget.style().unpolish(widget)
            widget.style().polish(widget)
        self._update_submit()

    def _update_submit(self) -> None:
        self.submit_button.setEnabled(not self._busy and self._state is not ValidationState.EMPTY)
