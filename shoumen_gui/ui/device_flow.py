"""The station on its device credential (设备绑定, issue 18 §1), beside the person's session flow.

- 设备绑定 on the login page: the code dialog; the credential goes to the keyring on the ordered
  lane, then the station opens its post (the enrolled venue and checkpoint) with no person's
  login under it.
- At start-up a stored credential opens the post at once (offline too: the post comes with the
  credential), before any person's session is tried.
- The credential rotates itself once a day; the new one is kept before it is used.
- Revoked by the owner: the next request answers device_revoked; the station stops checking,
  forgets the credential and says so on the login page.
Staff still log in on top for manual decisions through the kiosk unlock (ui/kiosk_unlock.py).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QMessageBox

from shoumen_core.devices import DeviceCredential, DeviceSelf
from shoumen_core.schemas import CheckpointOut, MembershipOut, MeResponse, Role, StaffState, UserOut
from shoumen_core.timeutil import utcnow
from shoumen_gui.i18n import QT_TRANSLATE_NOOP
from shoumen_gui.ops import device as device_ops
from shoumen_gui.services.device import (
    DeviceCredentialStore,
    DeviceService,
    is_revoked,
    leave_device,
    report_pending,
    rotation_due,
    use_device,
)
from shoumen_gui.services.errors import ServiceError
from shoumen_gui.ui.device_enrol import DeviceEnrolDialog

if TYPE_CHECKING:
    from shoumen_gui.ui.flow import SessionFlow

log = logging.getLogger("shoumen.gui.device")

ROTATION_CHECK_MS = 60 * 60 * 1000  # hourly look whether the daily rotation is due
REVOKED_MESSAGE = QT_TRANSLATE_NOOP("shoumen", "此设备已被解除绑定，请联系场所负责人重新绑定")
MEMORY_ONLY_MESSAGE = QT_TRANSLATE_NOOP(
    "shoumen",
    "本机没有可用的系统钥匙串：设备凭据只保存在内存中，本次运行期间有效；"
    "重新启动后需要重新绑定。如需开机自动恢复，请为系统配置钥匙串服务。",
)


def device_me(credential: DeviceCredential) -> tuple[MeResponse, MembershipOut, CheckpointOut]:
    """The post an enrolled station stands at, in the shape the session flow opens posts from:
    the station is the "user" (its name), with the device role at its venue."""
    checkpoint = CheckpointOut(id=credential.checkpoint_id, name=credential.checkpoint_name, active=True)
    venue = MembershipOut(
        venue_id=credential.venue_id,
        venue_name=credential.venue_name,
        role=Role.DEVICE,
        state=StaffState.AUTHORISED,
        checkpoints=[checkpoint],
    )
    user = UserOut(id=0, name=credential.name, phone_masked="", is_supervisor=False)
    return MeResponse(user=user, venues=[venue], server_time=utcnow()), venue, checkpoint


class DeviceFlow(QObject):
    """Owned by the SessionFlow; `active` while the station runs on its device credential."""

    def __init__(self, flow: SessionFlow) -> None:
        super().__init__(flow)
        self.flow = flow
        self.store = DeviceCredentialStore(flow.backend.key)
        self.credential: DeviceCredential | None = None
        self.dialog: DeviceEnrolDialog | None = None
        self.notice: QMessageBox | None = None
        self._rotating = False
        self.rotation_timer = QTimer(self)
        self.rotation_timer.setInterval(ROTATION_CHECK_MS)
        self.rotation_timer.timeout.connect(self.rotate_if_due)
        flow.window.login.enrol_requested.connect(self.open_dialog)

    @property
    def active(self) -> bool:
        return self.credential is not None

    @property
    def persistent(self) -> bool:
        return self.store.persistent

    # ---- enrolling ---------------------------------------------------------------------------

    def open_dialog(self) -> None:
        api = self.flow.api
        if api is None or self.dialog is not None:
            return
        dialog = DeviceEnrolDialog(self.flow.tasks, DeviceService(api), self.flow.window)
        dialog.enrolled.connect(self._on_enrolled)
        dialog.finished.connect(self._on_dialog_closed)
        self.dialog = dialog
        dialog.open()

    def _on_dialog_closed(self) -> None:
        dialog, self.dialog = self.dialog, None
        if dialog is not None:
            dialog.deleteLater()

    def _on_enrolled(self, credential: DeviceCredential) -> None:
        store = self.store
        # On the ordered keyring lane: a clear queued by an earlier revocation lands first.
        device_ops.save_credential(store, credential).success(self._on_saved).failure(self._on_not_saved).run(
            self.flow.tasks
        )
        self.start(credential)

    def _on_saved(self, persistent: bool) -> None:
        if not persistent:
            self._tell(
                self.tr("设备凭据仅保存在内存中"), self.tr(MEMORY_ONLY_MESSAGE), "deviceMemoryOnlyNotice"
            )

    def _on_not_saved(self, error: Exception) -> None:
        if not isinstance(error, ServiceError | OSError):
            raise error
        self._on_saved(False)

    # ---- running on the credential -----------------------------------------------------------

    def resume(self, otherwise: Callable[[], None]) -> None:
        """At start-up: the stored credential's post, or `otherwise` (a person's session)."""
        store = self.store

        def found(credential: DeviceCredential | None) -> None:
            if credential is None:
                otherwise()
            else:
                log.info("resuming as enrolled device %d", credential.device_id)
                self.start(credential)

        device_ops.load_credential(store).success(found).failure(lambda _error: otherwise()).run(
            self.flow.tasks
        )

    def start(self, credential: DeviceCredential) -> None:
        flow = self.flow
        api = flow._require_api()
        self.credential = credential
        use_device(api, credential)
        me, venue, checkpoint = device_me(credential)
        flow.me, flow.expires_at = me, None  # no person's session to refresh
        flow._venue = venue
        self.rotation_timer.start()
        flow._open_station(venue, checkpoint)
        if flow.station is not None:  # the owner's list shows what the station has not uploaded
            flow.station.status_changed.connect(lambda status: report_pending(api, status.pending))
        self.rotate_if_due()

    def on_session_expired(self) -> bool:
        """The station's request was refused as unauthenticated. True when this flow handles it
        (a device station): it asks the server why, and stops if the device was revoked."""
        if not self.active:
            return False
        api = self.flow._require_api()
        service = DeviceService(api)

        def refused(error: Exception) -> None:
            if is_revoked(error):
                self.revoked()
            elif not isinstance(error, ServiceError):
                raise error
            # Offline or busy: the next sync round asks again.

        device_ops.ask_about_credential(service).success(self._still_enrolled).failure(refused).run(
            self.flow.tasks
        )
        return True

    def _still_enrolled(self, _me: DeviceSelf) -> None:
        log.info("device credential still valid after a refused request")

    def revoked(self) -> None:
        """The owner revoked this station: stop checking, forget the credential, say so."""
        log.warning("device credential revoked; the station stops")
        self.stop()
        self.flow._show_login(self.tr(REVOKED_MESSAGE))

    def stop(self) -> None:
        flow = self.flow
        self.credential = None
        self.rotation_timer.stop()
        flow._close_station()
        flow.me = None
        if flow.api is not None:
            leave_device(flow.api)
        device_ops.clear_credential(self.store).run(flow.tasks)

    # ---- rotation ----------------------------------------------------------------------------

    def rotate_if_due(self) -> bool:
        credential, api = self.credential, self.flow.api
        if credential is None or api is None or self._rotating or not rotation_due(credential, utcnow()):
            return False
        self._rotating = True
        service, store = DeviceService(api), self.store

        def keep(fresh: DeviceCredential) -> None:
            # Kept (ordered keyring lane) before it is used: until the new one's first request
            # the old one still works, so a crash in between loses nothing.
            device_ops.keep_rotated(store, fresh).success(self._on_rotated).failure(
                self._on_rotation_failed
            ).run(self.flow.tasks)

        # The request on the network pool: never on the ordered lane, where checks are committed.
        device_ops.rotate(service).success(keep).failure(self._on_rotation_failed).run(self.flow.tasks)
        return True

    def _on_rotated(self, fresh: DeviceCredential) -> None:
        self._rotating = False
        if self.credential is None:
            return
        self.credential = fresh
        use_device(self.flow._require_api(), fresh)
        log.info("device credential rotated")

    def _on_rotation_failed(self, error: Exception) -> None:
        self._rotating = False
        if is_revoked(error):
            self.revoked()
        elif not isinstance(error, ServiceError):
            raise error

    def _tell(self, title: str, text: str, name: str) -> None:
        box = QMessageBox(QMessageBox.Icon.Information, title, text, parent=self.flow.window)
        box.setObjectName(name)
        box.open()
        self.notice = box
