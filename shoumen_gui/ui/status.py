"""The sync status bar: online or offline, pending rows, last sync, the checkpoint.

DESIGN §4: it always shows online/offline, the pending count and the last sync time. A clock
more than five minutes off the server's is a warning banner (verdict windows depend on time),
so is a refused trust list (DESIGN §3); rows the server rejected stay visible with their reasons.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from PySide6.QtWidgets import QFrame, QHBoxLayout, QVBoxLayout, QWidget

from shoumen_core.timeutil import LOCAL_TZ, as_utc
from shoumen_gui.services.storage import format_bytes
from shoumen_gui.ui.plain import plain_label
from shoumen_gui.ui.texts import code_words, joined, sync_words

if TYPE_CHECKING:
    from shoumen_gui.services.storage import StorageStatus
    from shoumen_gui.services.sync import SyncStatus


class RejectedLike(Protocol):
    """What the bar needs of a rejected row (services.cache.RejectedRow)."""

    @property
    def code(self) -> str: ...

    @property
    def message(self) -> str: ...


def local_time(moment: datetime) -> str:
    return as_utc(moment).astimezone(LOCAL_TZ).strftime("%H:%M:%S")


class SyncStatusBar(QFrame):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("syncStatus")
        self.setAccessibleName(self.tr("同步状态"))
        self.online = plain_label()
        self.online.setObjectName("syncOnline")
        self.online.setAccessibleName(self.tr("网络状态"))
        self.pending = plain_label()
        self.pending.setObjectName("syncPending")
        self.pending.setAccessibleName(self.tr("待同步数量"))
        self.last_sync = plain_label()
        self.last_sync.setObjectName("syncLastSync")
        self.last_sync.setAccessibleName(self.tr("上次同步时间"))
        self.checkpoint = plain_label()
        self.checkpoint.setObjectName("syncCheckpoint")
        self.checkpoint.setAccessibleName(self.tr("当前场所和检查点"))
        self.rejected = plain_label()
        self.rejected.setObjectName("syncRejected")
        self.rejected.setAccessibleName(self.tr("被服务器拒绝的记录"))
        self.message = plain_label()
        self.message.setObjectName("syncMessage")
        self.message.setAccessibleName(self.tr("同步提示"))
        self.message.setWordWrap(True)
        self.storage = plain_label()
        self.storage.setObjectName("storageWarning")
        self.storage.setAccessibleName(self.tr("本机存储空间"))
        self.storage.setProperty("state", "warning")
        self.storage.hide()
        self.skew_banner = plain_label()
        self.skew_banner.setObjectName("clockSkewBanner")
        self.skew_banner.setAccessibleName(self.tr("时钟偏差警告"))
        self.skew_banner.setProperty("role", "warningBanner")
        self.skew_banner.setWordWrap(True)
        # A refused trust list (services.trust): offline checks still use the previous one, but
        # someone must find out why the server sent a list this station will not take.
        self.trust_banner = plain_label()
        self.trust_banner.setObjectName("trustListBanner")
        self.trust_banner.setAccessibleName(self.tr("信任列表警告"))
        self.trust_banner.setProperty("role", "warningBanner")
        self.trust_banner.setWordWrap(True)

        bar = QHBoxLayout()
        for label in (self.online, self.pending, self.last_sync, self.rejected, self.storage):
            bar.addWidget(label)
        bar.addWidget(self.message, 1)
        bar.addWidget(self.checkpoint)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 2, 6, 2)
        layout.addWidget(self.skew_banner)
        layout.addWidget(self.trust_banner)
        layout.addLayout(bar)
        self.is_online = False
        self.show_connecting()

    def show_connecting(self) -> None:
        self._set_online_label(None)
        self.pending.setText(self.tr("待同步 {0}").format(0))
        self.last_sync.setText(self.tr("尚未同步"))
        self.rejected.hide()
        self.skew_banner.hide()
        self.trust_banner.hide()
        self.message.clear()

    def set_checkpoint(self, venue_name: str, checkpoint_name: str | None) -> None:
        text = venue_name if not checkpoint_name else f"{venue_name} · {checkpoint_name}"
        self.checkpoint.setText(text)

    def update_status(self, status: SyncStatus) -> None:
        self._set_online_label(status.online)
        self.set_pending(status.pending)
        if status.last_sync_at is None:
            self.last_sync.setText(self.tr("尚未同步"))
        else:
            self.last_sync.setText(self.tr("上次同步 {0}").format(local_time(status.last_sync_at)))
        if status.skew_warning and status.clock_skew is not None:
            minutes = round(abs(status.clock_skew.total_seconds()) / 60)
            # Whole sentences: "fast"/"slow" sit in different places in other languages.
            ahead = status.clock_skew.total_seconds() > 0
            text = (
                self.tr("本机时钟比服务器快约 {0} 分钟，核酸时效判断可能不准，请校准系统时间。")
                if ahead
                else self.tr("本机时钟比服务器慢约 {0} 分钟，核酸时效判断可能不准，请校准系统时间。")
            )
            self.skew_banner.setText(text.format(minutes))
            self.skew_banner.show()
        else:
            self.skew_banner.hide()
        self.trust_banner.setText(code_words(status.trust_code, status.trust_warning))
        self.trust_banner.setVisible(bool(status.trust_warning))
        if status.rejected:
            self.rejected.setText(self.tr("{0} 条被拒绝").format(status.rejected))
            self.rejected.show()
        else:
            self.rejected.hide()
            self.rejected.setToolTip("")
        message = sync_words(status.state, status.state_args, status.message)
        if status.revoked:
            message = self.tr("您在本场所的核验权限已被收回，新的核验记录无法上传，请联系场所管理员。")
        self.message.setText(message)
        self.message.setProperty("state", "warning" if status.revoked else "info")

    def set_pending(self, count: int) -> None:
        self.pending.setText(self.tr("待同步 {0}").format(count))
        self.pending.setProperty("state", "pending" if count else "clear")

    def set_storage(self, status: StorageStatus) -> None:
        """Free space only when it runs low (before it runs out), and the checks held in memory
        while the disk refuses them; hidden when all is well."""
        parts: list[str] = []
        if status.held:
            parts.append(self.tr("{0} 条核验记录暂存内存，未写入本机").format(status.held))
        if status.low:
            if status.free_bytes is None:
                parts.append(self.tr("无法读取本机剩余空间"))
            else:
                parts.append(self.tr("本机存储空间不足：剩余 {0}").format(format_bytes(status.free_bytes)))
        self.storage.setText(joined(parts))
        self.storage.setVisible(bool(parts))

    def set_rejected_rows(self, rows: Sequence[RejectedLike]) -> None:
        """The reasons, grouped: the server's messages with their counts."""
        if not rows:
            self.rejected.setToolTip("")
            return
        # The code's words: a row refused while the app spoke Chinese keeps its Chinese message.
        counts = Counter(code_words(row.code, row.message) for row in rows)
        lines = [self.tr("{0}（{1} 条）").format(message, count) for message, count in counts.most_common()]
        self.rejected.setToolTip("\n".join(lines))
        self.rejected.setAccessibleDescription(joined(lines))

    def _set_online_label(self, online: bool | None) -> None:
        self.is_online = bool(online)
        if online is None:
            text, state = self.tr("连接中…"), "connecting"
        elif online:
            text, state = self.tr("● 在线"), "online"
        else:
            text, state = self.tr("○ 离线"), "offline"
        self.online.setText(text)
        self.online.setProperty("state", state)
        self.online.style().unpolish(self.online)
        self.online.style().polish(self.online)
