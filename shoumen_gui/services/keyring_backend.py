"""Which OS keyring the app uses, chosen once before its first use (issue 18 §3).

keyring's own detection (`keyring.get_keyring()` on first use) imports every backend it ships
and scans the installed packages' entry points for plugins: on Linux that includes the macOS
backend, whose import runs `ctypes.util.find_library` (an `ldconfig` / `gcc` subprocess each).
That is ~94 ms (81 ms of CPU) of a station's start, on the path to its first keyring read
(the kept session, a device credential); the choice below takes ~25 ms
(`bench/bench_keyring_choice.py`), and runs first on the keyring lane while the cache opens.

On Linux the app asks only the Linux backends keyring ships (the Secret Service, KWallet,
libsecret) and takes the viable one of highest priority, as keyring's detection would; with
none viable (a headless kiosk without a D-Bus session), keyring's `fail.Keyring`: the token
lives in memory only (services/credentials.py). A backend named in `PYTHON_KEYRING_BACKEND` or
in keyring's config file wins, as with keyring itself; elsewhere keyring detects as usual.
What differs from keyring's detection: third-party keyring plugins are not considered on
Linux, and where two backends are viable at once (KWallet and the Secret Service on one
desktop) the app uses the first-ranked one rather than keyring's chainer of both.
"""

from __future__ import annotations

import importlib
import logging
import sys
import threading

import keyring
import keyring.backend
import keyring.backends.fail
import keyring.core

log = logging.getLogger("shoumen.gui.keyring")

# keyring's Linux backends, by "module.Class"; importing one that needs a missing library
# (dbus-python for KWallet, PyGObject for libsecret) fails, and it is not viable.
LINUX_BACKENDS = (
    "keyring.backends.SecretService.Keyring",
    "keyring.backends.kwallet.DBusKeyring",
    "keyring.backends.kwallet.DBusKeyringKWallet4",
    "keyring.backends.libsecret.Keyring",
)

_lock = threading.Lock()
_chosen = False


def linux_candidates(names: tuple[str, ...] = LINUX_BACKENDS) -> list[keyring.backend.KeyringBackend]:
    """The named backends that are viable here, each constructed once."""
    found = []
    for name in names:
        module_name, _, class_name = name.rpartition(".")
        try:
            cls = getattr(importlib.import_module(module_name), class_name)
        except Exception as exc:  # a backend's own import needs what this machine may lack
            log.debug("keyring backend %s not available: %s", name, type(exc).__name__)
            continue
        if cls.viable:
            try:
                found.append(cls())
            except Exception as exc:  # as keyring's detection: one that cannot be made is skipped
                log.debug("keyring backend %s not constructed: %s", name, type(exc).__name__)
    return found


def choose(names: tuple[str, ...] = LINUX_BACKENDS) -> keyring.backend.KeyringBackend:
    """The backend the app uses: configured, else the best viable Linux one, else keyring's
    own detection (not Linux)."""
    configured = keyring.core.load_env() or keyring.core.load_config()
    if configured is not None:
        return configured
    if sys.platform.startswith("linux"):
        none_viable = keyring.backends.fail.Keyring()  # type: ignore[no-untyped-call]
        return max(linux_candidates(names), key=keyring.backend.by_priority, default=none_viable)
    return keyring.get_keyring()


def ensure_chosen() -> None:
    """Choose once, before keyring's first use (any thread; later calls return at once). A
    backend set already (`keyring.set_keyring`: the tests' in-memory keyring) is kept."""
    global _chosen
    with _lock:
        if _chosen:
            return
        _chosen = True
        if getattr(keyring.core, "_keyring_backend", None) is not None:
            return
        backend = choose()
        keyring.set_keyring(backend)
        log.info("keyring backend: %s.%s", type(backend).__module__, type(backend).__name__)
