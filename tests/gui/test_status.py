# mypy: allow-untyped-calls
"""The sync status bar: online/offline, pending, last sync, checkpoint, skew, rejected rows."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from shoumen_core.policy import VerdictLevel
from shoumen_gui.services.cache import RejectedRow
from shoumen_gui.services.sync import SyncStatus
from shoumen_gui.ui.status import SyncStatusBar

SYNCED_AT = datetime(2026, 11, 20, 2, 3, 4, tzinfo=UTC)  # 10:03:04 in China


def status(**changes: object) -> SyncStatus:
    base = SyncStatus(
        online=True,
        pending=0,
        rejected=0,
        last_sync_at=SYNCED_AT,
        clock_skew=timedelta(seconds=2),
        skew_warning=False,
        epoch_reset=False,
        revoked=False,
        message="",
    )
    return SyncStatus(**{**base.__dict__, **changes})


@pytest.fixture
def bar(qtbot: QtBot) -> SyncStatusBar:
    widget = SyncStatusBar()
    qtbot.addWidget(widget)
    widget.show()
    return widget


def text(bar: SyncStatusBar, name: str) -> str:
    label = bar.findChild(QLabel, name)
    assert label is not None, name
    return label.text()


def visible(bar: SyncStatusBar, name: str) -> bool:
    label = bar.findChild(QLabel, name)
    assert label is not None, name
    return label.isVisible()


def test_before_the_first_round(bar: SyncStatusBar) -> None:
    assert text(bar, "syncOnline") == "连接中…"
    assert text(bar, "syncPending") == "待同步 0"
    assert text(bar, "syncLastSync") == "尚未同步"


def test_online_and_synced(bar: SyncStatusBar) -> None:
    bar.set_checkpoint("新昌县人民医院", "北门")
    bar.update_status(status())
    assert text(bar, "syncOnline") == "● 在线"
    assert text(bar, "syncPending") == "待同步 0"
    assert text(bar, "syncLastSync") == "上次同步 10:03:04"
    assert text(bar, "syncCheckpoint") == "新昌县人民医院 · 北门"
    assert not visible(bar, "clockSkewBanner")
    assert not visible(bar, "syncRejected")


def test_offline_with_pending_rows(bar: SyncStatusBar) -> None:
    bar.update_status(
        status(online=False, pending=3, message="无法连接服务器，已切换到离线模式（4 秒后重试）")
    )
    assert text(bar, "syncOnline") == "○ 离线"
    assert text(bar, "syncPending") == "待同步 3"
    assert text(bar, "syncMessage") == "无法连接服务器，已切换到离线模式（4 秒后重试）"
    online = bar.findChild(QLabel, "syncOnline")
    assert online is not None and online.property("state") == "offline"


@pytest.mark.parametrize(("minutes", "word"), [(7, "快"), (-12, "慢")])
def test_clock_skew_banner(bar: SyncStatusBar, minutes: int, word: str) -> None:
    bar.update_status(status(clock_skew=timedelta(minutes=minutes), skew_warning=True))
    assert visible(bar, "clockSkewBanner")
    assert f"本机时钟比服务器{word}约 {abs(minutes)} 分钟" in text(bar, "clockSkewBanner")
    bar.update_status(status())
    assert not visible(bar, "clockSkewBanner")


def test_rejected_rows_show_their_reasons(bar: SyncStatusBar) -> None:
    bar.update_status(status(rejected=3))
    assert visible(bar, "syncRejected")
    assert text(bar, "syncRejected") == "3 条被拒绝"

    def row(message: str) -> RejectedRow:
        return RejectedRow(
            id=uuid.uuid4(),
            venue_id=1,
            checked_at=SYNCED_AT,
            level=VerdictLevel.PASS,
            masked_name="陈**",
            masked_id="330624********1011",
            code="staff_revoked",
            message=message,
        )

    bar.set_rejected_rows([row("核验权限已被收回"), row("核验权限已被收回"), row("检查点已停用")])
    rejected = bar.findChild(QLabel, "syncRejected")
    assert rejected is not None
    tooltip = rejected.toolTip()
    assert tooltip.splitlines() == ["核验权限已被收回（2 条）", "检查点已停用（1 条）"]
    assert "1011" not in tooltip  # reasons only, no person


def test_revoked_staff_get_a_plain_message(bar: SyncStatusBar) -> None:
    bar.update_status(status(revoked=True, message="forbidden"))
    assert "核验权限已被收回" in text(bar, "syncMessage")


def test_a_refused_trust_list_is_a_warning_until_a_good_one_arrives(bar: SyncStatusBar) -> None:
    """Issue 13 §3: the station says when it refused a trust list (and keeps the previous one)."""
    assert not visible(bar, "trustListBanner")
    warning = "信任列表签名无效，已拒绝（离线核验仍用上一版）"
    bar.update_status(status(trust_warning=warning))
    assert visible(bar, "trustListBanner") and text(bar, "trustListBanner") == warning
    bar.update_status(status())
    assert not visible(bar, "trustListBanner")
