"""退出自助模式 and the kiosk PIN: the unlock's requests and the PIN's hashing.

The phone way logs the person in on a separate, temporary API client (the station's own
session stays as it is), asks /me whether they hold an authorised membership of this venue
(owner or staff), and logs that temporary session out again. The PIN's scrypt (~0.05 s) runs
off the GUI thread.
"""

from __future__ import annotations

import logging

from shoumen_core.schemas import Role, SmsCodeResponse, StaffState
from shoumen_gui.kiosk_pin import hash_pin as hash_pin_now
from shoumen_gui.kiosk_pin import verify_pin as verify_pin_now
from shoumen_gui.ops.core import operation
from shoumen_gui.services.api import ApiClient
from shoumen_gui.services.errors import ServiceError
from shoumen_gui.services.tls import Verify
from shoumen_gui.tasks import Lane
from shoumen_gui.textmarks import QT_TRANSLATE_NOOP

log = logging.getLogger("shoumen.gui.kiosk")

MSG_NOT_MANAGER = QT_TRANSLATE_NOOP("shoumen", "该手机号不是本场所的管理人员")


class NotVenueManager(ServiceError):
    default_code = "not_venue_manager"
    default_message = MSG_NOT_MANAGER


@operation(Lane.NETWORK)
def request_unlock_code(base_url: str, phone: str, verify: Verify = True) -> SmsCodeResponse:
    """An SMS code for the unlock, on a client of its own (trusting the app's CA)."""
    with ApiClient(base_url, verify=verify) as api:
        return api.auth.request_sms_code(phone)


@operation(Lane.NETWORK)
def verify_venue_manager(
    base_url: str, phone: str, code: str, device_name: str, venue_id: int, verify: Verify = True
) -> None:
    """Raises unless `phone` + `code` log in a person who manages `venue_id`.

    The temporary session is logged out whatever the answer; a failed logout only costs a
    session that expires by itself."""
    with ApiClient(base_url, verify=verify) as api:
        api.auth.login(phone, code, device_name)
        try:
            me = api.auth.me()
        finally:
            try:
                api.auth.logout()
            except ServiceError as exc:
                log.info("logout of the unlock session failed (%s)", exc.code)
    manages = any(
        m.venue_id == venue_id and m.state is StaffState.AUTHORISED and m.role in (Role.OWNER, Role.STAFF)
        for m in me.venues
    )
    if not manages:
        raise NotVenueManager()


@operation(Lane.WORK)
def hash_pin(pin: str) -> str:
    return hash_pin_now(pin)


@operation(Lane.WORK)
def verify_pin(pin: str, stored: str) -> bool:
    return verify_pin_now(pin, stored)
