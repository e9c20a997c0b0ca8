"""设置 → 闸机: the current post's gate — its kind, the fields that kind needs, its secrets
and 测试闸机.

The page edits only the current post's gate (settings.gate_key). Its secrets (a webhook's
shared secret, a Hikvision password) never reach the Settings nor the screen: the page only
learns whether one is stored (read on a worker), a typed value replaces it, 清除 removes it,
and the dialog writes the changes through `GateSecretStore.set` on a worker before it closes.
测试闸机 builds a gate from the form as it is now and runs `Gate.test()` on a worker: the
link is checked, the gate never opens.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, Final

import shiboken6
from pydantic import ValidationError
from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from shoumen_gui.i18n import QT_TRANSLATE_NOOP
from shoumen_gui.ops import local as local_ops
from shoumen_gui.services.credentials import GateSecretStore
from shoumen_gui.services.gate import DEVICE_ERROR, GateConfig, GateKind, GateResult
from shoumen_gui.settings import Settings, gate_key
from shoumen_gui.station import Post
from shoumen_gui.tasks import TaskManager
from shoumen_gui.ui.plain import plain_label
from shoumen_gui.ui.texts import gate_words, joined
from shoumen_gui.ui.widgets import button, label, set_message, tr

log = logging.getLogger("shoumen.gui.gate_settings")
KIND_NAMES: Final = {
    GateKind.NONE: QT_TRANSLATE_NOOP("shoumen", "无"),
    GateKind.SERIAL: QT_TRANSLATE_NOOP("shoumen", "USB 串口继电器"),
    GateKind.WEBHOOK: QT_TRANSLATE_NOOP("shoumen", "网络回调 (Webhook)"),
    GateKind.HIKVISION: QT_TRANSLATE_NOOP("shoumen", "海康门禁 (ISAPI)"),
}
# The form rows each kind needs (GateConfig field names; "secret"/"password" are the keyring's).
KIND_ROWS: Final[dict[GateKind, tuple[str, ...]]] = {
    GateKind.NONE: (),
    GateKind.SERIAL: ("port", "channel", "pulse_seconds"),
    GateKind.WEBHOOK: ("url", "timeout", "secret"),
    GateKind.HIKVISION: ("url", "username", "password", "door", "timeout"),
}
SECRET_NAMES: Final = ("secret", "password")
FIELD_CAPTIONS: Final = {
    "kind": QT_TRANSLATE_NOOP("shoumen", "闸机类型"),
    "port": QT_TRANSLATE_NOOP("shoumen", "串口"),
    "baud": QT_TRANSLATE_NOOP("shoumen", "波特率"),
    "channel": QT_TRANSLATE_NOOP("shoumen", "继电器通道"),
    "pulse_seconds": QT_TRANSLATE_NOOP("shoumen", "开闸时长"),
    "url": QT_TRANSLATE_NOOP("shoumen", "地址"),
    "username": QT_TRANSLATE_NOOP("shoumen", "用户名"),
    "password": QT_TRANSLATE_NOOP("shoumen", "设备密码"),
    "door": QT_TRANSLATE_NOOP("shoumen", "门编号"),
    "timeout": QT_TRANSLATE_NOOP("shoumen", "超时"),
    "secret": QT_TRANSLATE_NOOP("shoumen", "共享密钥"),
}
OK_COLOUR, FAILED_COLOUR = "#1e9e4a", "#d0312d"


def list_serial_ports() -> list[tuple[str, str]]:
    """(device, description) of the serial ports present (may touch the OS: call on a worker)."""
    from serial.tools import list_ports

    return [(port.device, port.description or "") for port in list_ports.comports()]


def pydantic_message(error: dict[str, Any]) -> str:
    """One pydantic error in Chinese (the spin boxes keep values in range; stored JSON may not)."""
    ctx = error.get("ctx") or {}
    kind = error.get("type", "")
    if kind == "greater_than_equal":
        return tr("不能小于 {0}").format(ctx.get("ge"))
    if kind == "less_than_equal":
        return tr("不能大于 {0}").format(ctx.get("le"))
    if kind == "greater_than":
        return tr("必须大于 {0}").format(ctx.get("gt"))
    if kind == "less_than":
        return tr("必须小于 {0}").format(ctx.get("lt"))
    return tr("取值无效")


def problem_field(config: GateConfig) -> str:
    """The field `config.problem()` is about: the one whose repair makes the problem go away."""
    problem = config.problem()
    repairs = {"port": "COM1", "url": "http://127.0.0.1", "username": "admin"}
    for name, value in repairs.items():
        if config.model_copy(update={name: value}).problem() != problem:
            return name
    return "kind"


def read_stored_gate(stored: dict[str, Any]) -> tuple[dict[str, Any], GateConfig, str]:
    """The stored gate JSON without its invalid values, the configuration, and what was wrong
    (Chinese, from pydantic's errors; "" when nothing was)."""
    try:
        return stored, GateConfig.from_json(stored), ""
    except ValidationError as exc:
        problems = []
        kept = dict(stored)
        for item in exc.errors():
            name = str(item["loc"][0]) if item["loc"] else ""
            kept.pop(name, None)
            problems.append(f"{tr(FIELD_CAPTIONS.get(name, name))}{pydantic_message(dict(item))}")
    try:
        config = GateConfig.from_json(kept)
    except ValidationError:
        kept, config = {}, GateConfig()
    notice = tr("已保存的闸机设置有误（{0}），已改用默认值，请检查后保存").format(joined(problems))
    return kept, config, notice


class SecretField(QWidget):
    """A password-echo field for one stored secret: never shows the stored value."""

    changed = Signal()

    def __init__(self, name: str, object_name: str, accessible: str) -> None:
        super().__init__()
        self.name = name
        self.stored = False  # a value is in the keyring (learnt on a worker)
        self.cleared = False  # 清除 was pressed: remove the stored value on save
        self.edit = QLineEdit()
        self.edit.setObjectName(object_name)
        self.edit.setAccessibleName(accessible)
        self.edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.edit.textEdited.connect(self._on_edited)
        self.clear_button = button(f"{object_name}Clear", tr("清除"), tr("清除{0}").format(accessible))
        self.clear_button.clicked.connect(self.clear)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.edit, 1)
        row.addWidget(self.clear_button)
        self._refresh()

    def set_stored(self, stored: bool) -> None:
        self.stored = stored
        self._refresh()

    @property
    def typed(self) -> str:
        return self.edit.text()

    def change(self) -> str | None:
        """What saving writes: the typed value, "" to remove, None to leave it as it is."""
        if self.typed:
            return self.typed
        return "" if self.cleared else None

    @Slot()
    def clear(self) -> None:
        self.edit.clear()
        self.cleared = self.stored
        self._refresh()
        self.changed.emit()

    def _on_edited(self, _text: str) -> None:
        self._refresh()
        self.changed.emit()

    def _refresh(self) -> None:
        if self.stored and not self.cleared:
            placeholder = tr("已保存（输入新值即替换）")
        elif self.cleared:
            placeholder = tr("将在保存后清除")
        else:
            placeholder = tr("未设置")
        self.edit.setPlaceholderText(placeholder)
        self.clear_button.setEnabled(bool(self.typed) or (self.stored and not self.cleared))


