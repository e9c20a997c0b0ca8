# mypy: allow-untyped-calls
"""Every table and list model of the owner's and supervisor's screens under qtmodeltester, plus
what each shows and how the region table sorts."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from PySide6.QtCore import QModelIndex, Qt
from pytestqt.modeltest import ModelTester

from shoumen_core.policy import VerdictLevel
from shoumen_core.schemas import CheckpointOut, RegionAbnormalItem, RegionVenueRow, Role, StaffOut, StaffState
from shoumen_gui.ui.supervisor.models import (
    AbnormalModel,
    RegionVenuesModel,
    SortProxy,
    VenueChoiceModel,
    VenueIdRole,
)
from shoumen_gui.ui.venue.checkpoints import CheckpointModel
from shoumen_gui.ui.venue.forms import CodeRole, UnitTypeModel
from shoumen_gui.ui.venue.staff import StaffModel


def _venue(venue_id: int, name: str, checked: int, last: datetime | None) -> RegionVenueRow:
    return RegionVenueRow(
        venue_id=venue_id,
        name=name,
        unit_type="supermarket",
        checked=checked,
        passed=checked - 1 if checked else 0,
        review=1 if checked else 0,
        abnormal=0,
        last_activity=last,
    )


def test_region_venues_model_and_its_numeric_sort(qtmodeltester: ModelTester) -> None:
    model = RegionVenuesModel()
    rows = [
        _venue(1, "甲超市", 9, datetime(2026, 11, 20, 1, 30, tzinfo=UTC)),
        _venue(2, "乙超市", 10, datetime(2026, 11, 20, 2, 5, tzinfo=UTC)),
        _venue(3, "丙超市", 0, None),
    ]
    model.set_rows(rows)
    qtmodeltester.check(model)
    assert [model.index(0, c).data() for c in range(7)] == [
        "甲超市",
        "超市/便利店",
        "9",
        "8",
        "1",
        "0",
        "09:30",
    ]
    assert model.index(2, 6).data() == "今日无核验"
    proxy = SortProxy()
    proxy.setSourceModel(model)
    qtmodeltester.check(proxy)
    proxy.sort(2, Qt.SortOrder.DescendingOrder)  # as numbers: 10 before 9 (as text "9" > "10")
    assert [proxy.index(r, 0).data() for r in range(3)] == ["乙超市", "甲超市", "丙超市"]
    proxy.sort(6, Qt.SortOrder.AscendingOrder)  # no activity first, then by time
    assert [proxy.index(r, 0).data(VenueIdRole) for r in range(3)] == [3, 1, 2]
    model.set_rows([])
    assert proxy.rowCount() == 0


def test_abnormal_model(qtmodeltester: ModelTester) -> None:
    model = AbnormalModel()
    item = RegionAbnormalItem(
        check_id=uuid.uuid4(),
        checked_at=datetime(2026, 11, 20, 1, 2, 3, tzinfo=UTC),
        checkpoint_id=None,
        masked_name="钱*",
        masked_id="330681********1562",
        level=VerdictLevel.DENY,
        reasons=["核酸阳性", "红码"],
        registered=True,
        anomaly_id=uuid.uuid4(),
        venue_id=4,
        venue_name="新昌县人民医院",
    )
    model.set_rows([item, item.model_copy(update={"registered": False, "masked_name": ""})])
    qtmodeltester.check(model)
    assert [model.index(0, c).data() for c in range(7)] == [
        "09:02:03",
        "新昌县人民医院",
        "钱*",
        "330681********1562",
        "禁止通行",
        "核酸阳性；红码",
        "已登记",
    ]
    assert (model.index(1, 2).data(), model.index(1, 6).data()) == ("（无）", "未登记")


def test_venue_choice_model_checks_venues(qtmodeltester: ModelTester) -> None:
    model = VenueChoiceModel()
    model.set_venues([(4, "医院"), (7, "超市")])
    qtmodeltester.check(model)
    assert model.chosen() == [4, 7]
    assert model.setData(model.index(0), Qt.CheckState.Unchecked.value, Qt.ItemDataRole.CheckStateRole)
    assert model.chosen() == [7]
    assert model.index(0).data(Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Unchecked
    model.set_all(False)
    assert model.chosen() == []
    model.set_all(True)
    assert model.chosen() == [4, 7]
    assert not model.setData(QModelIndex(), Qt.CheckState.Checked, Qt.ItemDataRole.CheckStateRole)


def test_staff_model(qtmodeltester: ModelTester) -> None:
    model = StaffModel()
    staff = StaffOut(
        user_id=5, name="李保安", phone_masked="139****0002", role=Role.STAFF, state=StaffState.AUTHORISED
    )
    owner = StaffOut(
        user_id=9, name="", phone_masked="139****0001", role=Role.OWNER, state=StaffState.AUTHORISED
    )
    model.set_rows([staff, owner])
    qtmodeltester.check(model)
    assert [model.index(0, c).data() for c in range(4)] == [
        "（未填写）",
        "139****0001",
        "初始管理员",
        "已授权",
    ]
    model.replace(staff.model_copy(update={"state": StaffState.REVOKED}))
    assert model.index(1, 3).data() == "已收回"
    assert model.headerData(1, Qt.Orientation.Horizontal) == "手机号码"


def test_checkpoint_and_unit_type_models(qtmodeltester: ModelTester) -> None:
    checkpoints = CheckpointModel()
    checkpoints.set_rows([CheckpointOut(id=1, name="南门"), CheckpointOut(id=2, name="旧门", active=False)])
    qtmodeltester.check(checkpoints)
    assert [checkpoints.index(r).data() for r in range(checkpoints.rowCount())] == ["南门"]
    types = UnitTypeModel()
    qtmodeltester.check(types)
    types.set_filter("bank")
    assert [types.index(r).data(CodeRole) for r in range(types.rowCount())] == ["bank_securities"]
    qtmodeltester.check(types)
    types.set_filter("不存在的类型")
    assert types.rowCount() == 0
