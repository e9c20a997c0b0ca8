"""The session flow: backend -> session -> venue -> checkpoint -> workbench.

Every step that touches the network, the keyring or the disk runs through tasks.py; this
object only reacts to the answers and switches pages. It also keeps the session alive: the
token is refreshed when less than an hour is left.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import Any

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QMessageBox

from shoumen_core.schemas import CheckpointOut, LoginResponse, MembershipOut, MeResponse, StaffState
from shoumen_core.timeutil import utcnow
from shoumen_gui.embedded import demo_accounts
from shoumen_gui.ops import session as session_ops
from shoumen_gui.paths import AppPaths
from shoumen_gui.services.api import ApiClient
from shoumen_gui.services.cache import LocalCache
from shoumen_gui.services.connectivity import Connectivity
from shoumen_gui.services.credentials import CredentialStore, GateSecretStore
from shoumen_gui.services.errors import ServiceError, SessionExpired
from shoumen_gui.services.gate import stored_gate_config
from shoumen_gui.services.salvage import Opened, SalvageReport
from shoumen_gui.services.server_identity import Adopted, CacheChoice
from shoumen_gui.services.server_url import check_server_url
from shoumen_gui.services.session import REFRESH_BEFORE, BackendChoice, Resumed, login_with_demo_code
from shoumen_gui.services.storage import MIB
from shoumen_gui.settings import Settings, SettingsStore, gate_key
from shoumen_gui.station import Post, Station
from shoumen_gui.tasks import TaskManager
from shoumen_gui.ui.device_flow import DeviceFlow
from shoumen_gui.ui.kiosk_settings import KioskSettingsPage
from shoumen_gui.ui.main_window import MainWindow
from shoumen_gui.ui.settings_dialog import SettingsDialog
from shoumen_gui.ui.texts import error_words, joined, salvage_words
from shoumen_gui.ui.venue.admin_flow import AdminFlow

__all__ = ["BackendChoice", "SessionFlow", "login_with_demo_code"]

log = logging.getLogger("shoumen.gui.flow")

REFRESH_CHECK_MS = 5 * 60 * 1000


class SessionFlow(QObject):
    ready = Signal(str)  # "login", "workbench" or "region" (a supervisor): the app can be used
    startup_failed = Signal(str)
    salvaged = Signal(str)  # a damaged cache was salvaged: what the guard was told

    def __init__(
        self,
        window: MainWindow,
        tasks: TaskManager,
        paths: AppPaths,
        store: SettingsStore,
        settings: Settings,
        backend: BackendChoice,
        *,
        demo_login: str | None = None,
        sync_options: dict[str, Any] | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.window, self.tasks, self.paths = window, tasks, paths
        self.store, self.settings, self.backend = store, settings, backend
        self.demo_login = demo_login
        self.sync_options = sync_options
        self.api: ApiClient | None = None
        self.cache: LocalCache | None = None
        self.connectivity = Connectivity()
        self.credentials = CredentialStore(account=backend.key)
        self.gate_secrets = GateSecretStore(scope=backend.key)  # gate secrets per backend and post
        self.station: Station | None = None
        self.me: MeResponse | None = None
        self.demo_mode = False
        self.expires_at: datetime | None = None
        self._refreshing = False
        # Counts logins, logouts and expiries: the answer of a refresh sent in an ended session
        # is not stored.
        self._session = 0
        self.refresh_timer = QTimer(self)
        self.refresh_timer.setInterval(REFRESH_CHECK_MS)
        self.refresh_timer.timeout.connect(self.refresh_if_due)
        # Back online after an outage (a backend restart, a network gap): refresh at once if the
        # token is due, rather than at the next timer tick, which might come after it expired.
        self.connectivity.add_listener(
            lambda online: tasks.call_in_gui(self._refresh_when_back) if online else None
        )

        window.startup.retry_requested.connect(self.start)
        window.login.logged_in.connect(self._on_logged_in)
        window.venue_picker.chosen.connect(self._on_venue_chosen)
        window.venue_picker.back_requested.connect(self.logout)
        window.checkpoint_picker.chosen.connect(self._on_checkpoint_chosen)
        window.checkpoint_picker.back_requested.connect(self._show_venues)
        window.workbench.logout_requested.connect(self.logout)
        window.workbench.switch_requested.connect(self.switch_post)
        self.settings_dialog: SettingsDialog | None = None
        self.server_change_dialog: QMessageBox | None = None  # asking before using a different server
        self.server_notice: QMessageBox | None = None  # told: same server under a new URL, rows moved
        self.salvage_notice: QMessageBox | None = None
        self.backend_notice: QMessageBox | None = None  # the embedded backend failed under an open post
        # The embedded backend's start (issue 18 §3): whether it serves, and what waits for it.
        self._backend_up = self._resume_when_up = self._verify_when_up = False
        window.workbench.settings_requested.connect(self.open_settings)
        self.admin = AdminFlow(self)  # registration, venue admin, the supervisor's region view
        self.devices = DeviceFlow(self)  # 设备绑定: a station on its own credential

    # --- start-up ------------------------------------------------------------------------------

    def start(self) -> None:
        self.window.show_page(self.window.startup)
        session_ops.choose_keyring().run(self.tasks)  # first on its lane: ready for the kept session
        embedded = self.backend.embedded
        if embedded is not None:
            self.window.startup.show_progress(self.tr("正在启动本机演示服务…"))
            self._backend_up = self._resume_when_up = self._verify_when_up = False
            early = embedded.listen()
            session_ops.start_embedded(embedded).success(self._on_embedded_up).failure(
                self._on_backend_failed
            ).run(self.tasks)
            # Its socket listens already: open the cache now, and a kept session's post before
            # the backend serves (its requests wait for it; issue 18 §3).
            if early is not None:
                self._on_backend_up(early)
        else:
            assert self.backend.server_url is not None
            try:
                url = check_server_url(self.backend.server_url)
            except ServiceError as error:  # plain http to another machine: refused before any request
                log.error("server URL refused: %s", error.code)
                # From the event loop, like every other start-up failure: a listener may quit the
                # app, which needs the loop running.
                QTimer.singleShot(0, lambda refused=error: self._on_startup_error(refused))
                return
            self._on_backend_up(url)

    def _on_embedded_up(self, url: str) -> None:
        """The embedded backend serves: its demo accounts for the login page, then whatever
        start-up left for this moment (its URL, the resume, the kept session's check)."""
        self._backend_up = True
        self.window.login.set_demo_accounts(demo_accounts())
        if self.api is None or self.api.base_url != url:
            self._on_backend_up(url)
        elif self._resume_when_up:
            self._resume_when_up = False
            self.window.startup.show_progress(self.tr("正在恢复登录…"))
            self._resume_person()
        elif self._verify_when_up:
            self._verify_kept_session()

    @property
    def _backend_starting(self) -> bool:
        return self.backend.embedded is not None and not self._backend_up

    def _on_backend_up(self, url: str) -> None:
        if self.api is None or self.api.base_url != url:
            self.api = ApiClient(url, verify=self.backend.verify)
        self.window.login.set_api(self.api)
        if not self._backend_starting:  # else it still says the backend is starting
            self.window.startup.show_progress(self.tr("正在恢复登录…"))
        if self.cache is not None:
            self._on_cache_open(self.cache)
        elif self.backend.embedded is None:  # a remote server: its cache follows its identity
            session_ops.server_identity(self.api).success(self._on_server_known).failure(
                self._on_startup_error
            ).run(self.tasks)
        else:
            path = self.paths.cache_db(self.backend.key)
            session_ops.open_cache(path, self.backend.server_url, self._salvage_progress()).success(
                self._on_cache_salvaged
            ).failure(self._on_startup_error).run(self.tasks)

    def _salvage_progress(self) -> Callable[[], None]:
        """For the cache lane: say on the start page that a damaged cache is being recovered."""
        startup, salvaging = self.window.startup, self.tr("本机数据文件已损坏，正在恢复未上传的记录…")

        def on_salvage() -> None:
            self.tasks.call_in_gui(lambda: startup.show_progress(salvaging))

        return on_salvage

    # --- which cache: the server's identity (issue 14 §4) ----------------------------------------

    def _on_server_known(self, server_id: str) -> None:
        data_dir, url = self.paths.data_dir, self.backend.server_url or ""
        fallback = self.paths.cache_db(self.backend.key).name
        session_ops.choose_cache(data_dir, url, server_id, fallback).success(self._on_cache_chosen).failure(
            self._on_startup_error
        ).run(self.tasks)

    def _on_cache_chosen(self, choice: CacheChoice) -> None:
        other = choice.other_server
        if other is None:
            self._adopt_cache(choice)
            return
        box = QMessageBox(self.window)
        box.setObjectName("serverChangeDialog")
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle(self.tr("切换服务器"))
        box.setText(
            self.tr(
                "本机还有 {0} 条记录未上传到上次使用的服务器（{1}）。现在的地址 {2} 是另一台服务器。\n"
                "切换后这些记录仍保留在本机，不会删除，重新使用原服务器时会继续上传。是否切换？"
            ).format(other.unsynced, joined(other.urls, "、") or self.tr("原地址"), choice.url)
        )
        switch = box.addButton(self.tr("切换到新服务器"), QMessageBox.ButtonRole.AcceptRole)
        switch.setObjectName("serverChangeSwitch")
        stay = box.addButton(self.tr("暂不切换"), QMessageBox.ButtonRole.RejectRole)
        stay.setObjectName("serverChangeStay")
        box.setDefaultButton(stay)
        box.finished.connect(
            lambda _code: self._on_server_change_answered(choice, box.clickedButton() is switch)
        )
        self.server_change_dialog = box
        box.open()

    def _on_server_change_answered(self, choice: CacheChoice, switch: bool) -> None:
        self.server_change_dialog = None
        other = choice.other_server
        if switch or other is None:
            log.info("switched to another server; the last one's unsynced rows stay in its cache")
            self._adopt_cache(choice)
            return
        message = self.tr(
            "未切换服务器：上次使用的服务器（{0}）还有 {1} 条记录未上传。"
            "请把服务器地址改回原地址后重新启动，或点击重试后选择切换。"
        ).format(joined(other.urls, "、") or self.tr("原地址"), other.unsynced)
        self.window.startup.show_problem(message)
        self.startup_failed.emit(message)

    def _adopt_cache(self, choice: CacheChoice) -> None:
        data_dir, url = self.paths.data_dir, self.backend.server_url
        session_ops.adopt_cache(data_dir, choice, url, self._salvage_progress()).success(
            self._on_cache_adopted
        ).failure(self._on_startup_error).run(self.tasks)

    def _on_cache_adopted(self, result: tuple[Adopted, SalvageReport | None]) -> None:
        adopted, salvaged = result
        if salvaged is not None:
            self._show_salvage_notice(salvage_words(salvaged))
        notes: list[str] = []
        if adopted.earlier_urls:
            notes.append(
                self.tr(
                    "服务器地址已改为 {0}，与之前的 {1} 是同一台服务器：本机数据和待同步记录继续使用。"
                ).format(self.backend.server_url, joined(adopted.earlier_urls, "、"))
            )
        if adopted.moved:
            notes.append(
                self.tr("另有 {0} 条未上传的记录来自同一服务器的旧数据文件，已并入并将上传。").format(
                    adopted.moved
                )
            )
        if notes:
            box = QMessageBox(
                QMessageBox.Icon.Information, self.tr("服务器地址"), "\n".join(notes), parent=self.window
            )
            box.setObjectName("serverNotice")
            self.server_notice = box
            box.open()
        self._on_cache_open(adopted.cache)

    def _on_backend_failed(self, error: Exception) -> None:
        log.error("embedded backend failed to start: %s", error)
        message = self.tr("本机演示服务无法启动：{0}").format(error)
        if self.station is not None:  # a kept session's post is open: checks go on offline
            self._verify_when_up = False
            self.connectivity.mark_offline()
            box = QMessageBox(QMessageBox.Icon.Warning, self.tr("本机演示服务"), message, parent=self.window)
            box.setObjectName("backendFailedNotice")
            box.setTextFormat(Qt.TextFormat.PlainText)
            box.open()
            self.backend_notice = box
            return
        self.window.startup.show_problem(message)
        self.startup_failed.emit(message)

    def _on_cache_salvaged(self, opened: Opened) -> None:
        if opened.salvaged is not None:
            self._show_salvage_notice(salvage_words(opened.salvaged))
        self._on_cache_open(opened.cache)

    def _show_salvage_notice(self, text: str) -> None:
        """Not modal: start-up goes on; the guard reads it and closes it."""
        box = QMessageBox(QMessageBox.Icon.Warning, self.tr("本机数据文件已修复"), "", parent=self.window)
        box.setObjectName("salvageNotice")
        box.setTextFormat(Qt.TextFormat.PlainText)  # the path may hold anything
        box.setText(text + self.tr("\n损坏的文件已保留，请交给技术支持。恢复的记录将在联网后自动上传。"))
        box.setStandardButtons(QMessageBox.StandardButton.Ok)
        box.open()
        self.salvage_notice = box
        self.salvaged.emit(text)

    def _on_cache_open(self, cache: LocalCache) -> None:
        self.cache = cache
        # An enrolled station resumes on its device credential; otherwise a person's session
        # (on the keyring lane: resuming may clear a dead token, in order with any later save).
        self.devices.resume(self._resume_person)

    def _resume_person(self) -> None:
        """A person's kept session: checked with the server; while the embedded backend is still
        starting, opened from the keyring and the cache, and checked once it serves."""
        api, cache = self._require_api(), self._require_cache()
        if self._backend_starting:
            session_ops.resume_kept(api, cache, self.credentials).success(self._on_kept_session).failure(
                self._on_startup_error
            ).run(self.tasks)
            return
        session_ops.resume(api, cache, self.credentials).success(self._on_resumed).failure(
            self._on_startup_error
        ).run(self.tasks)

    def _on_kept_session(self, resumed: Resumed | None) -> None:
        if resumed is None or (resumed.me is None and self.demo_login):
            # The backend decides (a token without its /me), or --demo-login logs in once it
            # serves (its answers, not the kernel's backlog, pace that).
            if self._backend_starting:
                self._resume_when_up = True
            else:
                self._resume_person()
            return
        if resumed.me is None:  # nobody logged in here (a first start, or after 退出登录)
            self._show_login()  # at once: requesting a code waits for the backend if need be
            return
        log.info("session resumed from the keyring while the embedded backend starts")
        self._verify_when_up = True
        self._on_resumed(resumed)
        if not self._backend_starting:
            self._verify_kept_session()

    def _verify_kept_session(self) -> None:
        """The session opened from the keyring, asked of the backend now that it serves: an
        expired or revoked one ends as any expiry does; a live one refreshes /me and the token."""
        self._verify_when_up = False
        session = self._session
        session_ops.resume(self._require_api(), self._require_cache(), self.credentials).success(
            lambda resumed: self._on_kept_session_checked(resumed, session)
        ).failure(lambda error: log.warning("kept session not checked: %s", type(error).__name__)).run(
            self.tasks
        )

    def _on_kept_session_checked(self, resumed: Resumed, session: int) -> None:
        if session != self._session:  # logged out or in again meanwhile
            return
        if resumed.info is not None:
            self.demo_mode = resumed.info.demo_mode
            self._set_demo_badge()
        if resumed.me is None and not resumed.offline:
            log.info("the kept session has expired")
            self._on_session_expired()
            return
        if resumed.me is not None and self.me is not None and resumed.me.user.id == self.me.user.id:
            self.me = resumed.me
        self.expires_at = resumed.expires_at

    def _on_startup_error(self, error: Exception) -> None:
        if not isinstance(error, ServiceError):
            raise error
        log.error("start-up stopped: %s", error.message)  # also on stderr, for a technician
        self.window.startup.show_problem(error_words(error))
        self.startup_failed.emit(error.message)

    def _on_resumed(self, resumed: Resumed) -> None:
        if resumed.info is not None:
            self.demo_mode = resumed.info.demo_mode
        self._set_demo_badge()
        if resumed.offline:
            self.connectivity.mark_offline()
        self.expires_at = resumed.expires_at
        if resumed.me is not None:
            log.info("session resumed%s", " offline" if resumed.offline else "")
            self._choose_post(resumed.me, resume=True)
        elif self.demo_login and self.demo_mode:
            self._log_in_for_demo(self.demo_login)
        else:
            self._show_login(self.tr("无法连接服务器，请检查网络后再登录") if resumed.offline else "")

    def _set_demo_badge(self) -> None:
        badge = ""
        if self.backend.embedded is not None:
            badge = self.tr("本机演示")
        elif self.demo_mode:
            badge = self.tr("演示服务器")
        self.window.workbench.demo_badge.setText(badge)
        self.window.workbench.demo_badge.setVisible(bool(badge))

    # --- login ---------------------------------------------------------------------------------

    def _show_login(self, message: str = "") -> None:
        self.window.login.reset(message)
        self.window.show_page(self.window.login)
        self.ready.emit("login")

    def _log_in_for_demo(self, phone: str) -> None:
        """--demo-login: what a person does on the login page, done at once (demo servers only)."""
        api, device = self._require_api(), self.settings.device_name
        session_ops.demo_login(api, phone, device).success(self._on_logged_in).failure(
            lambda error: self._show_login(getattr(error, "message", ""))
        ).run(self.tasks)

    def _on_logged_in(
        self, response: LoginResponse, then: Callable[[MeResponse], None] | None = None
    ) -> None:
        api, cache = self._require_api(), self._require_cache()
        api.token = response.token
        self.expires_at = response.expires_at
        self._session += 1
        self.connectivity.mark_online()

        # The keyring lane is ordered: a clear queued by an expired session (or a logout)
        # before this login can never land after its save and delete the new token.
        session_ops.keep(response, cache, self.credentials).failure(self._on_session_error).run(self.tasks)
        self.fetch_me(then or self._choose_post, self._on_session_error)

    def fetch_me(self, then: Callable[[MeResponse], None], failed: Callable[[Exception], None]) -> None:
        """A fresh /me, kept in the cache and handed to `then` — unless the session it was asked
        for ended (logout, expiry, another login) before it came back."""
        api, cache, session = self._require_api(), self._require_cache(), self._session

        def got(me: MeResponse) -> None:
            if session != self._session:
                log.info("/me answered after its session ended; dropped")
                return
            session_ops.keep_me(cache, me).failure(failed).run(self.tasks)
            then(me)

        session_ops.fetch_me(api).success(got).failure(failed).run(self.tasks)

    def _on_session_error(self, error: Exception) -> None:
        if not isinstance(error, ServiceError):
            raise error
        self._show_login(error_words(error))

    # --- choosing the post ----------------------------------------------------------------

    def _choose_post(self, me: MeResponse, *, resume: bool = False) -> None:
        """After login: the pickers. After a restart: straight back to the last post, if it
        is still there (a station stands at one gate); 切换检查点 leads to the pickers.
        A supervisor gets the region view instead."""
        if self.admin.open_region_if_supervisor(me):
            return
        self.me = me
        self.refresh_timer.start()
        usable = [v for v in me.venues if v.state is StaffState.AUTHORISED]
        preferred = [v for v in usable if v.venue_id == self.settings.venue_id]
        if resume and preferred:
            venue = preferred[0]
            last = [c for c in venue.checkpoints if c.active and c.id == self.settings.checkpoint_id]
            if last or not any(c.active for c in venue.checkpoints):
                self._venue = venue
                self._open_station(venue, last[0] if last else None)
                return
        if len(usable) == 1 and len(me.venues) == 1:
            self._on_venue_chosen(usable[0])
        elif self.demo_login and usable:
            self._on_venue_chosen((preferred or usable)[0])
        else:
            self._show_venues()

    def _show_venues(self) -> None:
        assert self.me is not None
        self.window.venue_picker.set_venues(self.me.venues, self.settings.venue_id)
        self.window.show_page(self.window.venue_picker)

    def _on_venue_chosen(self, venue: MembershipOut) -> None:
        self._venue = venue
        active = [c for c in venue.checkpoints if c.active]
        if len(active) <= 1:
            self._open_station(venue, active[0] if active else None)
        elif self.demo_login:
            preferred = [c for c in active if c.id == self.settings.checkpoint_id]
            self._open_station(venue, (preferred or active)[0])
        else:
            assert self.me is not None
            several_venues = len(self.me.venues) > 1
            self.window.checkpoint_picker.set_checkpoints(
                venue.venue_name, active, self.settings.checkpoint_id, can_go_back=several_venues
            )
            self.window.show_page(self.window.checkpoint_picker)

    def _on_checkpoint_chosen(self, checkpoint: CheckpointOut) -> None:
        self._open_station(self._venue, checkpoint)

    def _open_station(self, venue: MembershipOut, checkpoint: CheckpointOut | None) -> None:
        assert self.me is not None
        settings = replace(
            self.settings,
            venue_id=venue.venue_id,
            checkpoint_id=None if checkpoint is None else checkpoint.id,
        )
        self.settings, store = settings, self.store
        session_ops.save_settings(store, settings).failure(_settings_not_saved).run(self.tasks)
        self._close_station()
        post = Post(user=self.me.user, venue=venue, checkpoint=checkpoint)
        # A stored gate that cannot be read never opens: stored_gate_config logs it (no values)
        # and gives a gate that answers 闸机未响应 with the reason.
        gate_config = stored_gate_config(settings.gate_json(post.venue_id, post.checkpoint_id))
        station = Station(
            self.tasks,
            self._require_api(),
            self._require_cache(),
            self.connectivity,
            post,
            sync_options=self.sync_options,
            gate_config=gate_config,
            gate_secrets=self.gate_secrets.loader(gate_key(post.venue_id, post.checkpoint_id)),
            storage_warn_bytes=settings.low_storage_warning_mb * MIB,
            parent=self,
        )
        station.ready.connect(self._on_station_ready)
        station.failed.connect(self._on_startup_error)
        station.session_expired.connect(self._on_session_expired)
        self.station = station
        self.window.startup.show_progress(self.tr("正在同步场所配置…"))
        self.window.show_page(self.window.startup)
        # While the embedded backend starts, the first pull would only wait for it: the post
        # opens from the cache and the sync engine's first round follows as soon as it serves.
        station.open(first_round=not self._backend_starting)

    def _on_station_ready(self) -> None:
        station = self.station
        if station is None:
            return
        persistent = self.devices.persistent if self.devices.active else self.credentials.persistent
        self.window.workbench.attach(station, keyring_persistent=persistent)
        self.window.workbench.set_temperature_required(self.settings.temperature_entry)
        self.window.show_page(self.window.workbench)
        log.info("workbench ready")
        self.ready.emit("workbench")

    def _close_station(self) -> None:
        station, self.station = self.station, None
        if self.settings_dialog is not None:  # its post is going away
            self.settings_dialog.reject()
        if station is not None:
            self.window.workbench.detach()
            station.close(station.deleteLater)

    # --- settings (设置) -------------------------------------------------------------------------

    def open_settings(self) -> None:
        """设置 for the current post: its gate, display and sound, and kiosk mode."""
        station = self.station
        if station is None:
            return
        if self.settings_dialog is not None:
            self.settings_dialog.raise_()
            return
        dialog = SettingsDialog(self.tasks, self.settings, station.post, self.gate_secrets, self.window)
        dialog.add_page(self.tr("自助模式"), KioskSettingsPage(self.settings, self.tasks))
        dialog.accepted.connect(lambda: self._apply_settings(dialog.result_settings(), station))
        dialog.finished.connect(self._on_settings_closed)
        self.settings_dialog = dialog
        dialog.open()

    def _on_settings_closed(self) -> None:
        dialog, self.settings_dialog = self.settings_dialog, None
        if dialog is not None:
            dialog.deleteLater()

    def _apply_settings(self, settings: Settings, station: Station) -> None:
        """Keep the new settings, save them on the serial worker, and give the running station
        its post's gate (the secrets are already in the keyring: the dialog wrote them)."""
        self.settings, store = settings, self.store
        session_ops.save_settings(store, settings).failure(_settings_not_saved).run(self.tasks)
        self.window.workbench.set_temperature_required(settings.temperature_entry)
        if station is not self.station:
            return  # the post changed meanwhile; a new station reads its gate when it opens
        post = station.post
        config = stored_gate_config(settings.gate_json(post.venue_id, post.checkpoint_id))
        station.set_gate(config, self.gate_secrets.loader(gate_key(post.venue_id, post.checkpoint_id)))
        log.info("settings saved; gate of this post: %s", config.kind.value)

    # --- leaving ----------------------------------------------------------------------------

    def switch_post(self) -> None:
        self._close_station()
        if self.me is None:
            return
        if len(self.me.venues) > 1:
            self._show_venues()
        else:
            self.demo_login = None  # a person asked to choose: show the picker
            self._on_venue_chosen(self.me.venues[0])

    def logout(self) -> None:
        if self.devices.active:  # a station leaving device mode forgets its credential
            self.devices.stop()
            self._show_login()
            return
        self._close_station()
        self.refresh_timer.stop()
        self.me, self.expires_at, self.demo_login = None, None, None
        self._session += 1  # a refresh still out must not store its token again
        session_ops.forget(self.credentials, self.cache).run(self.tasks)  # before a re-login's save
        session_ops.log_out(self._require_api()).run(self.tasks)
        self._show_login()

    def _on_session_expired(self) -> None:
        if self.devices.on_session_expired():  # a device station asks why (revoked?) itself
            return
        self._close_station()
        self.demo_login = None  # --demo-login is for the start only; now a person logs in
        self._session += 1  # a refresh still out must not store its token again
        session_ops.forget(self.credentials).run(self.tasks)  # ordered before a re-login's save
        self._show_login(self.tr("登录已失效，请重新登录"))

    # --- keeping the session alive ------------------------------------------------------------

    def refresh_if_due(self, now: datetime | None = None) -> bool:
        """Refresh the token when less than an hour is left; True when a refresh was started."""
        api, expires = self.api, self.expires_at
        if api is None or api.token is None or expires is None or self._refreshing:
            return False
        if expires - (now or utcnow()) > REFRESH_BEFORE:
            return False

        # One refresh at a time: the server revokes the old token, so a second refresh sent
        # with it would be refused and end the session.
        self._refreshing = True
        session = self._session
        session_ops.refresh(api, self.connectivity).success(
            lambda response: self._on_refreshed(response, session)
        ).failure(self._on_refresh_failed).run(self.tasks)
        return True

    def _refresh_when_back(self) -> None:
        self.refresh_if_due()

    def _on_refreshed(self, response: LoginResponse, session: int) -> None:
        self._refreshing = False
        if session != self._session:  # logged out (or expired) meanwhile: keep nothing
            log.info("session refreshed after it ended; not kept")
            return
        self.expires_at = response.expires_at
        # Stored on the keyring lane, after any clear asked for before (as at login).
        session_ops.keep(response, self._require_cache(), self.credentials).failure(
            self._on_session_error
        ).run(self.tasks)
        log.info("session refreshed")

    def _on_refresh_failed(self, error: Exception) -> None:
        self._refreshing = False
        if isinstance(error, SessionExpired):
            self._on_session_expired()
        elif not isinstance(error, ServiceError):
            raise error
        # Offline: try again at the next check; the token is still valid for a while.

    def shutdown(self) -> None:
        """At exit (after the window closed): stop syncing, on this thread."""
        self.refresh_timer.stop()
        if self.station is not None:
            self.station.close_now()

    def _require_api(self) -> ApiClient:
        if self.api is None:
            raise RuntimeError("no backend yet")
        return self.api

    def _require_cache(self) -> LocalCache:
        if self.cache is None:
            raise RuntimeError("no local cache yet")
        return self.cache


def _settings_not_saved(error: Exception) -> None:
    """The settings file could not be written (a full or read-only disk): the choice holds for
    this run; the storage warning tells the guard about the disk. Anything else is a bug."""
    if not isinstance(error, OSError):
        raise error
    log.warning("settings not saved (%s)", type(error).__name__)