class GatePage(QWidget):
    """闸机: the gate of one post. `config()` is the valid configuration, or None."""

    validity_changed = Signal(bool)
    test_finished = Signal(object)  # GateResult
    secrets_known = Signal()  # the worker told which secrets are stored

    def __init__(self, tasks: TaskManager, settings: Settings, post: Post, secrets: GateSecretStore) -> None:
        super().__init__()
        self.setObjectName("gatePage")
        self.tasks, self.post, self.secrets = tasks, post, secrets
        self.key = gate_key(post.venue_id, post.checkpoint_id)
        self.closed = False  # the dialog is gone: late worker answers are dropped
        self.testing = False
        self._config: GateConfig | None = None
        self._stored, initial, notice = read_stored_gate(
            settings.gate_json(post.venue_id, post.checkpoint_id)
        )
        self._initial_notice = notice

        where = post.venue.venue_name + (f" · {post.checkpoint.name}" if post.checkpoint else "")
        self.post_label = label(
            "gatePost", tr("适用的检查点"), "hint", tr("仅用于本检查点：{0}").format(where)
        )
        self.notice = label("gateNotice", tr("提示"), "error", notice)
        self.notice.setVisible(bool(notice))
        self.kind = QComboBox()
        self.kind.setObjectName("gateKind")
        self.kind.setAccessibleName(tr("闸机类型"))
        for kind, name in KIND_NAMES.items():
            self.kind.addItem(tr(name), kind.value)  # plain str: Qt keeps no enum subclass
        self.kind.setCurrentIndex(self.kind.findData(initial.kind.value))
        self.port = QComboBox()
        self.port.setObjectName("gatePort")
        self.port.setAccessibleName(tr("串口"))
        self.port.setEditable(True)
        self.port.setEditText(initial.port)
        port_edit = self.port.lineEdit()
        assert port_edit is not None  # editable
        port_edit.setPlaceholderText(tr("例如 /dev/ttyUSB0 或 COM3"))
        port_edit.setAccessibleName(tr("串口"))
        self.channel = self._spin("gateChannel", tr("继电器通道"), 1, 8, initial.channel)
        self.pulse = self._double("gatePulse", tr("开闸时长"), 0.1, 30.0, initial.pulse_seconds, tr(" 秒"))
        self.url = QLineEdit(initial.url)
        self.url.setObjectName("gateUrl")
        self.url.setAccessibleName(tr("地址"))
        self.timeout = self._double("gateTimeout", tr("超时"), 0.1, 30.0, initial.timeout, tr(" 秒"))
        self.username = QLineEdit(initial.username)
        self.username.setObjectName("gateUsername")
        self.username.setAccessibleName(tr("用户名"))
        self.door = self._spin("gateDoor", tr("门编号"), 1, 256, initial.door)
        self.secret = SecretField("secret", "gateSecret", tr("共享密钥"))
        self.password = SecretField("password", "gatePassword", tr("设备密码"))
        self.fields: dict[str, QWidget] = {
            "port": self.port,
            "channel": self.channel,
            "pulse_seconds": self.pulse,
            "url": self.url,
            "username": self.username,
            "password": self.password,
            "door": self.door,
            "timeout": self.timeout,
            "secret": self.secret,
        }
        self.errors: dict[str, QLabel] = {}
        self.rows: dict[str, QWidget] = {}
        self.captions: dict[str, QLabel] = {}
        self.form = QFormLayout()
        self.form.addRow(tr("闸机类型"), self.kind)
        for name, field in self.fields.items():
            self.form.addRow(self._caption(name, tr(FIELD_CAPTIONS[name])), self._row(name, field))

        self.test_button = button("gateTestButton", tr("测试闸机"), tr("测试闸机连接（不开闸）"))
        self.test_button.clicked.connect(self.run_test)
        self.test_result = label("gateTestResult", tr("测试结果"))
        tests = QHBoxLayout()
        tests.addWidget(self.test_button)
        tests.addWidget(self.test_result, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.post_label)
        layout.addWidget(self.notice)
        layout.addLayout(self.form)
        layout.addWidget(label("gateTestHint", tr("说明"), "hint", tr("测试闸机只检查连接，不会开闸。")))
        layout.addLayout(tests)
        layout.addStretch(1)

        self.kind.currentIndexChanged.connect(self._on_kind_changed)
        self.port.editTextChanged.connect(self.validate)
        self.url.textChanged.connect(self.validate)
        self.username.textChanged.connect(self.validate)
        for spin in (self.channel, self.pulse, self.timeout, self.door):
            spin.valueChanged.connect(self.validate)
        self.secret.changed.connect(self.validate)
        self.password.changed.connect(self.validate)
        self._on_kind_changed()
        self._load_in_background()

    @property
    def alive(self) -> bool:
        """False once the dialog closed or its widgets are gone: late worker answers are dropped."""
        return not self.closed and shiboken6.isValid(self)

    # --- building -------------------------------------------------------------------------------

    def _spin(self, name: str, accessible: str, low: int, high: int, value: int) -> QSpinBox:
        spin = QSpinBox()
        spin.setObjectName(name)
        spin.setAccessibleName(accessible)
        spin.setRange(low, high)
        spin.setValue(value)
        return spin

    def _double(
        self, name: str, accessible: str, low: float, high: float, value: float, suffix: str
    ) -> QDoubleSpinBox:
        spin = QDoubleSpinBox()
        spin.setObjectName(name)
        spin.setAccessibleName(accessible)
        spin.setDecimals(1)
        spin.setSingleStep(0.1 if high <= 5 else 0.5)
        spin.setRange(low, high)
        spin.setValue(value)
        spin.setSuffix(suffix)
        return spin

    def _caption(self, name: str, text: str) -> QLabel:
        caption = plain_label(text)
        caption.setObjectName(f"{self.fields[name].objectName()}Caption")
        self.captions[name] = caption
        return caption

    def _row(self, name: str, field: QWidget) -> QWidget:
        """The field with its error line under it."""
        row = QWidget()
        error = label(f"{self._base_name(name)}Error", tr("输入错误"), "error")
        error.hide()
        column = QVBoxLayout(row)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addWidget(field)
        column.addWidget(error)
        self.errors[name] = error
        self.rows[name] = row
        return row

    def _base_name(self, name: str) -> str:
        field = self.fields[name]
        return field.edit.objectName() if isinstance(field, SecretField) else field.objectName()

    def _load_in_background(self) -> None:
        """Which secrets are stored, and which serial ports exist: both may block (keyring, OS)."""
        local_ops.stored_gate_secrets(self.secrets, self.key, SECRET_NAMES).success(
            self._on_stored_known
        ).failure(self._on_background_failed).run(self.tasks, self)
        local_ops.serial_ports(list_serial_ports).success(self._on_ports).failure(
            self._on_background_failed
        ).run(self.tasks, self)

    def _on_stored_known(self, stored: dict[str, bool]) -> None:
        if not self.alive:
            return
        self.secret.set_stored(stored.get("secret", False))
        self.password.set_stored(stored.get("password", False))
        self.secrets_known.emit()

    def _on_ports(self, ports: list[tuple[str, str]]) -> None:
        if not self.alive:
            return
        typed = self.port.currentText()
        self.port.blockSignals(True)
        for device, description in ports:
            if self.port.findText(device) < 0:
                self.port.addItem(device)
                self.port.setItemData(self.port.count() - 1, description, Qt.ItemDataRole.ToolTipRole)
        self.port.setEditText(typed)  # adding items must not choose one for the person
        self.port.blockSignals(False)

    def _on_background_failed(self, error: Exception) -> None:
        log.warning("settings: background read failed (%s)", type(error).__name__)

    # --- values and validation ------------------------------------------------------------------

    @property
    def current_kind(self) -> GateKind:
        return GateKind(self.kind.currentData())

    def form_values(self) -> dict[str, Any]:
        """The stored JSON (keeps fields the form does not show, e.g. baud) with the form on top."""
        values = dict(self._stored)
        values.update(
            kind=self.current_kind.value,
            port=self.port.currentText().strip(),
            channel=self.channel.value(),
            pulse_seconds=round(self.pulse.value(), 1),
            url=self.url.text().strip(),
            timeout=round(self.timeout.value(), 1),
            username=self.username.text().strip(),
            door=self.door.value(),
        )
        return values

    def config(self) -> GateConfig | None:
        return self._config

    @Slot()
    def validate(self) -> bool:
        for error in self.errors.values():
            error.clear()
            error.hide()
        set_message(self.notice, self._initial_notice, "error")
        self.notice.setVisible(bool(self._initial_notice))
        self._config = None
        try:
            config = GateConfig.from_json(self.form_values())
        except ValidationError as exc:
            for item in exc.errors():
                name = str(item["loc"][0]) if item["loc"] else "kind"
                self._show_error(name, pydantic_message(dict(item)))
        else:
            problem = config.problem()
            if problem is None:
                self._config = config
            else:
                self._show_error(problem_field(config), problem)
        valid = self._config is not None
        self.test_button.setEnabled(valid and not self.testing)
        self.validity_changed.emit(valid)
        return valid

    def _show_error(self, name: str, message: str) -> None:
        error = self.errors.get(name) if name in KIND_ROWS[self.current_kind] else None
        if error is None:  # a field this kind does not show: say it at the top
            set_message(self.notice, message, "error")
            self.notice.show()
            return
        error.setText(message)
        error.show()

    @Slot()
    def _on_kind_changed(self) -> None:
        kind = self.current_kind
        visible = KIND_ROWS[kind]
        for name, row in self.rows.items():
            self.form.setRowVisible(row, name in visible)
        self.captions["url"].setText(tr("设备地址") if kind is GateKind.HIKVISION else tr("回调地址"))
        self.url.setPlaceholderText(
            tr("例如 http://192.168.1.64") if kind is GateKind.HIKVISION else tr("例如 https://…/open")
        )
        self.test_result.clear()
        self.validate()

    # --- secrets --------------------------------------------------------------------------------

    def secret_changes(self) -> dict[str, str]:
        """name -> value to write ("" removes) for the current kind's secret."""
        changes: dict[str, str] = {}
        for field in (self.secret, self.password):
            value = field.change()
            if field.name in KIND_ROWS[self.current_kind] and value is not None:
                changes[field.name] = value
        return changes

    def _test_loader(self) -> Callable[[str], str | None]:
        """Stored secrets for the test (called by the gate on the worker); a cleared one is gone."""
        secrets, key = self.secrets, self.key
        cleared = {f.name for f in (self.secret, self.password) if f.cleared}
        return lambda name: None if name in cleared else secrets.get(key, name)

    # --- 测试闸机 -------------------------------------------------------------------------------

    @Slot()
    def run_test(self) -> None:
        config = self._config
        if config is None or self.testing:
            return
        config = config.model_copy(update={"secret": self.secret.typed, "password": self.password.typed})
        loader = self._test_loader()
        self.testing = True
        self.test_button.setEnabled(False)
        self._show_result(tr("正在测试闸机连接…"), "running", "")
        local_ops.test_gate(config, loader).success(self._on_tested).failure(self._on_test_failed).run(
            self.tasks, self
        )

    def _on_tested(self, result: GateResult) -> None:
        if not self.alive:
            return
        self.testing = False
        self._show_result(
            gate_words(result.code, result.message),
            "ok" if result.ok else "failed",
            OK_COLOUR if result.ok else FAILED_COLOUR,
        )
        self.validate()
        self.test_finished.emit(result)

    def _on_test_failed(self, error: Exception) -> None:
        log.error("gate test failed unexpectedly", exc_info=error)
        self._on_tested(GateResult(False, False, DEVICE_ERROR, tr("闸机未响应（测试出错）")))

    def _show_result(self, text: str, state: str, colour: str) -> None:
        self.test_result.setText(text)
        self.test_result.setProperty("state", state)
        self.test_result.setStyleSheet(f"color: {colour}; font-weight: bold;" if colour else "")
