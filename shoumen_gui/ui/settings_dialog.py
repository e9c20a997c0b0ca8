"""设置: this station's settings — the gate of the current post (ui/gate_settings.py), display
and sound, and the pages the flow adds (自助模式).

Pages are plain widgets in a tab widget; `add_page` adds more. A page with a
``changes() -> dict`` method contributes those Settings fields to `result_settings()`.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any, Final

from PySide6.QtCore import Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from shoumen_gui.i18n import LANGUAGES, SYSTEM
from shoumen_gui.ops import local as local_ops
from shoumen_gui.services.credentials import GateSecretStore
from shoumen_gui.settings import Settings, SoundStyle
from shoumen_gui.station import Post
from shoumen_gui.tasks import TaskManager
from shoumen_gui.ui.gate_settings import GatePage
from shoumen_gui.ui.widgets import label, name_inner_controls, set_message, tr

log = logging.getLogger("shoumen.gui.settings_dialog")
FONT_SCALES: Final = (1.0, 1.1, 1.25, 1.5, 1.75, 2.0)


class DisplayPage(QWidget):
    """显示与声音: language, font size, the verdict sounds and the spoken verdict (at the next
    start: every widget is built in its language once, so a switch needs a restart)."""

    def __init__(self, settings: Settings) -> None:
        super().__init__()
        self.setObjectName("displayPage")
        self.language = QComboBox()
        self.language.setObjectName("language")
        self.language.setAccessibleName(tr("界面语言"))
        self.language.addItem(tr("跟随系统"), SYSTEM)
        for code, name in LANGUAGES.items():
            self.language.addItem(name, code)
        self.language.setCurrentIndex(max(0, self.language.findData(settings.language)))
        self.font_scale = QComboBox()
        self.font_scale.setObjectName("fontScale")
        self.font_scale.setAccessibleName(tr("字体大小"))
        scales = sorted({*FONT_SCALES, round(settings.font_scale, 2)})
        for scale in scales:
            self.font_scale.addItem(f"{scale * 100:.0f} %", scale)
        self.font_scale.setCurrentIndex(scales.index(round(settings.font_scale, 2)))
        self.sound_enabled = QCheckBox(tr("核验结果播放提示音"))
        self.sound_enabled.setObjectName("soundEnabled")
        self.sound_enabled.setAccessibleName(tr("核验结果播放提示音"))
        self.sound_enabled.setChecked(settings.sound_enabled)
        self.sound_style = QComboBox()
        self.sound_style.setObjectName("soundStyle")
        self.sound_style.setAccessibleName(tr("提示音方式"))
        self.sound_style.addItem(tr("不同提示音（按核验结果区分）"), SoundStyle.TONES.value)
        self.sound_style.addItem(tr("统一提示音（旁人听不出结果）"), SoundStyle.NEUTRAL_BEEP.value)
        self.sound_style.setCurrentIndex(self.sound_style.findData(settings.sound_style.value))
        self.sound_style.setEnabled(settings.sound_enabled)
        self.sound_enabled.toggled.connect(self.sound_style.setEnabled)
        self.voice_enabled = QCheckBox(tr("语音播报核验结果（请通行 / 禁止通行 / 请人工核验）"))
        self.voice_enabled.setObjectName("voiceEnabled")
        self.voice_enabled.setAccessibleName(tr("语音播报核验结果"))
        self.voice_enabled.setChecked(settings.voice_enabled)
        self.temperature_entry = QCheckBox(tr("本场所要求测体温：体温栏常驻证件键盘旁"))
        self.temperature_entry.setObjectName("temperatureEntry")
        self.temperature_entry.setAccessibleName(tr("本场所要求测体温"))
        self.temperature_entry.setChecked(settings.temperature_entry)
        form = QFormLayout()
        form.addRow(tr("语言"), self.language)
        form.addRow(tr("字体大小"), self.font_scale)
        form.addRow(tr("体温"), self.temperature_entry)
        form.addRow(tr("提示音"), self.sound_enabled)
        form.addRow(tr("提示音方式"), self.sound_style)
        form.addRow(tr("语音播报"), self.voice_enabled)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(
            label(
                "displayHint",
                tr("说明"),
                "hint",
                tr(
                    "语言、字体大小、提示音和语音播报的更改在下次启动程序时生效。语音播报会让旁人听到核验结果。"
                ),
            )
        )
        layout.addStretch(1)

    def changes(self) -> dict[str, Any]:
        return {
            "language": str(self.language.currentData()),
            "font_scale": float(self.font_scale.currentData()),
            "sound_enabled": self.sound_enabled.isChecked(),
            "sound_style": SoundStyle(self.sound_style.currentData()),
            "voice_enabled": self.voice_enabled.isChecked(),
            "temperature_entry": self.temperature_entry.isChecked(),
        }


class SettingsDialog(QDialog):
    """设置. After `accepted`: `result_settings()` and the gate secrets are already written."""

    def __init__(
        self,
        tasks: TaskManager,
        settings: Settings,
        post: Post,
        secrets: GateSecretStore,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("settingsDialog")
        self.setAccessibleName(tr("本机设置"))
        self.setWindowTitle(tr("设置"))
        self.tasks, self.settings, self.post, self.secrets = tasks, settings, post, secrets
        self.secrets_persistent = True  # False: a secret is kept in memory only (no keyring)
        self._saving = False
        self.pages = QTabWidget()
        self.pages.setObjectName("settingsPages")
        self.pages.setAccessibleName(tr("设置页面"))
        self.gate_page = GatePage(tasks, settings, post, secrets)
        self.display_page = DisplayPage(settings)
        self.status = label("settingsStatus", tr("保存状态"))
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(tr("保存"))
        self.ok_button.setObjectName("settingsSave")
        self.ok_button.setAccessibleName(tr("保存设置"))
        self.ok_button.setProperty("role", "primary")
        cancel = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        cancel.setText(tr("取消"))
        cancel.setObjectName("settingsCancel")
        cancel.setAccessibleName(tr("取消"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.gate_page.validity_changed.connect(self._on_validity)
        layout = QVBoxLayout(self)
        layout.addWidget(self.pages, 1)
        layout.addWidget(self.status)
        layout.addWidget(self.buttons)
        self.add_page(tr("闸机"), self.gate_page)
        self.add_page(tr("显示与声音"), self.display_page)
        self._on_validity(self.gate_page.config() is not None)
        self.resize(720, 640)

    def add_page(self, title: str, widget: QWidget) -> None:
        self.pages.addTab(widget, title)
        name_inner_controls(self)

    def result_settings(self) -> Settings:
        """The whole new Settings: the post's gate plus every page's `changes()`."""
        config = self.gate_page.config()
        post = self.post
        result = self.settings
        if config is not None:
            result = result.with_gate(post.venue_id, post.checkpoint_id, config.to_json())
        for index in range(self.pages.count()):
            changes = getattr(self.pages.widget(index), "changes", None)
            if callable(changes):
                result = replace(result, **changes())
        return result

    @Slot(bool)
    def _on_validity(self, valid: bool) -> None:
        self.ok_button.setEnabled(valid and not self._saving)

    def accept(self) -> None:
        """Write the secrets on a worker, then close (so `accepted` means they are written)."""
        if self._saving or not self.gate_page.validate():
            return
        changes = self.gate_page.secret_changes()
        if not changes:
            super().accept()
            return
        self._saving = True
        self.ok_button.setEnabled(False)
        set_message(self.status, tr("正在保存…"))
        local_ops.write_gate_secrets(self.secrets, self.gate_page.key, changes).success(
            self._on_secrets_written
        ).failure(self._on_secrets_failed).run(self.tasks, self)

    def _on_secrets_written(self, persistent: bool) -> None:
        if not self.gate_page.alive:
            return
        self._saving = False
        self.secrets_persistent = persistent
        if not persistent:
            log.warning("gate secret kept in memory only: no keyring")
        super().accept()

    def _on_secrets_failed(self, error: Exception) -> None:
        log.error("gate secrets could not be saved", exc_info=error)
        if not self.gate_page.alive:
            return
        self._saving = False
        self._on_validity(self.gate_page.config() is not None)
        set_message(self.status, tr("密钥保存失败，请重试"), "error")

    def reject(self) -> None:
        if self._saving:  # the secrets are being written: let that finish and close
            return
        super().reject()

    def done(self, result: int) -> None:
        self.gate_page.closed = True  # a test still running answers into nothing
        super().done(result)
