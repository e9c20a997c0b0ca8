"""The login token in the OS keyring, or only in memory when there is none (DESIGN §7).

Never in a settings file. On headless Linux keyring has no backend (NoKeyringError): the
token then lives in this object only and the guard logs in again after a restart.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

import keyring
import keyring.errors

from shoumen_gui.services.keyring_backend import ensure_chosen

log = logging.getLogger("shoumen.gui.credentials")


class CredentialStore:
    def __init__(self, service: str = "shoumen", *, account: str) -> None:
        self.service = service
        self.account = account
        self._memory: str | None = None
        self._persistent = False
        self._lock = threading.Lock()

    @property
    def persistent(self) -> bool:
        """True when the last saved token is in the OS keyring (survives a restart)."""
        return self._persistent

    def save(self, token: str) -> bool:
        """Keep the token; True if the OS keyring took it, False if it is in memory only."""
        with self._lock:
            self._memory = token
            try:
                ensure_chosen()
                keyring.set_password(self.service, self.account, token)
            except (
                Exception
            ) as exc:  # any backend failure (NoKeyringError, D-Bus, locked) means "memory only"
                log.warning("keyring unavailable (%s); the token is kept in memory only", type(exc).__name__)
                self._persistent = False
            else:
                self._persistent = True
            return self._persistent

    def load(self) -> str | None:
        with self._lock:
            if self._memory is not None:
                return self._memory
            try:
                ensure_chosen()
                token = keyring.get_password(self.service, self.account)
            except Exception as exc:  # see save()
                log.info("keyring unavailable (%s); no stored token", type(exc).__name__)
                return None
            if token:
                self._memory = token
                self._persistent = True
            return token or None

    def clear(self) -> None:
        with self._lock:
            self._memory = None
            self._persistent = False
            try:
                ensure_chosen()
                keyring.delete_password(self.service, self.account)
            except keyring.errors.PasswordDeleteError:
                pass  # nothing stored
            except Exception as exc:  # see save()
                log.info("keyring unavailable (%s) while clearing", type(exc).__name__)


class GateSecretStore:
    """The gates' secrets (a webhook's shared secret, a Hikvision password), per post, in the OS
    keyring — never in the settings file. Without a keyring they live in memory for this run.

    `loader(key)` is the `services.gate.SecretLoader` for one post's gate (key: settings.gate_key).
    """

    def __init__(self, service: str = "shoumen", *, scope: str) -> None:
        self.service = service
        self.scope = scope  # the backend (BackendChoice.key): two servers never share a secret
        self._stores: dict[tuple[str, str], CredentialStore] = {}
        self._lock = threading.Lock()

    def _store(self, key: str, name: str) -> CredentialStore:
        with self._lock:
            store = self._stores.get((key, name))
            if store is None:
                store = CredentialStore(self.service, account=f"gate:{self.scope}:{key}:{name}")
                self._stores[(key, name)] = store
            return store

    def get(self, key: str, name: str) -> str | None:
        return self._store(key, name).load()

    def set(self, key: str, name: str, value: str) -> bool:
        """Keep a secret ("" removes it); True when it is in the OS keyring."""
        store = self._store(key, name)
        if not value:
            store.clear()
            return True
        return store.save(value)

    def loader(self, key: str) -> Callable[[str], str | None]:
        return lambda name: self.get(key, name)
