"""Table models of the region view: the venues of a day, the abnormal checks, and the venue
choice of an export. Sorting goes through a QSortFilterProxyModel on `SortRole` (raw values)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)

from shoumen_core.schemas import DayCounts, RegionAbnormalItem, RegionVenueRow
from shoumen_core.timeutil import LOCAL_TZ, as_utc
from shoumen_gui.i18n import QT_TRANSLATE_NOOP
from shoumen_gui.ui.texts import abnormal_reasons, joined, level_words, unit_type_words
from shoumen_gui.ui.widgets import tr

_Index = QModelIndex | QPersistentModelIndex
SortRole = Qt.ItemDataRole.UserRole + 1
VenueIdRole = Qt.ItemDataRole.UserRole + 2
_DISPLAY = (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole)


def local_time(moment: datetime | None, fmt: str = "%H:%M") -> str:
    return "" if moment is None else as_utc(moment).astimezone(LOCAL_TZ).strftime(fmt)


def totals_text(totals: DayCounts) -> str:
    return tr("合计：已核验 {0} 人次 · 通行 {1} · 人工核验 {2} · 异常 {3} · {4} 人").format(
        totals.checked, totals.passed, totals.review, totals.abnormal, totals.persons
    )


class RowsTable(QAbstractTableModel):
    """A table over a list of the server's rows (`rows`); subclasses say what a cell shows."""

    HEADERS: tuple[str, ...] = ()
    NUMERIC: frozenset[int] = frozenset()

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.rows: list[Any] = []

    def set_rows(self, rows: Sequence[Any]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else self._count()

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        horizontal = orientation == Qt.Orientation.Horizontal
        if role == Qt.ItemDataRole.DisplayRole and horizontal and 0 <= section < len(self.HEADERS):
            return tr(self.HEADERS[section])
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < self._count():
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() in self.NUMERIC:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return self._data(index.row(), index.column(), role)

    def _count(self) -> int:
        return len(self.rows)

    def _data(self, row: int, column: int, role: int) -> Any:
        raise NotImplementedError


class RegionVenuesModel(RowsTable):
    """One row per venue of the region on the chosen day."""

    HEADERS = (
        QT_TRANSLATE_NOOP("shoumen", "场所"),
        QT_TRANSLATE_NOOP("shoumen", "类型"),
        QT_TRANSLATE_NOOP("shoumen", "已核验"),
        QT_TRANSLATE_NOOP("shoumen", "通行"),
        QT_TRANSLATE_NOOP("shoumen", "人工核验"),
        QT_TRANSLATE_NOOP("shoumen", "异常"),
        QT_TRANSLATE_NOOP("shoumen", "最后核验"),
    )
    NUMERIC = frozenset({2, 3, 4, 5})

    rows: list[RegionVenueRow]
    day_is_today = True  # the region view says which day the rows are for ("今日" or "当日")

    def _data(self, row: int, column: int, role: int) -> Any:
        venue = self.rows[row]
        if role == VenueIdRole:
            return venue.venue_id
        values: tuple[Any, ...] = (
            venue.name,
            unit_type_words(venue.unit_type),
            venue.checked,
            venue.passed,
            venue.review,
            venue.abnormal,
            venue.last_activity,
        )
        if role == SortRole:
            value = values[column]
            if isinstance(value, datetime):
                return as_utc(value).timestamp()
            return -1.0 if value is None else value
        if role == Qt.ItemDataRole.ToolTipRole and column == 0:
            return venue.name  # elided in a narrow table
        if role in _DISPLAY:
            value = values[column]
            if column == 6:
                return local_time(value) or (tr("今日无核验") if self.day_is_today else tr("当日无核验"))
            return str(value)
        return None


class AbnormalModel(RowsTable):
    """The region's checks that did not pass on the day, newest first."""

    HEADERS = (
        QT_TRANSLATE_NOOP("shoumen", "时间"),
        QT_TRANSLATE_NOOP("shoumen", "场所"),
        QT_TRANSLATE_NOOP("shoumen", "姓名"),
        QT_TRANSLATE_NOOP("shoumen", "证件号码"),
        QT_TRANSLATE_NOOP("shoumen", "结论"),
        QT_TRANSLATE_NOOP("shoumen", "原因"),
        QT_TRANSLATE_NOOP("shoumen", "登记"),
    )

    rows: list[RegionAbnormalItem]

    def _data(self, row: int, column: int, role: int) -> Any:
        item = self.rows[row]
        if role == VenueIdRole:
            return item.venue_id
        if role == SortRole:
            return (
                as_utc(item.checked_at).timestamp()
                if column == 0
                else self._data(row, column, Qt.ItemDataRole.DisplayRole)
            )
        if role not in _DISPLAY:
            return None
        return (
            local_time(item.checked_at, "%H:%M:%S"),
            item.venue_name,
            item.masked_name or tr("（无）"),
            item.masked_id or tr("（无）"),
            level_words(item.level),
            joined(abnormal_reasons(item)),
            tr("已登记") if item.registered else tr("未登记"),
        )[column]


class SortProxy(QSortFilterProxyModel):
    """Sorts on the raw values of SortRole (numbers as numbers, times as times)."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.setSortRole(SortRole)


class VenueChoiceModel(QAbstractListModel):
    """The venues an export may include, each with a check box (all checked at first)."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.venues: list[tuple[int, str]] = []
        self.checked: set[int] = set()

    def set_venues(self, venues: list[tuple[int, str]]) -> None:
        self.beginResetModel()
        self.venues = list(venues)
        self.checked = {venue_id for venue_id, _ in venues}
        self.endResetModel()

    def set_all(self, checked: bool) -> None:
        self.checked = {venue_id for venue_id, _ in self.venues} if checked else set()
        if self.venues:
            self.dataChanged.emit(
                self.index(0), self.index(len(self.venues) - 1), [Qt.ItemDataRole.CheckStateRole]
            )

    def chosen(self) -> list[int]:
        return [venue_id for venue_id, _ in self.venues if venue_id in self.checked]

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.venues)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.venues):
            return None
        venue_id, name = self.venues[index.row()]
        if role in _DISPLAY:
            return name
        if role == Qt.ItemDataRole.CheckStateRole:
            return Qt.CheckState.Checked if venue_id in self.checked else Qt.CheckState.Unchecked
        if role == VenueIdRole:
            return venue_id
        return None

    def setData(self, index: _Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid() or role != Qt.ItemDataRole.CheckStateRole:
            return False
        venue_id = self.venues[index.row()][0]
        state = Qt.CheckState(value) if isinstance(value, int) else value
        if state == Qt.CheckState.Checked:
            self.checked.add(venue_id)
        else:
            self.checked.discard(venue_id)
        self.dataChanged.emit(index, index, [Qt.ItemDataRole.CheckStateRole])
        return True

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsUserCheckable
