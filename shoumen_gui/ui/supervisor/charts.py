"""QtCharts of the region view: checks per hour of one day, and a 30-day trend of checked and
abnormal — for the whole region or for one venue. No animation: a chart shows at once, and
renders offscreen the same way (tests grab it as an image)."""

from __future__ import annotations

from datetime import date, datetime, time

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QChart,
    QChartView,
    QDateTimeAxis,
    QLineSeries,
    QValueAxis,
)
from PySide6.QtCore import QDateTime, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPen
from PySide6.QtWidgets import QWidget

from shoumen_core.policy import LEVEL_COLOURS, VerdictLevel
from shoumen_core.schemas import TrendPoint
from shoumen_core.timeutil import LOCAL_TZ
from shoumen_gui.ui.venue.common import tr

CHECKED_COLOUR = QColor("#1a73e8")
ABNORMAL_COLOUR = QColor(LEVEL_COLOURS[VerdictLevel.DENY])


def _nice_max(value: int) -> int:
    """An axis top a little above `value` (at least 5), on a round number."""
    top = max(5, value)
    step = 10 ** max(0, len(str(top)) - 1)
    return ((top + step - 1) // step) * step if top > 10 else top + (top % 2)


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

    def _reset(self, title: str) -> QChart:
        chart = self.chart()
        chart.removeAllSeries()
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
        hours = QBarCategoryAxis()
        hours.append([str(h) for h in range(len(by_hour))])
        hours.setTitleText(tr("时"))
        hours.setLabelsAngle(-90)  # 24 labels fit a narrow chart standing up
        counts = QValueAxis()
        counts.setRange(0, _nice_max(max(by_hour, default=0)))
        counts.applyNiceNumbers()
        counts.setLabelFormat("%d")
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
        counts = QValueAxis()
        counts.setRange(0, _nice_max(max((p.checked for p in self.points), default=0)))
        counts.applyNiceNumbers()
        counts.setLabelFormat("%d")
        chart.addAxis(days, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(counts, Qt.AlignmentFlag.AlignLeft)
        for series in (checked, abnormal):
            series.attachAxis(days)
            series.attachAxis(counts)


def _msecs(day: date) -> int:
    moment = datetime.combine(day, time(12), tzinfo=LOCAL_TZ)
    return int(moment.timestamp() * 1000)
