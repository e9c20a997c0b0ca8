"""统计: the day's figures of the venue (单位) or of the guard (个人), and the abnormal list.

A date (今天, 昨天 or the calendar), the scope, a checkpoint filter; four counters, checks per
hour, and the abnormal checks as a table whose rows open their registration. Figures come
from the cache first (at once, offline too, stamped "截至 HH:MM" when offline) and then, online,
from the server (services/stats.py says which). Every read runs on a worker; an answer that arrives
after the question changed is dropped (a request id: the generation).

Issue 16 §5: figures are shown only under the question they answer. A new date (or scope, or
checkpoint) blanks the tiles and the chart and says it is loading until its own answer comes;
a failed read says so, and never leaves another day's figures standing. Issue 16 §6: a failed
read is reported to the station's connectivity state (one failure does not make it offline),
never decided here.
"""

from __future__ import annotations

import logging
import uuid
from datetime import date, timedelta
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate, QModelIndex, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QKeyEvent, QMouseEvent, QShowEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from shoumen_core.schemas import AbnormalItem, StatsScope
from shoumen_core.timeutil import LOCAL_TZ, as_utc, local_day, utcnow
from shoumen_gui.i18n import QT_TRANSLATE_NOOP
from shoumen_gui.ops import station as station_ops
from shoumen_gui.services import stats as data
from shoumen_gui.services.errors import OfflineError, ServiceError
from shoumen_gui.services.stats import CountsAnswer, StatsQuery
from shoumen_gui.ui.hour_chart import HourChart
from shoumen_gui.ui.plain import plain_label
from shoumen_gui.ui.stats_models import AbnormalTableModel
from shoumen_gui.ui.texts import error_words
from shoumen_gui.ui.widgets import CONNECTING, SLOW_AFTER_MS, SLOW_FAILED, set_message

if TYPE_CHECKING:
    from shoumen_gui.station import Station

log = logging.getLogger("shoumen.gui.stats")

COUNTERS = (
    ("countChecked", QT_TRANSLATE_NOOP("shoumen", "检测人数"), "checked"),
    ("countPassed", QT_TRANSLATE_NOOP("shoumen", "健康通行"), "passed"),
    ("countReview", QT_TRANSLATE_NOOP("shoumen", "人工核验"), "review"),
    ("countAbnormal", QT_TRANSLATE_NOOP("shoumen", "检测异常"), "abnormal"),
)
REFRESH_DELAY_MS = 300  # several triggers in a row (a check, its push, a pull) make one refresh
BLANK = "—"  # a tile while its figures are being read (or could not be)


class CounterTile(QFrame):
    """A counter that opens what it counts (检测异常 -> the abnormal list): mouse, Enter or space."""

    clicked = Signal()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self.rect().contains(event.position().toPoint()):
            self.clicked.emit()
        super().mouseReleaseEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space):
            self.clicked.emit()
            return
        super().keyPressEvent(event)


