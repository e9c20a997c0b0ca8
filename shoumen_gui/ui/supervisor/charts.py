"""QtCharts of the region view: checks per hour of one day, and a 30-day trend of checked and
abnormal — for the whole region or for one venue. No animation: a chart shows at once, and
renders offscreen the same way (tests grab it as an image).

Issue 16 §10: at 1280×800 the hours, standing on end in a narrow chart, were elided to "⋮"
and the counts axis repeated labels (6, 6, 4, 4…). The hours are labelled every third hour,
upright, each with three bars' width of room (a QCategoryAxis over the bar positions); the
counts take whole-number ticks fitted to the plot height (ui/hour_chart.fit_count_axis)."""

from __future__ import annotations

from datetime import date, datetime, time

from PySide6.QtCharts import (
    QBarSeries,
    QBarSet,
    QCategoryAxis,
    QChart,
    QChartView,
    QDateTimeAxis,
    QLineSeries,
    QValueAxis,
)
from PySide6.QtCore import QDateTime, QRectF, Qt, Slot
from PySide6.QtGui import QColor, QImage, QPainter, QPen
from PySide6.QtWidgets import QWidget

from shoumen_core.policy import LEVEL_COLOURS, VerdictLevel
from shoumen_core.schemas import TrendPoint
from shoumen_core.timeutil import LOCAL_TZ
from shoumen_gui.ui.hour_chart import fit_count_axis
from shoumen_gui.ui.widgets import tr

CHECKED_COLOUR = QColor("#1a73e8")
ABNORMAL_COLOUR = QColor(LEVEL_COLOURS[VerdictLevel.DENY])


HOUR_LABEL_EVERY = 3


class _ChartView(QChartView):
    def __init__(self, name: str, accessible: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.setAccessibleName(accessible)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setMinimumHeight(220)
        chart = QChart()
        chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
        chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
        self.setChart(chart)
        self.counts_axis: QValueAxis | None = None  # refitted when the plot changes size
        self.top = 0
        chart.plotAreaChanged.connect(self._refit)

    @Slot(QRectF)
    def _refit(self, _plot: QRectF) -> None:
        if self.counts_axis is not None:
            fit_count_axis(self.chart(), self.counts_axis, self.top)

    def _counts_axis(self, top: int) -> QValueAxis:
        counts = QValueAxis()
        counts.setLabelFormat("%d")
        self.counts_axis, self.top = counts, top
        fit_count_axis(self.chart(), counts, top)
        return counts

    def _reset(self, title: str) -> QChart:
        chart = self.chart()
        chart.removeAllSeries()
        self.counts_axis = None
        for axis in chart.axes():
            chart.removeAxis(axis)
        chart.setTitle(title)
        return chart

    def image(self) -> QImage:
        """The chart as it is drawn now (works offscreen). The chart lays out its axes, title
        and legend on a posted event; do it now so the picture is complete."""
        chart = self.chart()
        chart.resize(self.viewport().size().toSizeF())
        layout = chart.layout()
        if layout is not None:
            layout.activate()
        return self.grab().toImage()


class HourlyChart(_ChartView):
    """Bars: checks in each hour 0..23 of the day."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("hourlyChart", tr("每小时核验人次"), parent)
        self.values: list[int] = []

    def set_counts(self, by_hour: list[int], title: str) -> None:
        self.values = list(by_hour)
        chart = self._reset(title)
        bars = QBarSet(tr("核验人次"))
        bars.setColor(CHECKED_COLOUR)
        bars.append([float(v) for v in by_hour])
        series = QBarSeries()
        series.append(bars)
        chart.addSeries(series)
        # Bars stand at 0..23; a label at every third hour, centred under its bar, has the
        # room of three bars (its category runs from the previous label to it).
        hours = QCategoryAxis()
        hours.setLabelsPosition(QCategoryAxis.AxisLabelsPosition.AxisLabelsPositionOnValue)
        hours.setRange(-0.5, len(by_hour) - 0.5)
        for hour in range(0, len(by_hour), HOUR_LABEL_EVERY):
            hours.append(str(hour), hour)
        hours.setTitleText(tr("时"))
        counts = self._counts_axis(max(by_hour, default=0))
        chart.addAxis(hours, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(counts, Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(hours)
        series.attachAxis(counts)


class TrendChart(_ChartView):
    """Lines: checked and abnormal per day over the last 30 days."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("trendChart", tr("近 30 天趋势"), parent)
        self.points: list[TrendPoint] = []

    def set_points(self, points: list[TrendPoint], title: str) -> None:
        self.points = sorted(points, key=lambda p: p.day)
        chart = self._reset(title)
        checked, abnormal = QLineSeries(), QLineSeries()
        checked.setName(tr("已核验"))
        abnormal.setName(tr("异常"))
        for series, colour in ((checked, CHECKED_COLOUR), (abnormal, ABNORMAL_COLOUR)):
            pen = QPen(colour)
            pen.setWidthF(2.5)  # readable from across the room
            series.setPen(pen)
        for point in self.points:
            x = float(_msecs(point.day))
            checked.append(x, float(point.checked))
            abnormal.append(x, float(point.abnormal))
        chart.addSeries(checked)
        chart.addSeries(abnormal)
        days = QDateTimeAxis()
        days.setFormat("MM-dd")
        days.setTickCount(6)
        if self.points:
            days.setRange(
                QDateTime.fromMSecsSinceEpoch(_msecs(self.points[0].day)),
                QDateTime.fromMSecsSinceEpoch(_msecs(self.points[-1].day)),
            )
        counts = self._counts_axis(max((p.checked for p in self.points), default=0))
        chart.addAxis(days, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(counts, Qt.AlignmentFlag.AlignLeft)
        for series in (checked, abnormal):
            series.attachAxis(days)
            series.attachAxis(counts)


def _msecs(day: date) -> int:
    moment = datetime.combine(day, time(12), tzinfo=LOCAL_TZ)
    return int(moment.timestamp() * 1000)
