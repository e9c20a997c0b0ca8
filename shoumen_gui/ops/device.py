"""An enrolled station's operations (issue 18 §1): enrol, the device credential in the keyring,
asking the server about it, rotating it.

The credential is written, read and cleared on the KEYRING lane (one thread, in order, with the
person's token): a clear queued by a revocation lands before the save of an enrolment that
follows it. Requests go to the NETWORK pool — never the ordered lanes, where a slow server
would hold up the keyring or the checks.
"""

from __future__ import annotations

from shoumen_core.devices import DeviceCredential, DeviceSelf
from shoumen_gui.ops.core import operation
from shoumen_gui.services.device import DeviceCredentialStore, DeviceService
from shoumen_gui.tasks import Lane


@operation(Lane.NETWORK)
def enrol(service: DeviceService, text: str) -> DeviceCredential:
    """Redeem the owner's enrolment code (typed, or the QR as a scanner types it)."""
    return service.enrol(text)


@operation(Lane.NETWORK)
def ask_about_credential(service: DeviceService) -> DeviceSelf:
    """After a refused request: is this device still enrolled (or revoked)?"""
    return service.me()


@operation(Lane.NETWORK)
def rotate(service: DeviceService) -> DeviceCredential:
    return service.rotate()


@operation(Lane.KEYRING)
def save_credential(store: DeviceCredentialStore, credential: DeviceCredential) -> bool:
    """True when kept in a persistent keyring, False when in memory only."""
    return store.save(credential)


@operation(Lane.KEYRING)
def keep_rotated(store: DeviceCredentialStore, fresh: DeviceCredential) -> DeviceCredential:
    """Kept before it is used: until its first request the old one still works."""
    store.save(fresh)
    return fresh


@operation(Lane.KEYRING)
def load_credential(store: DeviceCredentialStore) -> DeviceCredential | None:
    return store.load()


@operation(Lane.KEYRING)
def clear_credential(store: DeviceCredentialStore) -> None:
    store.clear()
