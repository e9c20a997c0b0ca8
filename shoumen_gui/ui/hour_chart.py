"""Checks per hour as a small bar chart (QtCharts, from PySide6-Addons)."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCharts import QBarCategoryAxis, QBarSeries, QBarSet, QChart, QChartView, QValueAxis
from PySide6.QtCore import QCoreApplication, QMargins, Qt
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import QWidget

HOURS = 24
BAR_COLOUR = "#2f7dd1"


class HourChart(QChartView):
    """24 bars, one per local hour; `set_counts(by_hour)` updates them in place."""

    def __init__(self, parent: QWidget | None = None) -> None:
        chart = QChart()
        chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
        chart.legend().hide()
        chart.setMargins(QMargins(4, 4, 4, 4))
        chart.setBackgroundRoundness(0)
        self.bars = QBarSet(QCoreApplication.translate("HourChart", "检测人数"))
        self.bars.setColor(QColor(BAR_COLOUR))
        self.bars.append([0.0] * HOURS)
        self.series = QBarSeries()
        self.series.setBarWidth(0.8)
        self.series.append(self.bars)
        chart.addSeries(self.series)
        self.axis_x = QBarCategoryAxis()
        # Every third hour is labelled; category labels must be unique, so the blanks differ.
        self.axis_x.append([str(hour) if hour % 3 == 0 else " " * (hour + 1) for hour in range(HOURS)])
        self.axis_y = QValueAxis()
        self.axis_y.setLabelFormat("%d")
        self.axis_y.setRange(0, 1)
        self.axis_y.setTickCount(2)
        chart.addAxis(self.axis_x, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(self.axis_y, Qt.AlignmentFlag.AlignLeft)
        self.series.attachAxis(self.axis_x)
        self.series.attachAxis(self.axis_y)
        super().__init__(chart, parent)
        self.setObjectName("hourChart")
        self.setAccessibleName(self.tr("每小时检测人数"))
        self.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        self.setMinimumHeight(140)
        self.counts: list[int] = [0] * HOURS

    def set_counts(self, by_hour: Sequence[int]) -> None:
        counts = [int(n) for n in list(by_hour)[:HOURS]] + [0] * max(0, HOURS - len(by_hour))
        if counts == self.counts:
            return
        self.counts = counts
        for hour, n in enumerate(counts):
            self.bars.replace(hour, float(n))
        top = max(counts)
        self.axis_y.setRange(0, max(1, top))
        self.axis_y.setTickCount(min(6, max(2, top + 1)))
        peak = max(range(HOURS), key=counts.__getitem__) if top else None
        summary = self.tr("每小时检测人数，最多 {0} 时 {1} 人").format(peak, top) if peak is not None else ""
        self.setAccessibleDescription(summary or self.tr("当天暂无检测"))
