"""Checks per hour as a small bar chart (QtCharts, from PySide6-Addons).

Issue 16 §10: QtCharts elides a value axis' labels to "…" when their ticks are closer than a
line of text (at 1280×800 the chart is 140 px tall: six ticks on 76 px). The y-axis here takes
only as many whole-number ticks as its plot height has lines for (`fit_count_axis`), again
whenever the plot area changes size; the region's charts use the same function.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from PySide6.QtCharts import QBarCategoryAxis, QBarSeries, QBarSet, QChart, QChartView, QValueAxis
from PySide6.QtCore import QCoreApplication, QMargins, QRectF, Qt, Slot
from PySide6.QtGui import QColor, QFontMetrics, QPainter
from PySide6.QtWidgets import QWidget

HOURS = 24
BAR_COLOUR = "#2f7dd1"
LINE_ROOM = 1.5  # a tick interval is at least this many lines of label text tall
MAX_INTERVALS = 5


def nice_step(raw: float) -> int:
    """The smallest whole 1, 2 or 5 × 10ⁿ that is at least `raw`."""
    if raw <= 1:
        return 1
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if factor * power >= raw:
            return int(factor * power)
    return int(10 * power)  # pragma: no cover - the loop always returns


def count_axis_ticks(top: int, plot_height: float, line_height: float) -> tuple[int, int]:
    """(axis top, tick count) for counts up to `top`: whole-number labels, no two alike, and
    ticks at least LINE_ROOM lines of text apart on a plot `plot_height` px tall."""
    room = int(plot_height // (line_height * LINE_ROOM)) if line_height > 0 else MAX_INTERVALS
    intervals = max(1, min(MAX_INTERVALS, room, max(1, top)))
    step = nice_step(max(1, top) / intervals)
    intervals = max(1, math.ceil(max(1, top) / step))
    return step * intervals, intervals + 1


def fit_count_axis(chart: QChart, axis: QValueAxis, top: int) -> None:
    """Set `axis` (counts, on the left of `chart`) for values up to `top` at the chart's
    current plot height."""
    line = QFontMetrics(axis.labelsFont()).height()
    height = chart.plotArea().height() or chart.size().height() / 2
    axis_top, ticks = count_axis_ticks(top, height, line)
    if axis.max() != axis_top or axis.tickCount() != ticks:
        axis.setRange(0, axis_top)
        axis.setTickCount(ticks)


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
        chart.plotAreaChanged.connect(self._refit)

    def set_counts(self, by_hour: Sequence[int]) -> None:
        counts = [int(n) for n in list(by_hour)[:HOURS]] + [0] * max(0, HOURS - len(by_hour))
        if counts == self.counts:
            return
        self.counts = counts
        for hour, n in enumerate(counts):
            self.bars.replace(hour, float(n))
        top = max(counts)
        fit_count_axis(self.chart(), self.axis_y, top)
        peak = max(range(HOURS), key=counts.__getitem__) if top else None
        summary = self.tr("每小时检测人数，最多 {0} 时 {1} 人").format(peak, top) if peak is not None else ""
        self.setAccessibleDescription(summary or self.tr("当天暂无检测"))

    @Slot(QRectF)
    def _refit(self, _plot: QRectF) -> None:
        fit_count_axis(self.chart(), self.axis_y, max(self.counts))
