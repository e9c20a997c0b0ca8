# mypy: allow-untyped-calls
"""The result panel: colour + icon + words, masked person, four rows, manual decisions, auto-clear."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QLabel, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from shoumen_core.identity import make_resident_id
from shoumen_core.policy import (
    LEVEL_COLOURS,
    CodeColour,
    HealthSnapshot,
    NatResult,
    TravelStatus,
    Vaccination,
    VenuePolicy,
    VerdictLevel,
    evaluate,
)
from shoumen_core.schemas import CheckMethod, ManualDecision
from shoumen_gui.services.cache import LocalCache
from shoumen_gui.services.checks import CheckContext, CheckResult, CheckService, ResultSource, headline
from shoumen_gui.services.connectivity import Connectivity
from shoumen_gui.services.ids import uuid7
from shoumen_gui.tasks import TaskManager
from shoumen_gui.ui.result_panel import ResultPanel
from shoumen_gui.ui.sounds import SoundPlayer

NOW = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
ROW_NAMES = ("rowHealthCode", "rowVaccination", "rowNat", "rowTravel")


def snapshot(**changes: object) -> HealthSnapshot:
    base = HealthSnapshot(
        code_colour=CodeColour.GREEN,
        vaccination=Vaccination.FULL,
        nat_sampled_at=NOW - timedelta(hours=10),
        nat_result=NatResult.NEGATIVE,
        travel=TravelStatus.NORMAL,
    )
    return base.model_copy(update=changes)


def result_for(snap: HealthSnapshot, source: ResultSource = ResultSource.ONLINE) -> CheckResult:
    verdict = evaluate(snap, VenuePolicy(), NOW)
    return CheckResult(
        record_id=uuid7(),
        method=CheckMethod.DOCUMENT,
        level=verdict.level,
        findings=verdict.findings,
        masked_name="陈**",
        masked_id="330624********1011",
        source=source,
        checked_at=NOW,
        needs_manual_decision=verdict.level in (VerdictLevel.REVIEW, VerdictLevel.CANNOT_VERIFY),
        headline=headline(verdict.level, verdict.findings),
        nat_window_hours=48,
    )


CASES = {
    VerdictLevel.PASS: snapshot(),
    VerdictLevel.REVIEW: snapshot(nat_sampled_at=NOW - timedelta(hours=49)),
    VerdictLevel.DENY: snapshot(code_colour=CodeColour.RED),
    VerdictLevel.CANNOT_VERIFY: snapshot(code_colour=CodeColour.UNKNOWN),
}
WORDS = {
    VerdictLevel.PASS: "通行",
    VerdictLevel.REVIEW: "人工核验",
    VerdictLevel.DENY: "禁止通行",
    VerdictLevel.CANNOT_VERIFY: "无法核验",
}


@pytest.fixture
def panel(qtbot: QtBot, tasks: TaskManager) -> ResultPanel:
    widget = ResultPanel(tasks)
    qtbot.addWidget(widget)
    widget.resize(900, 700)
    widget.show()
    return widget


def label(panel: QWidget, name: str) -> QLabel:
    widget = panel.findChild(QLabel, name)
    assert widget is not None, name
    return widget


def button(panel: QWidget, name: str) -> QPushButton:
    widget = panel.findChild(QPushButton, name)
    assert widget is not None, name
    return widget


def banner_colour(panel: ResultPanel) -> QColor:
    banner = panel.findChild(QWidget, "verdictBanner")
    assert banner is not None
    image = banner.grab().toImage()
    return image.pixelColor(image.width() - 20, image.height() // 2)


@pytest.mark.parametrize("level", list(CASES))
def test_each_level_shows_colour_icon_words_and_rows(
    qtbot: QtBot, panel: ResultPanel, level: VerdictLevel
) -> None:
    result = result_for(CASES[level])
    assert result.level is level
    panel.show_result(result, clear_after_ms=60_000)

    assert label(panel, "verdictLabel").text() == WORDS[level]
    assert banner_colour(panel).name() == LEVEL_COLOURS[level]
    assert not label(panel, "verdictIcon").pixmap().isNull()
    assert label(panel, "maskedName").text() == "姓名：陈**"
    assert label(panel, "maskedId").text() == "证件：330624********1011"
    for name, finding in zip(ROW_NAMES, result.findings, strict=True):
        assert panel.findChild(QWidget, name) is not None
        assert label(panel, f"{name}Reason").text() == finding.message
        assert label(panel, f"{name}State").text() in {"正常", "需核验", "异常", "未知"}
    manual = level in (VerdictLevel.REVIEW, VerdictLevel.CANNOT_VERIFY)
    assert button(panel, "manualAdmit").isVisible() is manual
    assert button(panel, "manualTurnAway").isVisible() is manual


def test_rows_say_which_source_failed(panel: ResultPanel) -> None:
    panel.show_result(result_for(CASES[VerdictLevel.REVIEW]), clear_after_ms=60_000)
    assert label(panel, "rowHealthCodeState").text() == "正常"
    assert label(panel, "rowNatState").text() == "需核验"
    assert label(panel, "rowNatReason").text() == "核酸 49 小时前，超过 48 小时"
    assert label(panel, "verdictHeadline").text() == "人工核验：核酸 49 小时前，超过 48 小时"
    temperature = panel.findChild(QWidget, "rowTemperature")
    assert temperature is not None and not temperature.isVisible()


def test_temperature_row_appears_only_when_measured(panel: ResultPanel) -> None:
    panel.show_result(result_for(snapshot(temperature=37.6)), clear_after_ms=60_000)
    temperature = panel.findChild(QWidget, "rowTemperature")
    assert temperature is not None and temperature.isVisible()
    assert label(panel, "rowTemperatureReason").text() == "体温 37.6 °C，超过 37.3 °C"
    assert label(panel, "verdictLabel").text() == "禁止通行"


def test_auto_clear_removes_every_trace_of_the_person(qtbot: QtBot, panel: ResultPanel) -> None:
    panel.show_result(
        result_for(snapshot(code_colour=CodeColour.RED, nat_sampled_at=NOW - timedelta(hours=49))),
        clear_after_ms=150,
    )
    assert label(panel, "clearCountdown").text() == "1 秒后清除"
    with qtbot.waitSignal(panel.cleared, timeout=3000):
        pass
    assert panel.result is None
    for name in ("verdictLabel", "maskedName", "maskedId", "verdictHeadline", "rowNatReason", "rowNatState"):
        assert label(panel, name).text() == "", name  # a DENY with a NAT finding: every row cleared
    assert label(panel, "readyLabel").isVisible()
    assert label(panel, "readyLabel").text() == "请扫描个人健康码，或录入证件号码"
    texts = " ".join(child.text() for child in panel.findChildren(QLabel))
    assert "陈**" not in texts and "1011" not in texts


@pytest.fixture
def offline_checks(tmp_path: Path) -> Iterator[CheckService]:
    cache = LocalCache.open(tmp_path / "cache.db")
    service = CheckService(cache, None, Connectivity(online=False))
    service.set_context(CheckContext(venue_id=1, checkpoint_id=None, user_id=3, device_id=cache.device_id()))
    yield service
    cache.close()


@pytest.mark.parametrize(
    ("button_name", "decision", "words"),
    [
        ("manualAdmit", ManualDecision.ADMIT, "已记录：人工放行"),
        ("manualTurnAway", ManualDecision.TURN_AWAY, "已记录：劝返"),
    ],
)
def test_manual_decision_is_recorded_by_the_check_service(
    qtbot: QtBot,
    panel: ResultPanel,
    offline_checks: CheckService,
    button_name: str,
    decision: ManualDecision,
    words: str,
) -> None:
    # A real offline check: an ID typed with no backend is grey and waits for the guard.
    result = offline_checks.check_document(make_resident_id("330624", date(1956, 2, 14), 134))
    assert result.level is VerdictLevel.CANNOT_VERIFY
    panel.set_decision_recorder(offline_checks.record_manual_decision)
    panel.show_result(result, clear_after_ms=60_000)
    assert label(panel, "resultSource").text() == "离线，未能核验"
    with qtbot.waitSignal(panel.decision_recorded, timeout=5000) as blocker:
        qtbot.mouseClick(button(panel, button_name), Qt.MouseButton.LeftButton)
    assert blocker.args == [decision]
    assert label(panel, "decisionLabel").text() == words
    assert not button(panel, "manualAdmit").isEnabled()
    stored = offline_checks.cache.check(result.record_id)
    assert stored is not None and stored.record.manual_decision is decision


def test_sound_per_outcome_or_one_neutral_beep(panel: ResultPanel, tmp_path: Path) -> None:
    from shoumen_gui.settings import SoundStyle

    tones = SoundPlayer(SoundStyle.TONES, folder=tmp_path)  # no files there: nothing actually plays
    panel.sounds = tones.play
    panel.show_result(result_for(CASES[VerdictLevel.DENY]), clear_after_ms=60_000)
    panel.show_result(result_for(CASES[VerdictLevel.PASS]), clear_after_ms=60_000)
    assert [path.name for path in tones.played] == ["deny.wav", "pass.wav"]
    beep = SoundPlayer(SoundStyle.NEUTRAL_BEEP, folder=tmp_path)
    panel.sounds = beep.play
    panel.show_result(result_for(CASES[VerdictLevel.DENY]), clear_after_ms=60_000)
    assert [path.name for path in beep.played] == ["neutral_beep.wav"]


def test_sound_files_are_generated_wavs() -> None:
    import wave

    from shoumen_gui.paths import resources_dir

    for name in ("pass", "review", "deny", "cannot_verify", "neutral_beep"):
        with wave.open(str(resources_dir() / "sounds" / f"{name}.wav")) as wav:
            assert wav.getnchannels() == 1 and wav.getsampwidth() == 2
            assert 0.1 < wav.getnframes() / wav.getframerate() < 0.6


def test_a_result_needing_a_decision_does_not_clear_itself(qtbot: QtBot, panel: ResultPanel) -> None:
    """Issue 16 §1: 人工核验 waits for 人工放行 / 劝返 (or 暂不决定), however long it takes."""
    panel.show_result(result_for(CASES[VerdictLevel.REVIEW]), clear_after_ms=150)
    assert not panel.clear_timer.isActive()
    assert label(panel, "clearCountdown").text() == "等待人工决定"
    assert button(panel, "dismissUndecided").isVisible()
    with qtbot.waitSignal(panel.dismissed_undecided, timeout=3000):
        qtbot.mouseClick(button(panel, "dismissUndecided"), Qt.MouseButton.LeftButton)
    assert panel.result is None


def test_an_unattended_panel_clears_a_review_result(qtbot: QtBot, panel: ResultPanel) -> None:
    """A kiosk's visitor cannot decide: the result leaves the screen after the clear time."""
    panel.set_attended(False)
    panel.show_result(result_for(CASES[VerdictLevel.REVIEW]), clear_after_ms=150)
    with qtbot.waitSignal(panel.cleared, timeout=3000):
        pass
