"""查询预警: the region's venues whose lookups on the day look like enumeration — many numbers
the registry does not know, numbers in sequence, lookups refused for exceeding the limits —
with the figures behind each (GET /regions/{code}/lookup-alerts). A supervisor follows up
with the venue (or has its account suspended); the list names no person."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QVBoxLayout, QWidget

from shoumen_core.schemas import LookupAlert
from shoumen_core.timeutil import as_utc
from shoumen_gui.i18n import QT_TRANSLATE_NOOP
from shoumen_gui.ui.supervisor.models import (
    RowsTable,
    SortProxy,
    SortRole,
    VenueIdRole,
    local_time,
)
from shoumen_gui.ui.texts import joined, unit_type_words
from shoumen_gui.ui.widgets import label, tr

REASON_WORDS: dict[str, str] = {
    "unknown_numbers": QT_TRANSLATE_NOOP("shoumen", "未知号码多"),
    "sequential_numbers": QT_TRANSLATE_NOOP("shoumen", "号码连续（疑似逐个试号）"),
    "rate_limited": QT_TRANSLATE_NOOP("shoumen", "多次超出查询限额"),
}
EMPTY_HINT = QT_TRANSLATE_NOOP("shoumen", "当日没有疑似批量查询的场所")
HINT = QT_TRANSLATE_NOOP("shoumen", "以下场所当日的证件查询疑似批量试号，请核实场所身份与用途")


def reason_text(reasons: list[str]) -> str:
    return joined([tr(REASON_WORDS.get(reason, reason)) for reason in reasons])


class LookupAlertsModel(RowsTable):
    """One row per flagged venue, worst first (the server's order)."""

    HEADERS = (
        QT_TRANSLATE_NOOP("shoumen", "场所"),
        QT_TRANSLATE_NOOP("shoumen", "类型"),
        QT_TRANSLATE_NOOP("shoumen", "查询"),
        QT_TRANSLATE_NOOP("shoumen", "证件查询"),
        QT_TRANSLATE_NOOP("shoumen", "未知号码"),
        QT_TRANSLATE_NOOP("shoumen", "连号"),
        QT_TRANSLATE_NOOP("shoumen", "超限被拒"),
        QT_TRANSLATE_NOOP("shoumen", "最后查询"),
        QT_TRANSLATE_NOOP("shoumen", "原因"),
    )
    NUMERIC = frozenset({2, 3, 4, 5, 6})

    rows: list[LookupAlert]

    def _data(self, row: int, column: int, role: int) -> Any:
        alert = self.rows[row]
        if role == VenueIdRole:
            return alert.venue_id
        values: tuple[Any, ...] = (
            alert.venue_name,
            unit_type_words(alert.unit_type),
            alert.lookups,
            alert.documents,
            alert.unknown,
            alert.sequential,
            alert.limited,
            alert.last_at,
            reason_text(alert.reasons),
        )
        value = values[column]
        if role == SortRole:
            if isinstance(value, datetime):
                return as_utc(value).timestamp()
            return -1.0 if value is None else value
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            if column == 7:
                return local_time(value) or "—"
            return str(value)
        if role == Qt.ItemDataRole.ToolTipRole and column == 8:
            return value
        return None


class LookupAlertsPanel(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("lookupAlertsPanel")
        self.setAccessibleName(self.tr("查询预警"))
        self.hint = label("lookupAlertsHint", self.tr("查询预警说明"), "hint")
        self.hint.setTextFormat(Qt.TextFormat.PlainText)
        self.model = LookupAlertsModel(self)
        self.proxy = SortProxy(self)
        self.proxy.setSourceModel(self.model)
        self.table = QTableView()
        self.table.setObjectName("lookupAlertsTable")
        self.table.setAccessibleName(self.tr("疑似批量查询的场所"))
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.verticalHeader().hide()
        layout = QVBoxLayout(self)
        layout.addWidget(self.hint)
        layout.addWidget(self.table, 1)
        self.clear()

    def set_items(self, items: list[LookupAlert]) -> None:
        self.model.set_rows(items)
        self.table.sortByColumn(-1, Qt.SortOrder.AscendingOrder)  # the server's order: worst first
        self.hint.setText(self.tr(HINT) if items else self.tr(EMPTY_HINT))

    def clear(self) -> None:
        self.model.set_rows([])
        self.hint.setText(self.tr(EMPTY_HINT))

    def tab_title(self) -> str:
        count = len(self.model.rows)
        return self.tr("查询预警（{0}）").format(count) if count else self.tr("查询预警")
