"""The main window: a stack of pages — starting, login, venue, checkpoint, workbench, and the
owner's and supervisor's pages (注册场所, 场所管理, 区域监管).

The flow itself (backend, session, choosing the post) lives in ui/flow.py; this file only
holds the pages and switches between them. The owner's and supervisor's pages are built on
first use, not at start (issue 18 §3: with the style sheet, building them and adding them to the
stack took ~0.3 s of a 1.5 s start).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Generic, TypeVar

from PySide6.QtCore import QRect, QSize, Qt, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QMainWindow, QMessageBox, QPushButton, QStackedWidget, QVBoxLayout, QWidget

from shoumen_gui.tasks import TaskManager
from shoumen_gui.ui.login import LoginPage
from shoumen_gui.ui.pickers import CheckpointPicker, VenuePicker
from shoumen_gui.ui.plain import plain_label
from shoumen_gui.ui.sounds import SoundPlayer
from shoumen_gui.ui.workbench import Workbench

if TYPE_CHECKING:
    from shoumen_gui.ui.supervisor.region_view import RegionView
    from shoumen_gui.ui.venue.admin_page import VenueAdminPage
    from shoumen_gui.ui.venue.register import RegisterPage

log = logging.getLogger("shoumen.gui.window")

PageT = TypeVar("PageT", bound=QWidget)

WINDOW_SIZE = QSize(1180, 760)
# Issue 16 §10: on a 1280×800 tablet or a 1366×768 laptop a 1180×764 window wastes the edges
# and its title bar: screens up to this wide open maximised.
MAXIMISE_UP_TO_WIDTH = 1366


class StartupPage(QWidget):
    retry_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("startupPage")
        self.setAccessibleName(self.tr("正在启动"))
        self.message = plain_label(self.tr("正在启动…"))
        self.message.setObjectName("startupMessage")
        self.message.setAccessibleName(self.tr("启动状态"))
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setWordWrap(True)
        self.message.setProperty("role", "title")
        self.retry = QPushButton(self.tr("重试"))
        self.retry.setObjectName("startupRetry")
        self.retry.setAccessibleName(self.tr("重试"))
        self.retry.clicked.connect(self.retry_requested)
        self.retry.hide()
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(self.message)
        layout.addWidget(self.retry, 0, Qt.AlignmentFlag.AlignCenter)
        layout.addStretch(1)

    def show_progress(self, message: str) -> None:
        self.message.setText(message)
        self.retry.hide()

    def show_problem(self, message: str) -> None:
        self.message.setText(message)
        self.retry.show()


class LazyPage(Generic[PageT]):
    """A page of the window's stack built the first time it is asked for (`page`), then kept.

    `built` asks without building (None until then); `when_built` runs its callback on the page
    at once when it is built, else right after it is built and added to the stack."""

    def __init__(self, stack: QStackedWidget, build: Callable[[], PageT]) -> None:
        self._stack = stack
        self._build = build
        self._page: PageT | None = None
        self._waiting: list[Callable[[PageT], None]] = []

    @property
    def page(self) -> PageT:
        if self._page is not None:
            return self._page
        page = self._build()
        self._stack.addWidget(page)
        self._page = page
        log.info("page built: %s", page.objectName())
        waiting, self._waiting = self._waiting, []
        for callback in waiting:
            callback(page)
        return page

    @property
    def built(self) -> PageT | None:
        return self._page

    def when_built(self, callback: Callable[[PageT], None]) -> None:
        if self._page is None:
            self._waiting.append(callback)
        else:
            callback(self._page)


@dataclass(frozen=True)
class LazyPages:
    """The pages no station shows at start: an owner's, a new owner's and a supervisor's."""

    register_page: LazyPage[RegisterPage]
    venue_admin: LazyPage[VenueAdminPage]
    region_view: LazyPage[RegionView]


