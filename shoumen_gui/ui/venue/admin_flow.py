"""The owner's and the supervisor's ways through the app, beside the guard's (ui/flow.py):

- login page 注册场所 -> registration wizard -> the new venue's workbench (as 初始管理员);
- workbench 场所管理 (owners) -> the venue admin tabs -> back to the workbench, which pulls
  at once when checkpoints or the policy changed;
- a supervisor's login -> the region view instead of the pickers and the workbench.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Slot

from shoumen_core.schemas import LoginResponse, MeResponse, Role, VenueOut
from shoumen_gui.services.admin import AdminService
from shoumen_gui.services.errors import ServiceError

if TYPE_CHECKING:
    from shoumen_gui.ui.flow import SessionFlow
    from shoumen_gui.ui.supervisor.region_view import RegionView
    from shoumen_gui.ui.venue.admin_page import VenueAdminPage
    from shoumen_gui.ui.venue.register import RegisterPage

log = logging.getLogger("shoumen.gui.admin_flow")


class AdminFlow(QObject):
    def __init__(self, flow: SessionFlow) -> None:
        super().__init__(flow)
        self.flow = flow
        window = flow.window
        self.window = window
        window.login.register_requested.connect(self.show_registration)
        window.workbench.admin_requested.connect(self.show_venue_admin)
        # The three pages are built on first use (MainWindow.lazy): wired then, not built here.
        window.lazy.register_page.when_built(self._wire_register_page)
        window.lazy.venue_admin.when_built(self._wire_venue_admin)
        window.lazy.region_view.when_built(self._wire_region_view)
        flow.ready.connect(self._on_ready)

    def _wire_register_page(self, page: RegisterPage) -> None:
        page.cancelled.connect(self._back_to_login)
        page.registered.connect(self._on_registered)

    def _wire_venue_admin(self, page: VenueAdminPage) -> None:
        page.back_requested.connect(self.back_to_workbench)
        page.config_changed.connect(self._pull_now)

    def _wire_region_view(self, page: RegionView) -> None:
        page.logout_requested.connect(self._supervisor_logout)

    def _admin(self) -> AdminService:
        api = self.flow.api
        if api is None:
            raise RuntimeError("no backend yet")
        return AdminService(api, connectivity=self.flow.connectivity)

    # --- registration -----------------------------------------------------------------------

    @Slot()
    def show_registration(self) -> None:
        api = self.flow.api
        if api is None:
            return
        self.window.register_page.start(api, self.flow.settings.device_name)
        self.window.show_page(self.window.register_page)

    @Slot()
    def _back_to_login(self) -> None:
        self.window.login.reset()
        self.window.show_page(self.window.login)

    def _on_registered(self, response: LoginResponse, venue: VenueOut) -> None:
        """Log in as usual, then open the new venue (not the picker of all the owner's venues)."""
        self.flow.demo_login = None
        self.flow._on_logged_in(response, then=lambda me: self._open_venue(me, venue.id))

    def _open_venue(self, me: MeResponse, venue_id: int) -> None:
        membership = next((v for v in me.venues if v.venue_id == venue_id), None)
        if membership is None:
            self.flow._choose_post(me)
            return
        self.flow.me = me
        self.flow.refresh_timer.start()
        self.flow._on_venue_chosen(membership)

    # --- the owner's venue admin ----------------------------------------------------------------

    @Slot(str)
    def _on_ready(self, page: str) -> None:
        if page != "workbench":
            return
        station = self.flow.station
        owner = station is not None and station.post.venue.role is Role.OWNER
        self.window.workbench.admin_button.setVisible(owner)

    @Slot()
    def show_venue_admin(self) -> None:
        station = self.flow.station
        if station is None or station.post.venue.role is not Role.OWNER:
            return
        self.window.venue_admin.open(self._admin(), station.post.venue_id, station.post.checkpoint_id)
        self.window.show_page(self.window.venue_admin)

    @Slot()
    def back_to_workbench(self) -> None:
        """Back to checking; the pickers learn of new or renamed checkpoints (a fresh /me)."""
        self.window.show_page(self.window.workbench)
        self.window.workbench.id_pad.input.setFocus()
        api, cache = self.flow.api, self.flow.cache
        if api is None or cache is None:
            return
        self.flow.fetch_me(self._on_fresh_me, self._ignore_offline)

    def _on_fresh_me(self, me: MeResponse) -> None:
        if self.flow.me is not None and self.flow.me.user.id == me.user.id:
            self.flow.me = me

    @Slot()
    def _pull_now(self) -> None:
        """This station takes the new policy or checkpoints at once; others at their next pull."""
        station = self.flow.station
        if station is not None:
            station.sync_now()

    # --- the supervisor's region view -------------------------------------------------------

    def open_region_if_supervisor(self, me: MeResponse) -> bool:
        """A supervisor watches a region rather than checking at a gate: the region view."""
        if not me.user.is_supervisor:
            return False
        self.flow.me = me
        self.flow.refresh_timer.start()
        self.window.region_view.open(self._admin(), me.user)
        self.window.show_page(self.window.region_view)
        log.info("region view opened")
        self.flow.ready.emit("region")
        return True

    @Slot()
    def _supervisor_logout(self) -> None:
        view = self.window.lazy.region_view.built
        if view is not None:  # not built just to be cleared
            view.clear()
        self.flow.logout()

    @staticmethod
    def _ignore_offline(error: Exception) -> None:
        if not isinstance(error, ServiceError):
            raise error
