"""Local work off the GUI thread that is neither the cache nor a request: files, the scanning
libraries, serial ports, and the gate secrets in the keyring (KEYRING lane, in order with the
session's token)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from shoumen_gui.ops.core import operation
from shoumen_gui.services.credentials import GateSecretStore
from shoumen_gui.services.gate import GateConfig, GateResult, make_gate
from shoumen_gui.tasks import Lane


@operation(Lane.WORK)
def preload_scanning() -> None:
    """OpenCV and the decoders load on a worker, not on the GUI thread at the first scan.
    The package's names load lazily (PEP 562), so the decoders' module is named here."""
    import shoumen_gui.scanning.decoders  # noqa: F401  (imported for its side effect: loaded once)


@operation(Lane.WORK)
def write_file(write: Callable[[], None]) -> None:
    """Paint and save a picture or a PDF (QPainter on a QImage or QPdfWriter is thread-safe)."""
    write()


@operation(Lane.WORK)
def serial_ports(list_ports: Callable[[], list[tuple[str, str]]]) -> list[tuple[str, str]]:
    """(device, description) of the serial ports present (may touch the OS)."""
    return list_ports()


@operation(Lane.KEYRING)
def stored_gate_secrets(secrets: GateSecretStore, key: str, names: Iterable[str]) -> dict[str, bool]:
    """Which of a post's gate secrets are stored (the values stay in the keyring)."""
    return {name: secrets.get(key, name) is not None for name in names}


@operation(Lane.KEYRING)
def write_gate_secrets(secrets: GateSecretStore, key: str, changes: dict[str, str]) -> bool:
    """Store the changed secrets; False when the keyring is not persistent (memory only)."""
    results = [secrets.set(key, name, value) for name, value in changes.items()]
    return all(results)


@operation(Lane.WORK)
def test_gate(config: GateConfig, loader: Callable[[str], str | None]) -> GateResult:
    """测试闸机 with the config as typed: a gate of its own, not the station's, so the test
    neither waits behind nor delays the station's gate commands (the GATE lane)."""
    gate = make_gate(config, loader)
    try:
        return gate.test()
    finally:
        gate.close()
