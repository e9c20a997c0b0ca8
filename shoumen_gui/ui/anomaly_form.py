"""核查登记: the anomaly registration form (shoumen_core.schemas.AnomalyIn).

Opened from the result panel (prefilled from the check), from a row of the abnormal list, or
on its own tab (scan the visitor's code or read the ID first, or fill it in by hand for a
visitor with neither smartphone nor ID number, FAQ 6). Required fields carry a *, and which
ones are required follows the type (anomaly_fields). Saving, loading and sealing run on
workers; the rules live in services/anomalies.py (Qt-free).
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import replace
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QScrollArea, QVBoxLayout, QWidget

from shoumen_core.identity import DocumentKind
from shoumen_core.policy import LEVEL_WORDS
from shoumen_core.schemas import AbnormalItem, AnomalyIn, AnomalyOut
from shoumen_core.timeutil import local_day, utcnow
from shoumen_gui.i18n import QT_TRANSLATE_NOOP
from shoumen_gui.ops import station as station_ops
from shoumen_gui.services import anomalies as edit
from shoumen_gui.services.anomalies import Base, Draft, EditMode, Loaded
from shoumen_gui.services.checks import InputKind, classify
from shoumen_gui.services.errors import OfflineError, ServiceError
from shoumen_gui.services.ids import uuid7
from shoumen_gui.ui.anomaly_fields import AnomalyFields
from shoumen_gui.ui.plain import plain_label
from shoumen_gui.ui.texts import error_words, joined, problem_words

if TYPE_CHECKING:
    from shoumen_gui.services.cache import LocalAnomaly
    from shoumen_gui.services.checks import CheckResult
    from shoumen_gui.station import Station

log = logging.getLogger("shoumen.gui.anomaly")

TITLES = {
    EditMode.NEW: QT_TRANSLATE_NOOP("shoumen", "新建核查登记"),
    EditMode.LOCAL: QT_TRANSLATE_NOOP("shoumen", "修改核查登记"),
    EditMode.SERVER: QT_TRANSLATE_NOOP("shoumen", "修改核查登记（服务器版本）"),
}


class AnomalyForm(QWidget):
    saved = Signal(object)  # AnomalyIn, as saved
    checked = Signal(object)  # CheckResult of a check run from the form (scan or ID)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("anomalyForm")
        self.setAccessibleName(self.tr("核查登记"))
        self.station: Station | None = None
        self.base = self._new_base()
        self._busy = False
        self._clean = Draft()  # the fields as opened: anything else is the guard's typing

        self.title = self._label("anomalyTitle", QT_TRANSLATE_NOOP("shoumen", "登记标题"))
        self.title.setProperty("role", "title")
        self.link = self._label("anomalyLink", QT_TRANSLATE_NOOP("shoumen", "关联的核验记录"))
        self.banner = self._label("anomalyBanner", QT_TRANSLATE_NOOP("shoumen", "登记提示"))
        self.banner.setProperty("role", "warningBanner")
        self.banner.hide()

        self.fields = AnomalyFields()
        self.fields.check_requested.connect(self._check_document)
        self.message = self._label("anomalyMessage", QT_TRANSLATE_NOOP("shoumen", "登记校验提示"))
        self.save_button = self._button("anomalySave", QT_TRANSLATE_NOOP("shoumen", "保存登记"), self.save)
        self.save_button.setProperty("role", "primary")
        self.new_button = self._button(
            "anomalyNew", QT_TRANSLATE_NOOP("shoumen", "新建登记"), lambda: self.new()
        )
        self.reload_button = self._button(
            "anomalyReload", QT_TRANSLATE_NOOP("shoumen", "载入服务器版本"), self._reload_server
        )
        self.reload_button.hide()
        self._build_layout()
        self.new()

    # --- building ------------------------------------------------------------------------------

    def _label(self, name: str, accessible: str) -> QLabel:
        label = plain_label()
        label.setObjectName(name)
        label.setAccessibleName(self.tr(accessible))
        label.setWordWrap(True)
        return label

    def _button(self, name: str, text: str, slot: object) -> QPushButton:
        button = QPushButton(self.tr(text))
        button.setObjectName(name)
        button.setAccessibleName(self.tr(text))
        button.clicked.connect(slot)
        return button

    def _build_layout(self) -> None:
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.fields)
        buttons = QHBoxLayout()
        buttons.addWidget(self.message, 1)
        buttons.addWidget(self.reload_button)
        buttons.addWidget(self.new_button)
        buttons.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.link)
        layout.addWidget(self.banner)
        layout.addWidget(scroll, 1)
        layout.addLayout(buttons)

    # --- opening -------------------------------------------------------------------------------

    def set_station(self, station: Station | None) -> None:
        self.station = station
        self.new()

    @property
    def wants_visitor(self) -> bool:
        """True while a new registration has no check yet: a scan identifies the visitor."""
        return self.base.mode is EditMode.NEW and not self.base.linked

    def new(self, result: CheckResult | None = None) -> None:
        """A blank registration (linked to `result` when given). Every field is emptied."""
        self.base = self._new_base()
        self._fill(Draft())
        self._show_banner("")
        self._show_link()
        self._show_message("")
        if result is not None:
            self.link_check(result)
            if result.temperature is not None:  # measured at the gate: the fever's reading
                self.fields.temperature.setText(f"{result.temperature:g}")
        self._clean = self.fields.draft()

    def new_for_item(self, item: AbnormalItem) -> None:
        """A registration of a check from the abnormal list."""
        self.new()
        self.base = self._replace_base(
            check_id=item.check_id, masked_id=item.masked_id, masked_name=item.masked_name
        )
        self._show_link(level=LEVEL_WORDS[item.level])
        self.fields.update_required(self.base)
        self._clean = self.fields.draft()

    @property
    def has_unsaved_draft(self) -> bool:
        """The guard typed or chose something not saved yet (closing or logging out asks)."""
        return self.station is not None and self.fields.draft() != self._clean

    def link_check(self, result: CheckResult) -> None:
        """Attach a check: its masked identity, and the type and action it suggests."""
        self.base = self._replace_base(
            check_id=result.record_id, masked_id=result.masked_id, masked_name=result.masked_name
        )
        self.fields.suggest_type(edit.type_for(result.findings))
        self._show_link(level=LEVEL_WORDS[result.level])
        self.fields.update_required(self.base)

    def open_registration(self, anomaly_id: uuid.UUID) -> None:
        """Edit an existing registration: this device's copy, else the server's (online)."""
        station = self.station
        if station is None:
            return
        cache = station.cache
        self._set_busy(True, self.tr("正在载入登记…"))
        station_ops.local_anomaly(cache, anomaly_id).success(
            lambda local: self._on_local_loaded(anomaly_id, local)
        ).failure(self._on_failed).run(station.tasks, self)

    def identify(self, text: str) -> None:
        """A scan (camera or wedge) while this form is open: check the visitor and link it; an
        ID number read by a card reader also fills the document field."""
        station = self.station
        if station is None:
            return
        if classify(text) is InputKind.DOCUMENT:
            self.fields.document.setText(text.strip().upper())
        self._set_busy(True, self.tr("正在核验…"))
        station.check_text(text, self._on_checked, self._on_failed)

    # --- saving --------------------------------------------------------------------------------

    @Slot()
    def save(self) -> None:
        station = self.station
        if station is None or self._busy:
            return
        draft, base, now = self.fields.draft(), self.base, utcnow()
        problems = edit.validate(draft, base, local_day(now))
        self.fields.mark_problems(problems)
        if problems:
            self._show_message(joined([problem_words(p) for p in problems]), error=True)
            return
        cache, api, user_id = station.cache, station.api, station.post.user.id
        self._set_busy(True, self.tr("正在保存…"))

        if base.mode is EditMode.SERVER:

            def put(anomaly: AnomalyIn) -> None:
                station_ops.put_anomaly(api, anomaly).success(self._on_put).failure(self._on_save_failed).run(
                    station.tasks, self
                )

            station_ops.build_anomaly(cache, base, draft, now).success(put).failure(self._on_save_failed).run(
                station.tasks, self
            )
        else:
            station_ops.save_new_anomaly(cache, base, draft, now, user_id).success(self._on_saved).failure(
                self._on_save_failed
            ).run(station.tasks, self)

    def _on_put(self, answer: tuple[AnomalyIn, AnomalyOut]) -> None:
        station = self.station
        if station is None:
            return
        anomaly, out = answer
        log.info("registration edited online, now version %d", out.version)
        cache, user_id = station.cache, station.post.user.id
        resend = edit.as_resend(anomaly)
        station_ops.keep_anomaly(cache, resend, user_id).success(self._on_saved).failure(
            self._on_save_failed
        ).run(station.tasks, self)

    def _on_saved(self, anomaly: AnomalyIn) -> None:
        if self.station is not None:
            self.station.nudge_sync()
            self.station.refresh_pending()
        self._set_busy(False)
        self.new()  # the visitor's details leave the screen
        self._show_message(self.tr("登记已保存，将自动同步到服务器"))
        self.saved.emit(anomaly)

    def _on_save_failed(self, error: Exception) -> None:
        self._set_busy(False)
        if not isinstance(error, ServiceError):
            raise error
        if error.code == "version_conflict":
            self._show_banner(
                self.tr("{0}。您的修改未保存，请载入服务器版本后重新修改。").format(error_words(error))
            )
            self.reload_button.show()
        elif isinstance(error, OfflineError):
            self._show_message(self.tr("离线时无法修改其他设备的登记，请联网后重试"), error=True)
            return
        self._show_message(error_words(error), error=True)

    # --- loading -------------------------------------------------------------------------------

    def _on_local_loaded(self, anomaly_id: uuid.UUID, local: LocalAnomaly | None) -> None:
        station = self.station
        if station is None:
            return
        if local is not None and local.state != "conflict":
            self._load(edit.from_local(local))
            return
        if not station.connectivity.online:
            self._set_busy(False)
            if local is not None:
                self._load(edit.from_local(local), read_only=True)
            else:
                self._show_message(self.tr("这条登记不在本机，联网后才能查看和修改"), error=True)
            return
        api, venue_id = station.api, station.post.venue_id
        station_ops.server_anomaly(api, venue_id, anomaly_id).success(
            lambda out: self._load(edit.from_server(out, local))
        ).failure(self._on_failed).run(station.tasks, self)

    @Slot()
    def _reload_server(self) -> None:
        anomaly_id = self.base.anomaly_id
        station = self.station
        if station is None:
            return
        api, venue_id = station.api, station.post.venue_id
        self._set_busy(True, self.tr("正在载入服务器版本…"))
        station_ops.server_anomaly(api, venue_id, anomaly_id).success(
            lambda out: self._load(edit.from_server(out))
        ).failure(self._on_failed).run(station.tasks, self)

    def _load(self, loaded: Loaded, *, read_only: bool = False) -> None:
        self._set_busy(False)
        self.base = loaded.base
        self._fill(loaded.draft)
        self._clean = self.fields.draft()
        self._show_link()
        self.reload_button.setVisible(loaded.state == "conflict")
        problem = ""
        if loaded.state == "conflict":
            problem = self.tr("本机的修改与服务器冲突（{0}），未上传。").format(loaded.problem)
            if loaded.base.mode is EditMode.SERVER:
                problem += self.tr("下面是服务器上的版本，可在此基础上修改。")
        elif loaded.state == "rejected":
            problem = self.tr("服务器拒绝了这条登记：{0}。修改后可重新保存。").format(loaded.problem)
        self._show_banner(problem)
        self.save_button.setEnabled(not read_only)
        pending = self.tr("（待同步）") if loaded.state == "pending" else ""
        self._show_message(self.tr("正在修改已保存的登记{0}").format(pending))

    def _on_checked(self, result: CheckResult) -> None:
        self._set_busy(False)
        self.link_check(result)
        self._show_message("")
        self.checked.emit(result)

    def _on_failed(self, error: Exception) -> None:
        self._set_busy(False)
        if not isinstance(error, ServiceError):
            raise error
        self._show_message(error_words(error), error=True)

    @Slot()
    def _check_document(self) -> None:
        station = self.station
        number = self.fields.document.text().strip()
        if station is None or not number or self._busy:
            return
        kind = self.fields.doc_kind.currentData()
        self._set_busy(True, self.tr("正在核验…"))
        station.check_document(
            number, None if kind is None else DocumentKind(kind), self._on_checked, self._on_failed
        )

    # --- showing -------------------------------------------------------------------------------

    def _new_base(self) -> Base:
        post = self.station.post if self.station is not None else None
        return Base(
            anomaly_id=uuid7(),
            venue_id=0 if post is None else post.venue_id,
            checkpoint_id=None if post is None else post.checkpoint_id,
            created_at=utcnow(),
        )

    def _replace_base(self, **changes: object) -> Base:
        return replace(self.base, **changes)  # type: ignore[arg-type]

    def _fill(self, draft: Draft) -> None:
        self.fields.fill(draft, self.base)
        self.save_button.setEnabled(self.station is not None)

    def _show_link(self, *, level: str = "") -> None:
        base = self.base
        self.title.setText(self.tr(TITLES[base.mode]))
        if not base.linked:
            self.link.setText(
                self.tr("未关联核验记录：可先扫码或录入证件号码核验，无智能手机且无证件的访客请直接填写")
            )
            return
        who = " ".join(x for x in (base.masked_name, base.masked_id) if x) or self.tr("访客")
        self.link.setText(self.tr("已关联核验记录：{0} {1}").format(who, self.tr(level)).strip())

    def _show_banner(self, text: str) -> None:
        self.banner.setText(text)
        self.banner.setVisible(bool(text))
        if not text:
            self.reload_button.hide()

    def _show_message(self, text: str, *, error: bool = False) -> None:
        self.message.setText(text)
        self.message.setProperty("state", "error" if error else "info")
        self.message.style().unpolish(self.message)
        self.message.style().polish(self.message)

    def _set_busy(self, busy: bool, message: str = "") -> None:
        self._busy = busy
        self.save_button.setEnabled(not busy and self.station is not None)
        self.fields.check_button.setEnabled(not busy and self.station is not None)
        if message:
            self._show_message(message)
