"""The result panel's source rows: one per source (健康码, 疫苗接种, 核酸检测, 行程卡, and 体温
when measured), each with an icon, a state word in its colour and the reason."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QFrame, QHBoxLayout, QWidget

from shoumen_core.policy import Finding, FindingState, Source
from shoumen_gui.i18n import QT_TRANSLATE_NOOP
from shoumen_gui.ui.icons import STATE_COLOURS, state_pixmap
from shoumen_gui.ui.plain import plain_label
from shoumen_gui.ui.texts import finding_words

ROWS: tuple[tuple[Source, str, str], ...] = (
    (Source.HEALTH_CODE, "rowHealthCode", QT_TRANSLATE_NOOP("shoumen", "健康码")),
    (Source.VACCINATION, "rowVaccination", QT_TRANSLATE_NOOP("shoumen", "疫苗接种")),
    (Source.NAT, "rowNat", QT_TRANSLATE_NOOP("shoumen", "核酸检测")),
    (Source.TRAVEL, "rowTravel", QT_TRANSLATE_NOOP("shoumen", "行程卡")),
    (
        Source.TEMPERATURE,
        "rowTemperature",
        QT_TRANSLATE_NOOP("shoumen", "体温"),
    ),  # only shown when a temperature was measured
)

STATE_WORDS: dict[FindingState, str] = {
    FindingState.OK: QT_TRANSLATE_NOOP("shoumen", "正常"),
    FindingState.REVIEW: QT_TRANSLATE_NOOP("shoumen", "需核验"),
    FindingState.FAIL: QT_TRANSLATE_NOOP("shoumen", "异常"),
    FindingState.UNKNOWN: QT_TRANSLATE_NOOP("shoumen", "未知"),
}


def _tr(text: str) -> str:
    return QCoreApplication.translate("ResultPanel", text)


class FindingRow(QFrame):
    def __init__(self, object_name: str, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(object_name)
        self.setAccessibleName(title)
        self.setProperty("role", "findingRow")
        self.icon = plain_label()
        self.icon.setObjectName(f"{object_name}Icon")
        self.title = plain_label(title)
        self.title.setProperty("role", "rowTitle")
        self.state = plain_label()
        self.state.setObjectName(f"{object_name}State")
        self.state.setAccessibleName(_tr("{0}状态").format(title))
        self.reason = plain_label()
        self.reason.setObjectName(f"{object_name}Reason")
        self.reason.setAccessibleName(_tr("{0}说明").format(title))
        self.reason.setWordWrap(True)
        layout = QHBoxLayout(self)
        layout.addWidget(self.icon)
        layout.addWidget(self.title)
        layout.addWidget(self.state)
        layout.addWidget(self.reason, 1)

    def show_finding(self, finding: Finding | None) -> None:
        if finding is None:
            self.icon.clear()
            self.state.setText(_tr("无数据"))
            self.state.setStyleSheet("")
            self.reason.setText("—")
            return
        self.icon.setPixmap(state_pixmap(finding.state, 28))
        self.state.setText(_tr(STATE_WORDS[finding.state]))
        self.state.setStyleSheet(f"color: {STATE_COLOURS[finding.state]}; font-weight: bold;")
        self.reason.setText(finding_words(finding))

    def forget(self) -> None:
        self.icon.clear()
        self.state.clear()
        self.reason.clear()
