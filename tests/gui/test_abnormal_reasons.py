# mypy: allow-untyped-calls
"""Issue 17 §5: the abnormal lists' reasons with values in them (NAT hours, °C) in the app's
language. The server answers them as codes with args (AbnormalItem.findings); the screen says
them through ui/texts.py: in English with the values, in Chinese the words as they came."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit
from pytestqt.qtbot import QtBot

from shoumen_core.policy import Finding, FindingState, Source, VerdictLevel
from shoumen_core.schemas import RegionAbnormalItem
from shoumen_gui.i18n import install_translator
from shoumen_gui.paths import resources_dir
from shoumen_gui.ui.stats_models import AbnormalTableModel
from shoumen_gui.ui.supervisor.models import AbnormalModel
from shoumen_gui.ui.texts import abnormal_reasons
from shoumen_server.seed import DEMO_PATHS_BY_KEY
from tests.gui.conftest import GUARD_PHONE, LiveBackend, MakeApp, MemoryKeyring
from tests.gui.helpers import find, type_id, verdict

CJK = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f]")
NAT_49H = DEMO_PATHS_BY_KEY["nat_49h"]
ZH_REASONS = re.compile(r"核酸 (49|50) 小时前，超过 48 小时；体温 38\.2 °C，超过 37\.3 °C")
EN_REASONS = re.compile(r"NAT (49|50) h ago, over 48 h; Temperature 38\.2 °C, above 37\.3 °C")


@pytest.fixture
def english(qapp: QApplication) -> Iterator[None]:
    """The English catalogue installed, as app.py does for `"language": "en"`."""
    translator = install_translator(qapp, "en", resources_dir() / "translations")
    assert translator is not None
    yield
    qapp.removeTranslator(translator)


def _finding(reason: str, state: FindingState, message: str, **args: str) -> Finding:
    source = Source.TEMPERATURE if reason.startswith("temperature") else Source.NAT
    return Finding(source=source, state=state, reason=reason, message=message, args=args)


NAT_OLD = _finding(
    "nat_too_old", FindingState.REVIEW, "核酸 60 小时前，超过 48 小时", hours="60", window="48"
)
FEVER = _finding(
    "temperature_fever",
    FindingState.FAIL,
    "体温 38.5 °C，达到 38.5 °C",
    celsius="38.5",
    threshold="38.5",
    above="",
)


def _item(findings: list[Finding] | None, reasons: list[str]) -> RegionAbnormalItem:
    return RegionAbnormalItem(
        check_id=uuid.uuid4(),
        checked_at=datetime(2026, 11, 20, 1, 30, tzinfo=UTC),
        checkpoint_id=1,
        masked_name="吴**",
        masked_id="330624********1234",
        level=VerdictLevel.DENY,
        reasons=reasons,
        registered=False,
        findings=findings,
        venue_id=1,
        venue_name="新昌县人民医院",
    )


def _reasons_cell(model: AbnormalTableModel, row: int) -> str:
    text: str = model.data(model.index(row, AbnormalTableModel.REASONS))
    return text


# --- the words of one item --------------------------------------------------------------------------


def test_abnormal_reasons_in_chinese_are_the_words_as_they_came() -> None:
    item = _item([NAT_OLD, FEVER], [NAT_OLD.message, FEVER.message])
    assert abnormal_reasons(item) == ["核酸 60 小时前，超过 48 小时", "体温 38.5 °C，达到 38.5 °C"]
    assert abnormal_reasons(_item(None, ["核酸 60 小时前，超过 48 小时"])) == ["核酸 60 小时前，超过 48 小时"]


def test_abnormal_reasons_in_english_say_the_values(english: None) -> None:
    item = _item([NAT_OLD, FEVER], [NAT_OLD.message, FEVER.message])
    assert abnormal_reasons(item) == ["NAT 60 h ago, over 48 h", "Temperature 38.5 °C, reaches 38.5 °C"]
    # The region's table and its details pane say the same.
    model = AbnormalModel()
    model.set_rows([item])
    cell = model.data(model.index(0, 5))
    assert cell == "NAT 60 h ago, over 48 h; Temperature 38.5 °C, reaches 38.5 °C"


def test_abnormal_reasons_of_an_old_row_or_server_fall_back_to_their_words(english: None) -> None:
    # A row the server stored before it kept args: the code alone says no hours, so its words
    # (they came out blank: the catalogue's translator answers "" for a text it does not hold).
    no_args = _finding("nat_too_old", FindingState.REVIEW, "核酸 60 小时前，超过 48 小时")
    red = _finding("code_red", FindingState.FAIL, "红码，请劝返并报告社区")
    assert abnormal_reasons(_item([no_args, red], [no_args.message, red.message])) == [
        "核酸 60 小时前，超过 48 小时",
        "Red code: turn away and report to the community",
    ]
    # A server that predates findings: the catalogue's words for the fixed reasons, as before.
    assert abnormal_reasons(_item(None, [red.message])) == ["Red code: turn away and report to the community"]


# --- the guard's 统计 tab on the live backend ------------------------------------------------------


def test_the_abnormal_table_says_nat_hours_and_fever_in_the_apps_language(
    qtbot: QtBot,
    qapp: QApplication,
    make_station_app: MakeApp,
    embedded: LiveBackend,
    memory_keyring: MemoryKeyring,
) -> None:
    app = make_station_app(demo_login=GUARD_PHONE)
    app.start()
    workbench = app.window.workbench
    field = find(workbench, QLineEdit, "idInput")
    qtbot.keyClicks(field, "T38.2")  # a thermometer typing like a scanner gun
    qtbot.keyClick(field, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: find(workbench, QLineEdit, "temperatureInput").text() == "T38.2", timeout=5_000)
    type_id(qtbot, app.window, NAT_49H.number)
    assert verdict(app.window) == "禁止通行"
    assert workbench.result_panel.result is not None
    check_id = workbench.result_panel.result.record_id
    qtbot.waitUntil(lambda: check_id in embedded.server_checks(), timeout=15_000)

    view = workbench.stats_view
    workbench.tabs.setCurrentWidget(view)
    with qtbot.waitSignal(view.refreshed, timeout=10_000):
        view.refresh()

    def row_of_check() -> int | None:
        return next((i for i, r in enumerate(view.model.rows) if r.item.check_id == check_id), None)

    qtbot.waitUntil(lambda: row_of_check() is not None, timeout=15_000)
    # Online and the check synced: the row is the server's item (services.stats.merge).
    assert find(view, QLabel, "statsAsOf").text() == "在线"
    row = row_of_check()
    assert row is not None
    findings = view.model.rows[row].item.findings
    assert findings is not None  # the server's (or the cache's) codes with args
    assert [f.reason for f in findings] == ["nat_too_old", "temperature_fever"]
    chinese = _reasons_cell(view.model, row)
    assert ZH_REASONS.fullmatch(chinese), chinese

    translator = install_translator(qapp, "en", resources_dir() / "translations")
    assert translator is not None
    try:
        english = _reasons_cell(view.model, row)
        assert EN_REASONS.fullmatch(english), english
        assert not CJK.search(english)
        tooltip = view.model.data(
            view.model.index(row, AbnormalTableModel.REASONS), Qt.ItemDataRole.ToolTipRole
        )
        assert not CJK.search(tooltip) and "38.2 °C" in tooltip
    finally:
        qapp.removeTranslator(translator)
    assert _reasons_cell(view.model, row) == chinese