class MainWindow(QMainWindow):
    """The stack of pages. `register_page`, `venue_admin` and `region_view` are built, with
    their modules imported, on first access; code that wires them without building them uses
    `lazy` (e.g. `window.lazy.venue_admin.when_built(connect)`), and code that only asks
    whether one is shown compares with `window.lazy.venue_admin.built` (None until built).
    A page built late still speaks the app's language: its texts come from tr() as it is built,
    and the translator, installed at start, changes only with a restart (settings_dialog)."""

    closing = Signal()
    close_refused = Signal()  # a person tried to close the window of a locked kiosk

    def __init__(
        self,
        tasks: TaskManager,
        *,
        sounds: SoundPlayer | None = None,
        device_name: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("mainWindow")
        self.setWindowTitle(self.tr("守小门 · 场所核验"))
        self.setAccessibleName(self.tr("守小门"))
        self.tasks = tasks
        self._close_locked = False  # kiosk mode: Alt+F4 and the close button do nothing
        self._shutting_down = False
        self._draft_dropped = False  # the guard chose 放弃并关闭 for a half-filled 核查登记
        self.draft_prompt: QMessageBox | None = None

        self.pages = QStackedWidget()
        self.pages.setObjectName("pages")
        self.startup = StartupPage()
        self.login = LoginPage(tasks, device_name=device_name)
        self.venue_picker = VenuePicker()
        self.checkpoint_picker = CheckpointPicker()
        self.workbench = Workbench(tasks, sounds=sounds)
        for page in (self.startup, self.login, self.venue_picker, self.checkpoint_picker, self.workbench):
            self.pages.addWidget(page)
        self.lazy = LazyPages(
            register_page=LazyPage(self.pages, self._build_register_page),
            venue_admin=LazyPage(self.pages, self._build_venue_admin),
            region_view=LazyPage(self.pages, self._build_region_view),
        )
        self.setCentralWidget(self.pages)
        self.resize(WINDOW_SIZE)

    # Imported here: ~0.1 s of modules (the region view's charts, printing, venue posters) that
    # a guard's station never loads.
    def _build_register_page(self) -> RegisterPage:
        from shoumen_gui.ui.venue.register import RegisterPage

        return RegisterPage(self.tasks)

    def _build_venue_admin(self) -> VenueAdminPage:
        from shoumen_gui.ui.venue.admin_page import VenueAdminPage

        return VenueAdminPage(self.tasks)

    def _build_region_view(self) -> RegionView:
        from shoumen_gui.ui.supervisor.region_view import RegionView

        return RegionView(self.tasks)

    @property
    def register_page(self) -> RegisterPage:
        return self.lazy.register_page.page

    @property
    def venue_admin(self) -> VenueAdminPage:
        return self.lazy.venue_admin.page

    @property
    def region_view(self) -> RegionView:
        return self.lazy.region_view.page

    def show_on_screen(self, available: QRect | None = None) -> None:
        """Show the window as fits the screen it opens on (`available`: its free area)."""
        if available is None:
            screen = self.screen()
            available = screen.availableGeometry() if screen is not None else QRect()
        if available.isValid() and available.width() <= MAXIMISE_UP_TO_WIDTH:
            self.showMaximized()
        else:
            self.show()

    def show_page(self, page: QWidget) -> None:
        self.pages.setCurrentWidget(page)
        log.info("page: %s", page.objectName())

    @property
    def current_page(self) -> QWidget:
        page = self.pages.currentWidget()
        assert page is not None  # the stack always holds the pages
        return page

    def set_close_locked(self, locked: bool) -> None:
        """Kiosk mode (ui/kiosk.py): refuse every close a person asks for."""
        self._close_locked = locked

    @property
    def close_locked(self) -> bool:
        return self._close_locked

    def close_for_shutdown(self) -> bool:
        """The program itself closes the window (--self-check-exit, a fatal error): always
        allowed, also in kiosk mode."""
        self._shutting_down = True
        return self.close()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._close_locked and not self._shutting_down:
            log.info("close refused: kiosk mode")
            event.ignore()
            self.close_refused.emit()
            return
        if (
            not self._shutting_down
            and not self._draft_dropped
            and self.workbench.anomaly_form.has_unsaved_draft
        ):
            event.ignore()  # nothing typed is lost without asking (issue 16 §9)
            self._ask_about_draft()
            return
        self.closing.emit()
        super().closeEvent(event)

    def _ask_about_draft(self) -> None:
        if self.draft_prompt is not None:
            self.draft_prompt.raise_()
            return
        box = QMessageBox(QMessageBox.Icon.Warning, self.tr("核查登记尚未保存"), "", parent=self)
        box.setObjectName("unsavedDraftPrompt")
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setText(self.tr("核查登记填写到一半，尚未保存。关闭程序将丢失已填写的内容。"))
        keep = box.addButton(self.tr("返回登记"), QMessageBox.ButtonRole.RejectRole)
        keep.setObjectName("draftKeep")
        drop = box.addButton(self.tr("放弃并关闭"), QMessageBox.ButtonRole.DestructiveRole)
        drop.setObjectName("draftDiscard")
        box.setDefaultButton(keep)
        box.setEscapeButton(keep)

        def answered() -> None:
            self.draft_prompt = None
            box.deleteLater()
            if box.clickedButton() is drop:
                self._draft_dropped = True
                self.close()
            else:
                self.workbench.tabs.setCurrentWidget(self.workbench.anomaly_form)

        box.finished.connect(answered)
        self.draft_prompt = box
        box.open()
