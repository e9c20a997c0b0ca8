# mypy: allow-untyped-calls
"""统计: the table model (qtmodeltester), merging server and local rows, and the tab on the real
embedded backend — counters, scopes, days, checkpoint filter, offline stamp, opening a row."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, date, datetime, timedelta

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLabel
from pytestqt.qtbot import QtBot

from shoumen_core.policy import VerdictLevel
from shoumen_core.schemas import AbnormalItem, StatsScope
from shoumen_core.timeutil import local_day, utcnow
from shoumen_gui.services.anomalies import EditMode
from shoumen_gui.services.stats import AbnormalRow, Registration, merge, registration_of
from shoumen_gui.ui.stats_models import ROW_ROLE, AbnormalTableModel
from shoumen_gui.ui.stats_view import StatsView
from shoumen_server.seed import DEMO_PATHS_BY_KEY
from tests.gui.conftest import GUARD_PHONE, LiveBackend, MakeApp, MemoryKeyring
from tests.gui.helpers import click, find, type_id

T0 = datetime(2024, 3, 1, 1, 0, tzinfo=UTC)  # 09:00 in China


def item(
    minutes: int, *, anomaly: uuid.UUID | None = None, level: VerdictLevel = VerdictLevel.DENY
) -> AbnormalItem:
    return AbnormalItem(
        check_id=uuid.UUID(int=minutes + 1),
        checked_at=T0 + timedelta(minutes=minutes),
        checkpoint_id=1,
        masked_name="黄**",
        masked_id="330624********1789",
        level=level,
        reasons=["红码，请劝返并报告社区"],
        registered=anomaly is not None,
        anomaly_id=anomaly,
    )


# --- the model and the merge ----------------------------------------------------------------------


def test_the_abnormal_model_passes_the_model_tester(qtmodeltester: object) -> None:
    model = AbnormalTableModel()
    qtmodeltester.check(model)  # type: ignore[attr-defined]
    states = list(Registration)
    rows = [
        AbnormalRow(item(i, level=level), states[i % len(states)])
        for i, level in enumerate([VerdictLevel.DENY, VerdictLevel.REVIEW, VerdictLevel.CANNOT_VERIFY] * 3)
    ]
    model.set_rows(rows)
    qtmodeltester.check(model)  # type: ignore[attr-defined]
    model.clear()
    qtmodeltester.check(model)  # type: ignore[attr-defined]


def test_the_abnormal_model_shows_time_masked_person_reasons_and_registration() -> None:
    model = AbnormalTableModel()
    row = AbnormalRow(item(5, anomaly=uuid.uuid4()), Registration.PENDING)
    model.set_rows([row])
    texts = [model.data(model.index(0, column)) for column in range(model.columnCount())]
    assert texts == [
        "09:05:00",
        "黄**",
        "330624********1789",
        "禁止通行",
        "红码，请劝返并报告社区",
        "已登记（待同步）",
    ]
    assert [model.headerData(c, Qt.Orientation.Horizontal) for c in range(6)] == [
        "时间", "姓名", "证件号码", "结论", "原因", "登记状态",
    ]  # fmt: skip
    assert model.data(model.index(0, 0), ROW_ROLE) is row
    assert model.data(model.index(0, 0), Qt.ItemDataRole.EditRole) is None
    assert model.rowCount(model.index(0, 0)) == 0 and not model.index(1, 0).isValid()


def test_merge_adds_unsynced_local_rows_and_prefers_a_local_registration() -> None:
    pending, saved = uuid.uuid4(), uuid.uuid4()
    on_server = [item(3), item(2, anomaly=saved)]
    here = [item(4), item(3, anomaly=pending), item(2, anomaly=saved)]  # item 4: not pushed yet
    rows = merge(on_server, here, {pending: "pending"})
    assert [(r.item.check_id.int - 1, r.registration) for r in rows] == [
        (4, Registration.NONE),
        (3, Registration.PENDING),
        (2, Registration.SAVED),
    ]
    assert registration_of(item(1, anomaly=pending), {pending: "conflict"}) is Registration.CONFLICT
    assert merge(None, [], {}) == []


# --- the tab on a live backend ---------------------------------------------------------------------


def counters(view: StatsView) -> tuple[int, int, int, int]:
    """The tiles as numbers; -1 for a tile still loading ("—", issue 16 §5)."""
    names = ("countChecked", "countPassed", "countReview", "countAbnormal")
    texts = [find(view, QLabel, name).text() for name in names]
    return tuple(-1 if text == "—" else int(text) for text in texts)  # type: ignore[return-value]


def plus(before: tuple[int, ...], *delta: int) -> tuple[int, ...]:
    return tuple(a + b for a, b in zip(before, delta, strict=True))


def test_counters_scopes_days_filter_and_offline_stamp(
    qtbot: QtBot, make_station_app: MakeApp, embedded: LiveBackend, memory_keyring: MemoryKeyring
) -> None:
    app = make_station_app(demo_login=GUARD_PHONE)
    app.start()
    workbench = app.window.workbench
    view = workbench.stats_view
    with qtbot.waitSignal(view.refreshed, timeout=10_000):
        workbench.tabs.setCurrentWidget(view)
    unit_before = counters(view)
    view.scope_box.setCurrentIndex(1)
    qtbot.waitUntil(lambda: view.scope.value == "personal", timeout=2000)
    with qtbot.waitSignal(view.refreshed, timeout=10_000):
        view.refresh()
    personal_before = counters(view)
    rows_before = view.model.rowCount()

    workbench.tabs.setCurrentWidget(workbench.check_page)
    for key in ("green_fresh", "red", "no_code"):
        type_id(qtbot, app.window, DEMO_PATHS_BY_KEY[key].number)
    workbench.tabs.setCurrentWidget(view)  # personal scope, today
    qtbot.waitUntil(lambda: counters(view) == plus(personal_before, 3, 1, 1, 1), timeout=15_000)
    assert sum(view.chart.counts) == counters(view)[0]
    # The drill-down of 检测异常: red (DENY) is in it, no_code (REVIEW) is not.
    qtbot.waitUntil(lambda: view.model.rowCount() == rows_before + 1, timeout=15_000)
    names = {row.item.masked_name for row in view.model.rows}
    assert "黄**" in names and "欧阳**" not in names
    assert find(view, QLabel, "statsAsOf").text() == "在线"

    view.scope_box.setCurrentIndex(0)  # 单位
    qtbot.waitUntil(lambda: counters(view) == plus(unit_before, 3, 1, 1, 1), timeout=15_000)

    # This checkpoint (from the server), then another one (nothing checked there by us).
    mine = app.station.post.checkpoint_id
    box = find(view, QComboBox, "statsCheckpoint")
    box.setCurrentIndex(box.findData(mine))
    qtbot.waitUntil(lambda: counters(view)[0] >= 3 and view.model.rowCount() >= 1, timeout=15_000)
    other = next(i for i in range(1, box.count()) if box.itemData(i) != mine)
    with qtbot.waitSignal(view.refreshed, timeout=10_000):
        box.setCurrentIndex(other)
    qtbot.waitUntil(
        lambda: all(r.item.checkpoint_id == box.itemData(other) for r in view.model.rows), timeout=10_000
    )
    box.setCurrentIndex(0)

    # Yesterday comes from the API; today again from the cache (counts) and the API (the list).
    api = app.station.api
    asked: list[date] = []
    real_stats = api.stats.day

    def recording_stats(
        venue_id: int, day: date, scope: StatsScope, checkpoint_id: int | None = None
    ) -> object:
        # A refresh of the checkpoint filter above, started by a sync round just before this
        # was installed, may still ask for today at that checkpoint (from the server, rightly);
        # what must never come from the API is today over all checkpoints.
        if checkpoint_id is None:
            asked.append(day)
        return real_stats(venue_id, day, scope, checkpoint_id)

    api.stats.day = recording_stats  # type: ignore[assignment,method-assign]
    today = local_day(utcnow())
    view.yesterday_button.click()
    qtbot.waitUntil(lambda: bool(asked), timeout=10_000)  # (a sync round may refresh it again)
    assert view.day == today - timedelta(days=1)
    qtbot.waitUntil(
        lambda: all(local_day(r.item.checked_at) == view.day for r in view.model.rows), timeout=10_000
    )
    view.today_button.click()
    qtbot.waitUntil(lambda: counters(view) == plus(unit_before, 3, 1, 1, 1), timeout=15_000)
    assert set(asked) == {today - timedelta(days=1)}  # today's counts never came from the API
    api.stats.day = real_stats  # type: ignore[method-assign]

    # Offline: the same figures from the cache, stamped with the last pull.
    embedded.backend.stop()
    app.station.connectivity.mark_offline()
    with qtbot.waitSignal(view.refreshed, timeout=10_000):
        view.refresh()
    stamp = find(view, QLabel, "statsAsOf").text()
    assert re.fullmatch(r"截至 \d\d:\d\d", stamp), stamp
    assert counters(view) == plus(unit_before, 3, 1, 1, 1)
    assert "黄**" in {row.item.masked_name for row in view.model.rows}  # this device's rows


def test_a_row_opens_its_registration(
    qtbot: QtBot, make_station_app: MakeApp, memory_keyring: MemoryKeyring
) -> None:
    app = make_station_app(demo_login=GUARD_PHONE)
    app.start()
    workbench = app.window.workbench
    type_id(qtbot, app.window, DEMO_PATHS_BY_KEY["yellow"].number)
    view = workbench.stats_view
    workbench.tabs.setCurrentWidget(view)
    qtbot.waitUntil(lambda: any(r.item.masked_name == "杨**" for r in view.model.rows), timeout=15_000)
    row = next(i for i, r in enumerate(view.model.rows) if r.item.masked_name == "杨**")
    assert view.model.rows[row].registration is Registration.NONE
    view.table.activated.emit(view.model.index(row, 0))
    form = workbench.anomaly_form
    assert workbench.tabs.currentWidget() is form
    assert find(form, QLabel, "anomalyLink").text() == "已关联核验记录：杨** 330624********1679 禁止通行"
    form.fields.type_box.setCurrentIndex(form.fields.type_box.findData("yellow_code"))
    assert form.fields.action_box.currentText() == "引导至黄码采样点"
    with qtbot.waitSignal(form.saved, timeout=10_000):
        form.save_button.click()
    workbench.tabs.setCurrentWidget(view)
    qtbot.waitUntil(
        lambda: any(
            r.item.masked_name == "杨**" and r.registration in (Registration.PENDING, Registration.SAVED)
            for r in view.model.rows
        ),
        timeout=15_000,
    )
    # Opened again from its row: the saved registration, for editing.
    row = next(i for i, r in enumerate(view.model.rows) if r.item.masked_name == "杨**")
    view.table.setCurrentIndex(view.model.index(row, 0))
    view.table.selectRow(row)
    click(qtbot, view, "abnormalOpen")
    qtbot.waitUntil(lambda: form.base.mode is EditMode.LOCAL, timeout=10_000)
    assert form.fields.type_box.currentText() == "黄码"