class StatsView(QWidget):
    registration_requested = Signal(object)  # AbnormalItem whose row was opened
    refreshed = Signal()  # every answer shown (tests wait for it)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("statsView")
        self.setAccessibleName(self.tr("统计"))
        self.station: Station | None = None
        self._generation = 0
        self.shown_key: tuple[date, str, int | None] | None = None  # the question the tiles answer
        self._slow_timer = QTimer(self)  # a read that takes long says 正在连接…
        self._slow_timer.setSingleShot(True)
        self._slow_timer.setInterval(SLOW_AFTER_MS)
        self._slow_timer.timeout.connect(self._say_connecting)
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(REFRESH_DELAY_MS)
        self._refresh_timer.timeout.connect(self.refresh)

        self.today_button = self._button(
            "statsToday", QT_TRANSLATE_NOOP("shoumen", "今天"), lambda: self.set_day(self._today())
        )
        self.yesterday_button = self._button(
            "statsYesterday",
            QT_TRANSLATE_NOOP("shoumen", "昨天"),
            lambda: self.set_day(self._today() - timedelta(days=1)),
        )
        self.date_edit = QDateEdit()
        self.date_edit.setObjectName("statsDate")
        self.date_edit.setAccessibleName(self.tr("统计日期"))
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("yyyy-MM-dd")
        self.date_edit.setDate(_qdate(self._today()))
        self.date_edit.dateChanged.connect(self.schedule_refresh)
        _name_inner(self.date_edit, QLineEdit, self.tr("统计日期"))
        self.scope_box = QComboBox()
        self.scope_box.setObjectName("statsScope")
        self.scope_box.setAccessibleName(self.tr("统计范围"))
        self.scope_box.addItem(self.tr("单位"), StatsScope.UNIT.value)
        self.scope_box.addItem(self.tr("个人"), StatsScope.PERSONAL.value)
        self.scope_box.currentIndexChanged.connect(self.schedule_refresh)
        self.checkpoint_box = QComboBox()
        self.checkpoint_box.setObjectName("statsCheckpoint")
        self.checkpoint_box.setAccessibleName(self.tr("卡口筛选"))
        self.checkpoint_box.addItem(self.tr("全部卡口"), None)
        self.checkpoint_box.currentIndexChanged.connect(self.schedule_refresh)
        self.refresh_button = self._button("statsRefresh", QT_TRANSLATE_NOOP("shoumen", "刷新"), self.refresh)
        self.as_of = plain_label()
        self.as_of.setObjectName("statsAsOf")
        self.as_of.setAccessibleName(self.tr("数据时间"))
        controls = QHBoxLayout()
        for widget in (self.today_button, self.yesterday_button, self.date_edit, self.scope_box):
            controls.addWidget(widget)
        controls.addWidget(self.checkpoint_box)
        controls.addWidget(self.refresh_button)
        controls.addStretch(1)
        controls.addWidget(self.as_of)

        self.counters: dict[str, QLabel] = {}
        self.tiles: dict[str, CounterTile] = {}
        counters = QHBoxLayout()
        for object_name, title, _field in COUNTERS:
            counters.addWidget(self._counter(object_name, title))
        abnormal_tile = self.tiles["countAbnormal"]
        abnormal_tile.setObjectName("abnormalTile")
        abnormal_tile.setAccessibleName(self.tr("检测异常：查看异常人员"))
        abnormal_tile.setToolTip(self.tr("查看当天的异常人员"))
        abnormal_tile.setCursor(Qt.CursorShape.PointingHandCursor)
        abnormal_tile.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        abnormal_tile.clicked.connect(self.open_abnormal)

        self.chart = HourChart()
        self.model = AbnormalTableModel(self)
        self.table = QTableView()
        self.table.setObjectName("abnormalTable")
        self.table.setAccessibleName(self.tr("异常人员列表"))
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setMinimumSectionSize(44)  # rows are touch targets
        self.table.verticalHeader().setDefaultSectionSize(44)
        _name_inner(self.table, QAbstractButton, self.tr("全选"))
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setSectionResizeMode(
            AbnormalTableModel.REASONS, QHeaderView.ResizeMode.Stretch
        )
        self.table.activated.connect(self._on_row_activated)
        self.open_button = self._button(
            "abnormalOpen", QT_TRANSLATE_NOOP("shoumen", "查看 / 登记"), self._open_selected
        )
        table_title = QHBoxLayout()
        self.table_title = plain_label(self.tr("异常人员（双击一行查看或登记）"))
        self.table_title.setObjectName("abnormalTitle")
        table_title.addWidget(self.table_title, 1)
        table_title.addWidget(self.open_button)

        layout = QVBoxLayout(self)
        layout.addLayout(controls)
        layout.addLayout(counters)
        layout.addWidget(self.chart, 1)
        layout.addLayout(table_title)
        layout.addWidget(self.table, 2)

    def _button(self, name: str, text: str, slot: object) -> QPushButton:
        button = QPushButton(self.tr(text))
        button.setObjectName(name)
        button.setAccessibleName(self.tr(text))
        button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        button.clicked.connect(slot)
        return button

    def _counter(self, object_name: str, title: str) -> QFrame:
        box = CounterTile()
        box.setProperty("role", "counter")
        number = plain_label("0")
        number.setObjectName(object_name)
        number.setAccessibleName(self.tr(title))
        number.setAlignment(Qt.AlignmentFlag.AlignCenter)
        number.setProperty("role", "counterValue")
        caption = plain_label(self.tr(title))
        caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
        inner = QVBoxLayout(box)
        inner.addWidget(number)
        inner.addWidget(caption)
        self.counters[object_name] = number
        self.tiles[object_name] = box
        return box

    # --- the question --------------------------------------------------------------------------

    def set_station(self, station: Station | None) -> None:
        self.station = station
        self._generation += 1
        self.checkpoint_box.blockSignals(True)
        self.checkpoint_box.clear()
        self.checkpoint_box.addItem(self.tr("全部卡口"), None)
        if station is not None:
            for checkpoint in station.post.venue.checkpoints:
                self.checkpoint_box.addItem(checkpoint.name, checkpoint.id)
        self.checkpoint_box.blockSignals(False)
        self._show_blank()
        self.model.clear()
        self.as_of.clear()
        if station is not None:
            self.schedule_refresh()

    def set_day(self, day: date) -> None:
        self.date_edit.setDate(_qdate(day))  # dateChanged schedules the refresh

    @property
    def day(self) -> date:
        value = self.date_edit.date().toPython()
        assert isinstance(value, date)
        return value

    @property
    def scope(self) -> StatsScope:
        return StatsScope(self.scope_box.currentData())

    def query(self) -> StatsQuery | None:
        station = self.station
        if station is None:
            return None
        return StatsQuery(
            venue_id=station.post.venue_id,
            user_id=station.post.user.id,
            day=self.day,
            scope=self.scope,
            checkpoint_id=self.checkpoint_box.currentData(),
            today=self._today(),
        )

    @staticmethod
    def _today() -> date:
        return local_day(utcnow())

    # --- refreshing ----------------------------------------------------------------------------

    @Slot()
    def schedule_refresh(self) -> None:
        """Refresh soon if on screen (a check, a registration, a sync round); else when shown."""
        if self.isVisible() and self.station is not None:
            self._refresh_timer.start()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self.station is not None:
            self._refresh_timer.start(0)

    @Slot()
    def refresh(self) -> None:
        station, q = self.station, self.query()
        if station is None or q is None:
            return
        self._refresh_timer.stop()
        self._generation += 1
        generation = self._generation
        cache, api = station.cache, station.api
        connectivity = station.connectivity
        online = connectivity.online
        key = self._key(q)
        self._update_table_title(q.day)
        if key != self.shown_key:  # another question: nothing of the last answer stays on screen
            self._show_blank()
            self.model.clear()
            set_message(self.as_of, self.tr("正在读取 {0} 的统计…").format(q.day.isoformat()))
        self._slow_timer.start()

        def on_local(answer: tuple[CountsAnswer, list[AbnormalItem], dict[uuid.UUID, str]]) -> None:
            if generation != self._generation:
                return
            counts, local, states = answer
            use_cache = not (online and q.wants_server_counts())
            if use_cache:
                self._show_counts(counts, offline=not online, key=key)
            if use_cache or key == self.shown_key:  # rows of another question are never shown
                self.model.set_rows(data.merge(None, local, states))
            if not online:
                self._slow_timer.stop()
                self.refreshed.emit()
                return
            station_ops.server_stats(api, connectivity, q, not use_cache).success(
                lambda server: self._on_server(generation, server, local, key)
            ).failure(lambda error: self._on_server_failed(generation, error, counts, key)).run(
                station.tasks, self
            )

        station_ops.local_stats(cache, q).success(on_local).failure(
            lambda error: self._on_server_failed(generation, error, None, key)
        ).run(station.tasks, self)

    def _on_server(
        self,
        generation: int,
        server: tuple[CountsAnswer | None, list[AbnormalItem]],
        local: list[AbnormalItem],
        key: tuple[date, str, int | None],
    ) -> None:
        station = self.station
        if generation != self._generation or station is None:
            return
        self._slow_timer.stop()
        counts, items = server
        if counts is not None:
            self._show_counts(counts, key=key)
        elif self.as_of.text() == self.tr(CONNECTING):
            self.as_of.setText(self.tr("在线"))
        cache = station.cache
        ids = data.registered_ids(items, local)

        def show(states: dict[uuid.UUID, str]) -> None:
            if generation != self._generation:
                return
            self.model.set_rows(data.merge(items, local, states))
            self.refreshed.emit()

        station_ops.anomaly_states(cache, ids).success(show).failure(self._on_local_failed).run(
            station.tasks, self
        )

    def _on_server_failed(
        self,
        generation: int,
        error: Exception,
        cached: CountsAnswer | None,
        key: tuple[date, str, int | None],
    ) -> None:
        if generation != self._generation:
            return
        if not isinstance(error, ServiceError):
            raise error
        self._slow_timer.stop()
        station = self.station
        if cached is not None and key != self.shown_key:
            # This device's figures for the same question, stamped (DESIGN §4), rather than none.
            self._show_counts(cached, offline=True, key=key)
        day = key[0].isoformat()
        if not isinstance(error, OfflineError):
            words = self.tr("{0} 的统计读取失败：{1}").format(day, error_words(error))
        elif station is not None and station.connectivity.online:
            words = self.tr(SLOW_FAILED)
        else:
            words = self.tr("离线：无法从服务器读取 {0} 的统计").format(day)
        if cached is not None and cached.as_of is not None:
            moment = as_utc(cached.as_of).astimezone(LOCAL_TZ)
            words += self.tr("（显示截至 {0} 的本机数据）").format(moment.strftime("%H:%M"))
        set_message(self.as_of, words, "error")
        self.refreshed.emit()

    def _on_local_failed(self, error: Exception) -> None:
        if not isinstance(error, ServiceError):
            raise error
        self.as_of.setText(error_words(error))

    def _show_blank(self) -> None:
        """No figures: a question whose answer has not come (or could not)."""
        self.shown_key = None
        for object_name, _title, _field in COUNTERS:
            self.counters[object_name].setText(BLANK)
        self.counters["countChecked"].setToolTip("")
        self.chart.set_counts([0] * 24)

    def _show_counts(
        self, answer: CountsAnswer, *, offline: bool = False, key: tuple[date, str, int | None]
    ) -> None:
        counts = answer.counts
        self.shown_key = key
        for object_name, _title, field in COUNTERS:
            self.counters[object_name].setText(str(getattr(counts, field)))
        self.counters["countChecked"].setToolTip(self.tr("其中不同人员 {0} 人").format(counts.persons))
        self.chart.set_counts(counts.by_hour)
        set_message(self.as_of, "", "info")
        if offline:
            if answer.as_of is None:
                self.as_of.setText(self.tr("离线：仅本机记录"))
            else:
                moment = as_utc(answer.as_of).astimezone(LOCAL_TZ)
                self.as_of.setText(self.tr("截至 {0}").format(moment.strftime("%H:%M")))
        else:
            self.as_of.setText(self.tr("在线"))

    # --- rows ------------------------------------------------------------------------------------

    @Slot()
    def _say_connecting(self) -> None:
        set_message(self.as_of, self.tr(CONNECTING))

    def _key(self, q: StatsQuery) -> tuple[date, str, int | None]:
        return q.day, q.scope.value, q.checkpoint_id

    def _update_table_title(self, day: date) -> None:
        self.table_title.setText(self.tr("异常人员 · {0}（双击一行查看或登记）").format(day.isoformat()))

    @Slot()
    def open_abnormal(self) -> None:
        """The 检测异常 tile: the abnormal list of the day shown (the seed's drill-down), with its
        first row selected so Enter opens it."""
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)
        if self.model.rowCount() and not self.table.selectionModel().hasSelection():
            self.table.selectRow(0)
        self.table.scrollToTop()

    @Slot(QModelIndex)
    def _on_row_activated(self, index: QModelIndex) -> None:
        row = self.model.row_at(index.row())
        if row is not None:
            self.registration_requested.emit(row.item)

    @Slot()
    def _open_selected(self) -> None:
        selected = self.table.selectionModel().selectedRows()
        if selected:
            self._on_row_activated(selected[0])


def _name_inner(widget: QWidget, kind: type[QWidget], accessible: str) -> None:
    """Qt's own parts of a composite widget (a spin box's line edit, a table's corner button)
    get a name too: screen readers announce them."""
    for inner in widget.findChildren(kind):
        inner.setAccessibleName(accessible)


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)
