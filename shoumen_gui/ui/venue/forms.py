"""The venue's fields — name, address, region, township, unit type, contact phone — with a
clear message under each field that is wrong. Used by the owner's registration wizard and by
the supervisor's registration on an owner's behalf (which adds the owner's name and phone).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import QFormLayout, QLabel, QLineEdit, QListView, QVBoxLayout, QWidget

from shoumen_core.identity import MAINLAND_PROVINCE_CODES
from shoumen_core.phone import InvalidPhone, normalise_phone
from shoumen_core.schemas import VenueIn
from shoumen_core.unit_types import UNIT_TYPES, UnitType, filter_unit_types
from shoumen_gui.services.errors import ServiceError
from shoumen_gui.ui.texts import error_words, unit_type_words
from shoumen_gui.ui.widgets import label, set_message, tr

CodeRole = Qt.ItemDataRole.UserRole + 1
_Index = QModelIndex | QPersistentModelIndex
VENUE_PROVINCES = MAINLAND_PROVINCE_CODES - {"71"}  # as the server: no county codes for 71

# Server error codes that belong to one field (the rest go to the form's general message).
SERVER_FIELDS = {"bad_region": "region", "bad_unit_type": "unit_type", "bad_phone": "contact_phone"}


class UnitTypeModel(QAbstractListModel):
    """The 43 unit types, narrowed by what the person types (filter_unit_types)."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[UnitType] = list(UNIT_TYPES)

    def set_filter(self, text: str) -> None:
        self.beginResetModel()
        self._rows = filter_unit_types(text)
        self.endResetModel()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        unit = self._rows[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return unit_type_words(unit.code)
        if role == Qt.ItemDataRole.ToolTipRole:
            return unit.name_en
        if role == CodeRole:
            return unit.code
        return None

    def row_of(self, code: str) -> int:
        return next((i for i, unit in enumerate(self._rows) if unit.code == code), -1)


class UnitTypePicker(QWidget):
    """A filter field over the list of types; the chosen type stays chosen while filtering."""

    changed = Signal(str)

    def __init__(self, prefix: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.code = ""
        self.filter = QLineEdit()
        self.filter.setObjectName(f"{prefix}UnitTypeFilter")
        self.filter.setAccessibleName(tr("筛选场所类型"))
        self.filter.setPlaceholderText(tr("输入关键字筛选，如“超市”“医疗”"))
        self.model = UnitTypeModel(self)
        self.view = QListView()
        self.view.setObjectName(f"{prefix}UnitTypeList")
        self.view.setAccessibleName(tr("场所类型"))
        self.view.setModel(self.model)
        self.view.setMaximumHeight(150)
        self.chosen = label(f"{prefix}UnitTypeChosen", tr("已选场所类型"), "hint", tr("尚未选择"))
        self.filter.textChanged.connect(self._on_filter)
        self.view.clicked.connect(self._on_clicked)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.filter)
        layout.addWidget(self.view)
        layout.addWidget(self.chosen)

    def _on_filter(self, text: str) -> None:
        self.model.set_filter(text)
        self._select_current()

    def _on_clicked(self, index: QModelIndex) -> None:
        self.choose(str(index.data(CodeRole)))

    def choose(self, code: str) -> None:
        unit = next((u for u in UNIT_TYPES if u.code == code), None)
        self.code = "" if unit is None else unit.code
        self.chosen.setText(tr("已选：{0}").format(unit_type_words(unit.code)) if unit else tr("尚未选择"))
        self._select_current()
        self.changed.emit(self.code)

    def _select_current(self) -> None:
        row = self.model.row_of(self.code)
        if row >= 0:
            self.view.setCurrentIndex(self.model.index(row))
        else:
            self.view.clearSelection()


class VenueForm(QWidget):
    """The fields and their checks; `venue_in()` answers a VenueIn or None (messages shown)."""

    def __init__(self, prefix: str = "venue", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.prefix = prefix
        self.form = QFormLayout(self)
        self.form.setContentsMargins(0, 0, 0, 0)
        self.errors: dict[str, QLabel] = {}
        self.name = self.add_field("name", tr("场所名称"), tr("如：新昌县城关农贸市场"), 100)
        self.address = self.add_field("address", tr("详细地址"), tr("省、市、县、街道、门牌号"), 200)
        self.region = self.add_field("region", tr("县级区划代码"), tr("6 位数字，如 330624（新昌县）"), 6)
        self.region.setValidator(QRegularExpressionValidator(r"[0-9]{0,6}", self.region))
        self.township = self.add_field("township", tr("乡镇（街道）"), tr("如：南明街道"), 50)
        self.unit_type = UnitTypePicker(prefix)
        self._add_row("unit_type", tr("场所类型"), self.unit_type)
        self.contact_phone = self.add_field("contact_phone", tr("联系电话"), tr("11 位手机号码"), 20)

    # --- building -----------------------------------------------------------------------------

    def add_field(self, key: str, title: str, placeholder: str, max_length: int, row: int = -1) -> QLineEdit:
        edit = QLineEdit()
        edit.setObjectName(self._name(key))
        edit.setAccessibleName(title)
        edit.setPlaceholderText(placeholder)
        edit.setMaxLength(max_length)
        self._add_row(key, title, edit, row)
        return edit

    def _add_row(self, key: str, title: str, field: QWidget, row: int = -1) -> None:
        error = label(self._name(key) + "Error", title + tr("提示"), "error")
        error.hide()
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addWidget(field)
        column.addWidget(error)
        self.form.insertRow(row, title, box)
        self.errors[key] = error

    def _name(self, key: str) -> str:
        head, *rest = key.split("_")
        return self.prefix + head.capitalize() + "".join(part.capitalize() for part in rest)

    # --- checking -----------------------------------------------------------------------------

    def show_error(self, key: str, message: str) -> None:
        error = self.errors[key]
        set_message(error, message, "error")
        error.setVisible(bool(message))

    def clear_errors(self) -> None:
        for key in self.errors:
            self.show_error(key, "")

    def show_server_error(self, error: ServiceError) -> bool:
        """Put a server refusal under its field; False when it belongs to no field."""
        key = SERVER_FIELDS.get(error.code)
        if key is None or key not in self.errors:
            return False
        self.show_error(key, error_words(error))
        return True

    def check_text(self, key: str, edit: QLineEdit, empty: str, limit: int) -> str | None:
        text = edit.text().strip()
        if not text:
            self.show_error(key, empty)
            return None
        if len(text) > limit:
            self.show_error(key, tr("最多 {0} 个字").format(limit))
            return None
        return text

    def check_phone(self, key: str, edit: QLineEdit, message: str) -> str | None:
        try:
            return normalise_phone(edit.text())
        except InvalidPhone:
            self.show_error(key, message)
            return None

    def check_region(self) -> str | None:
        code = self.region.text().strip()
        if len(code) != 6 or not code.isdigit():
            self.show_error("region", tr("请填写 6 位县级行政区划代码，如 330624（新昌县）"))
        elif code[:2] not in VENUE_PROVINCES:
            self.show_error("region", tr("区划代码前两位应为大陆省份代码（如浙江 33）"))
        elif code[2:] == "0000" or code[4:] == "00":
            self.show_error("region", tr("请填写县（市、区）级代码，末两位不能是 00"))
        else:
            return code
        return None

    def venue_in(self) -> VenueIn | None:
        self.clear_errors()
        name = self.check_text("name", self.name, tr("请填写场所名称"), 100)
        address = self.check_text("address", self.address, tr("请填写场所的详细地址"), 200)
        region = self.check_region()
        township = self.check_text("township", self.township, tr("请填写所在乡镇（街道）"), 50)
        if not self.unit_type.code:
            self.show_error("unit_type", tr("请从列表中选择场所类型（可输入关键字筛选）"))
        phone = self.check_phone("contact_phone", self.contact_phone, tr("联系电话应为 11 位手机号码"))
        if None in (name, address, region, township, phone) or not self.unit_type.code:
            return None
        assert name and address and region and township and phone
        return VenueIn(
            name=name,
            address=address,
            region_code=region,
            township=township,
            unit_type=self.unit_type.code,
            contact_phone=phone,
        )

    def clear(self) -> None:
        for edit in (self.name, self.address, self.township, self.contact_phone, self.unit_type.filter):
            edit.clear()
        if not self.region.isReadOnly():
            self.region.clear()
        self.unit_type.choose("")
        self.clear_errors()
