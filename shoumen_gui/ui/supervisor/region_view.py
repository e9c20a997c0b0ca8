"""区域监管: what a township supervisor sees after logging in — the venues of the region on a
day (sortable, with totals), charts for the region or one venue, the abnormal list with its
drill-down, 查询预警 (venues whose lookups look like enumeration), 代为注册, and the export for
contact tracing.

Issue 16 §5: figures are shown only under the date they are for. Choosing another date clears
the table, totals, charts and lists and says it is loading; every read carries a request id
(the generation) and an answer to a question no longer asked is dropped; a failure is said.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date

from PySide6.QtCore import QDate, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from shoumen_core.schemas import DayCounts, LookupAlerts, RegionAbnormalList, RegionStats, Trend, UserOut
from shoumen_core.timeutil import local_day, utcnow
from shoumen_gui.i18n import QT_TRANSLATE_NOOP
from shoumen_gui.ops import admin as admin_ops
from shoumen_gui.services.admin import AdminService
from shoumen_gui.tasks import TaskManager
from shoumen_gui.ui.supervisor.abnormal import AbnormalPanel
from shoumen_gui.ui.supervisor.charts import HourlyChart, TrendChart
from shoumen_gui.ui.supervisor.export_dialog import ExportDialog
from shoumen_gui.ui.supervisor.lookup_alerts import LookupAlertsPanel
from shoumen_gui.ui.supervisor.models import RegionVenuesModel, SortProxy, VenueIdRole, totals_text
from shoumen_gui.ui.supervisor.on_behalf import OnBehalfPanel
from shoumen_gui.ui.supervisor.pending_venues import PendingVenuesPanel
from shoumen_gui.ui.widgets import (
    button,
    error_text,
    label,
    name_inner_controls,
    run_online,
    set_message,
)

log = logging.getLogger("shoumen.gui.region")

TREND_DAYS = 30
OFFLINE_HINT = QT_TRANSLATE_NOOP("shoumen", "当前离线：区域统计需要联网查看，请联网后刷新")


@dataclass(frozen=True)
class RegionDay:
    stats: RegionStats
    trend: Trend
    abnormal: RegionAbnormalList
    alerts: LookupAlerts


@dataclass(frozen=True)
class VenueCharts:
    venue_id: int
    counts: DayCounts
    trend: Trend


class RegionView(QWidget):
    logout_requested = Signal()
    loaded = Signal()  # the day's table, totals, charts and abnormal list are shown
    charts_changed = Signal(object)  # venue id, or None for the whole region

    def __init__(self, tasks: TaskManager, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("regionView")
        self.setAccessibleName(self.tr("区域监管"))
        self.tasks = tasks
        self.admin: AdminService | None = None
        self.user: UserOut | None = None
        self.region_day: RegionDay | None = None
        self.shown_day: date | None = None  # the date whose figures are on screen
        self._generation = 0  # request id of the day's read (and of a venue's charts)
        self.export_dialog: ExportDialog | None = None

        self.title = label("regionTitle", self.tr("区域监管"), "title", self.tr("区域监管"))
        self.date = QDateEdit()
        self.date.setObjectName("regionDate")
        self.date.setAccessibleName(self.tr("统计日期"))
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat("yyyy-MM-dd")
        self.date.dateChanged.connect(self.refresh)
        self.refresh_button = button("regionRefresh", self.tr("刷新"))
        self.refresh_button.clicked.connect(self.refresh)
        self.export_button = button("regionExport", self.tr("导出记录"))
        self.export_button.clicked.connect(self.open_export)
        self.logout = button("regionLogout", self.tr("退出登录"))
        self.logout.clicked.connect(self.logout_requested)
        header = QHBoxLayout()
        header.addWidget(self.title, 1)
        header.addWidget(self.date)
        for widget in (self.refresh_button, self.export_button, self.logout):
            header.addWidget(widget)
        self.message = label("regionMessage", self.tr("区域监管提示"))

        self.model = RegionVenuesModel(self)
        self.proxy = SortProxy(self)
        self.proxy.setSourceModel(self.model)
        self.table = QTableView()
        self.table.setObjectName("regionVenuesTable")
        self.table.setAccessibleName(self.tr("场所统计表"))
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(2, Qt.SortOrder.DescendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        # Issue 16 §10: no sideways scrolling at 1280 px. The numbers take their width, the
        # venue's name the rest (elided, whole in its tooltip), and the splitter gives the
        # table two thirds of the width.
        columns = self.table.horizontalHeader()
        columns.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        columns.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.table.verticalHeader().hide()
        self.table.selectionModel().selectionChanged.connect(self._on_venue_selected)
        self.totals = label("regionTotals", self.tr("合计"))
        self.chart_scope = label("chartScope", self.tr("图表范围"), "hint")
        self.whole_region = button("chartWholeRegion", self.tr("看全区域"))
        self.whole_region.clicked.connect(self.show_region_charts)
        self.hourly = HourlyChart()
        self.trend = TrendChart()

        stats = QSplitter()
        left = QWidget()
        left_column = QVBoxLayout(left)
        left_column.setContentsMargins(0, 0, 0, 0)
        left_column.addWidget(self.table, 1)
        left_column.addWidget(self.totals)
        right = QWidget()
        right_column = QVBoxLayout(right)
        right_column.setContentsMargins(0, 0, 0, 0)
        scope_row = QHBoxLayout()
        scope_row.addWidget(self.chart_scope, 1)
        scope_row.addWidget(self.whole_region)
        right_column.addLayout(scope_row)
        right_column.addWidget(self.hourly, 1)
        right_column.addWidget(self.trend, 1)
        stats.addWidget(left)
        stats.addWidget(right)
        stats.setStretchFactor(0, 2)
        stats.setStretchFactor(1, 1)
        stats.setSizes([2000, 1000])  # weights: Qt shares the real width in this ratio

        self.abnormal = AbnormalPanel(tasks)
        self.on_behalf = OnBehalfPanel(tasks)
        self.on_behalf.registered.connect(lambda _venue: self.refresh())
        self.tabs = QTabWidget()
        self.tabs.setObjectName("regionTabs")
        self.tabs.setAccessibleName(self.tr("区域监管分页"))
        self.tabs.addTab(stats, self.tr("场所统计"))
        self.tabs.addTab(self.abnormal, self.tr("异常名单"))
        self.lookup_alerts = LookupAlertsPanel()
        self.tabs.addTab(self.lookup_alerts, self.lookup_alerts.tab_title())
        self.tabs.addTab(self.on_behalf, self.tr("代为注册"))
        self.pending = PendingVenuesPanel(tasks)
        self.pending.decided.connect(lambda _venue: self.refresh())
        self.pending.loaded.connect(self._show_pending_count)
        self.tabs.addTab(self.pending, self.tr("待审核场所"))
        layout = QVBoxLayout(self)
        layout.addLayout(header)
        layout.addWidget(self.message)
        layout.addWidget(self.tabs, 1)
        name_inner_controls(self)

    # --- opening and loading ----------------------------------------------------------------

    def open(self, admin: AdminService, user: UserOut, day: date | None = None) -> None:
        self.admin, self.user = admin, user
        region = user.region_code or ""
        self.title.setText(self.tr("区域监管 · {0}（{1}）").format(user.region_name or region, region))
        self.tabs.setCurrentIndex(0)
        self.on_behalf.start(admin, region)
        self.pending.start(admin, region)
        shown = day or local_day(utcnow())
        self.date.blockSignals(True)
        self.date.setDate(QDate(shown.year, shown.month, shown.day))
        self.date.blockSignals(False)
        self.refresh()

    def clear(self) -> None:
        """After logout: nothing of the region stays on screen."""
        self.admin, self.user = None, None
        self._generation += 1
        self._clear_day()
        self.on_behalf.reset()
        self.pending.clear()
        self._show_pending_count()
        if self.export_dialog is not None:
            self.export_dialog.reject()

    @property
    def day(self) -> date:
        value = self.date.date()
        return date(value.year(), value.month(), value.day())

    def _clear_day(self) -> None:
        """Nothing of a day on screen (another date is loading, or its read failed)."""
        self.region_day, self.shown_day = None, None
        self.table.selectionModel().clearSelection()
        self.model.set_rows([])
        self.abnormal.clear()
        self._show_alerts(None)
        self.totals.clear()
        self.chart_scope.clear()
        self.hourly.set_counts([0] * 24, "")
        self.trend.set_points([], "")

    @Slot()
    def refresh(self) -> None:
        admin, region, day = self.admin, self._region(), self.day
        if admin is None or not region:
            return
        self._generation += 1
        generation = self._generation
        if day != self.shown_day:
            self._clear_day()

        def load() -> RegionDay:
            return RegionDay(
                stats=admin.region_stats(region, day),
                trend=admin.region_trend(region, TREND_DAYS),
                abnormal=admin.region_abnormal(region, day),
                alerts=admin.lookup_alerts(region, day),
            )

        set_message(self.message, self.tr("正在读取 {0} 的数据…").format(day.isoformat()))
        run_online(
            self.tasks,
            self.message,
            load,
            lambda loaded: self._on_loaded(generation, loaded),
            lambda error: self._on_failed(error, generation),
        )

    def _on_loaded(self, generation: int, loaded: RegionDay) -> None:
        if self.admin is None or generation != self._generation or loaded.stats.day != self.day:
            return  # logged out, or another question was asked meanwhile
        self.region_day, self.shown_day = loaded, loaded.stats.day
        self.table.selectionModel().clearSelection()
        self.model.day_is_today = loaded.stats.day == local_day(utcnow())
        self.model.set_rows(loaded.stats.venues)
        self.totals.setText(totals_text(loaded.stats.totals))
        self.abnormal.set_items(self.admin, loaded.abnormal.items)
        self._show_alerts(loaded.alerts)
        self.show_region_charts()
        set_message(
            self.message, self.tr("{0} 共 {1} 个场所").format(self.day.isoformat(), len(loaded.stats.venues))
        )
        self.loaded.emit()

    def _show_alerts(self, alerts: LookupAlerts | None) -> None:
        if alerts is None:
            self.lookup_alerts.clear()
        else:
            self.lookup_alerts.set_items(alerts.items)
        self.tabs.setTabText(self.tabs.indexOf(self.lookup_alerts), self.lookup_alerts.tab_title())

    def _on_failed(self, error: Exception, generation: int | None = None) -> None:
        if generation is not None and generation != self._generation:
            return  # the answer to a question no longer asked
        words = error_text(error, self.tr(OFFLINE_HINT), self.admin)
        if self.shown_day != self.day:
            words = self.tr("{0} 的数据读取失败：{1}").format(self.day.isoformat(), words)
        set_message(self.message, words, "error")

    @Slot()
    def _show_pending_count(self) -> None:
        """The tab says how many venues wait, so a supervisor sees it from any tab."""
        waiting = len(self.pending.model.rows)
        index = self.tabs.indexOf(self.pending)
        text = self.tr("待审核场所（{0}）").format(waiting) if waiting else self.tr("待审核场所")
        self.tabs.setTabText(index, text)

    # --- charts ---------------------------------------------------------------------------------

    @Slot()
    def show_region_charts(self) -> None:
        loaded = self.region_day
        if loaded is None:
            return
        name = self.user.region_name if self.user and self.user.region_name else self._region()
        self.chart_scope.setText(self.tr("图表：全区域（{0}）").format(name))
        self.hourly.set_counts(
            loaded.stats.totals.by_hour, self.tr("{0} 每小时核验人次").format(self.day.isoformat())
        )
        self.trend.set_points(loaded.trend.points, self.tr("近 {0} 天核验与异常").format(TREND_DAYS))
        self.whole_region.setEnabled(False)
        self.charts_changed.emit(None)

    @Slot()
    def _on_venue_selected(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        admin, region, day = self.admin, self._region(), self.day
        if not rows or admin is None:
            return
        venue_id = int(self.proxy.data(rows[0], VenueIdRole))
        generation = self._generation

        def load() -> VenueCharts:
            return VenueCharts(
                venue_id, admin.venue_day(venue_id, day), admin.region_trend(region, TREND_DAYS, venue_id)
            )

        def loaded(charts: VenueCharts) -> None:
            if generation == self._generation and day == self.shown_day:
                self._on_venue_charts(charts)

        admin_ops.request(load).success(loaded).failure(lambda error: self._on_failed(error, generation)).run(
            self.tasks, self
        )

    def _on_venue_charts(self, charts: VenueCharts) -> None:
        name = next((v.name for v in self.model.rows if v.venue_id == charts.venue_id), str(charts.venue_id))
        self.chart_scope.setText(self.tr("图表：{0}").format(name))
        self.hourly.set_counts(
            charts.counts.by_hour, self.tr("{0} · {1} 每小时核验人次").format(name, self.day.isoformat())
        )
        self.trend.set_points(charts.trend.points, self.tr("{0} · 近 {1} 天").format(name, TREND_DAYS))
        self.whole_region.setEnabled(True)
        self.charts_changed.emit(charts.venue_id)

    # --- export ---------------------------------------------------------------------------------

    @Slot()
    def open_export(self) -> None:
        if self.admin is None:
            return
        venues = [(row.venue_id, row.name) for row in self.model.rows]
        dialog = ExportDialog(self.tasks, self.admin, self._region(), venues, self.day, self)
        dialog.finished.connect(dialog.deleteLater)
        dialog.destroyed.connect(lambda: setattr(self, "export_dialog", None))
        self.export_dialog = dialog
        dialog.open()

    def _region(self) -> str:
        return (self.user.region_code or "") if self.user is not None else ""
