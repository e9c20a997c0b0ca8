"""Table models of the statistics tab (checked with pytest-qt's qtmodeltester)."""

from __future__ import annotations

from typing import Any, Final

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QColor

from shoumen_core.policy import LEVEL_COLOURS
from shoumen_core.timeutil import LOCAL_TZ, as_utc
from shoumen_gui.i18n import QT_TRANSLATE_NOOP
from shoumen_gui.services.stats import REGISTRATION_WORDS, AbnormalRow, Registration
from shoumen_gui.ui.texts import abnormal_reasons, joined, level_words

Index = QModelIndex | QPersistentModelIndex

ROW_ROLE: Final = Qt.ItemDataRole.UserRole + 1  # the AbnormalRow of a row


def _tr(text: str) -> str:
    return QCoreApplication.translate("AbnormalTableModel", text)


class AbnormalTableModel(QAbstractTableModel):
    """The day's abnormal checks: time, masked name and ID, verdict, reasons, registration."""

    HEADERS: Final = (
        QT_TRANSLATE_NOOP("shoumen", "时间"),
        QT_TRANSLATE_NOOP("shoumen", "姓名"),
        QT_TRANSLATE_NOOP("shoumen", "证件号码"),
        QT_TRANSLATE_NOOP("shoumen", "结论"),
        QT_TRANSLATE_NOOP("shoumen", "原因"),
        QT_TRANSLATE_NOOP("shoumen", "登记状态"),
    )
    TIME, NAME, DOCUMENT, LEVEL, REASONS, REGISTRATION = range(6)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[AbnormalRow] = []

    def set_rows(self, rows: list[AbnormalRow]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def clear(self) -> None:
        self.set_rows([])

    def row_at(self, row: int) -> AbnormalRow | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    @property
    def rows(self) -> list[AbnormalRow]:
        return list(self._rows)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            role == Qt.ItemDataRole.DisplayRole
            and orientation == Qt.Orientation.Horizontal
            and 0 <= section < len(self.HEADERS)
        ):
            return _tr(self.HEADERS[section])
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.parent().isValid():
            return None
        row = self.row_at(index.row())
        if row is None or not 0 <= index.column() < len(self.HEADERS):
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return self._text(row, index.column())
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == self.REASONS:
            return "\n".join(abnormal_reasons(row.item))
        if role == Qt.ItemDataRole.DecorationRole and index.column() == self.LEVEL:
            return QColor(LEVEL_COLOURS[row.item.level])
        if role == ROW_ROLE:
            return row
        return None

    def _text(self, row: AbnormalRow, column: int) -> str:
        item = row.item
        if column == self.TIME:
            return as_utc(item.checked_at).astimezone(LOCAL_TZ).strftime("%H:%M:%S")
        if column == self.NAME:
            return item.masked_name or "—"
        if column == self.DOCUMENT:
            return item.masked_id or "—"
        if column == self.LEVEL:
            return level_words(item.level)
        if column == self.REASONS:
            return joined(abnormal_reasons(item)) or "—"
        return _tr(REGISTRATION_WORDS[row.registration])

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren

    def registration_counts(self) -> dict[Registration, int]:
        counts: dict[Registration, int] = {}
        for row in self._rows:
            counts[row.registration] = counts.get(row.registration, 0) + 1
        return counts
