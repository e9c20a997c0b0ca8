"""The session's operations: start-up (backend, cache), login, the stored token, logout.

The stored session (the token in the keyring and its expiry) is written only on the KEYRING
lane, one thread in order: a clear asked for by an expired session or a logout runs before the
save of the login that follows it, however slow the keyring is. Requests go to the NETWORK
pool; the cache's own files on the CACHE lane.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from shoumen_core.schemas import LoginResponse, MeResponse, SmsCodeResponse
from shoumen_gui.embedded import LocalBackend
from shoumen_gui.ops.core import operation
from shoumen_gui.services.api import ApiClient
from shoumen_gui.services.cache import LocalCache
from shoumen_gui.services.connectivity import Connectivity
from shoumen_gui.services.credentials import CredentialStore
from shoumen_gui.services.errors import ServiceError
from shoumen_gui.services.keyring_backend import ensure_chosen
from shoumen_gui.services.salvage import Opened, SalvageReport, open_or_salvage, salvage_if_damaged
from shoumen_gui.services.server_identity import Adopted, CacheChoice, adopt
from shoumen_gui.services.server_identity import choose_cache as choose_cache_file
from shoumen_gui.services.session import (
    ME_META_KEY,
    Resumed,
    keep_session,
    login_with_demo_code,
    resume_session,
    server_id_of,
)
from shoumen_gui.services.session import resume_kept as resume_kept_session
from shoumen_gui.services.trust import builtin_roots
from shoumen_gui.settings import Settings, SettingsStore
from shoumen_gui.tasks import Lane

log = logging.getLogger("shoumen.gui.ops.session")

# --- start-up -------------------------------------------------------------------------------


@operation(Lane.WORK)
def start_embedded(embedded: LocalBackend) -> str:
    """The in-process backend: migrate and seed once, start serving; its base URL."""
    return embedded.start()


@operation(Lane.NETWORK)
def server_identity(api: ApiClient) -> str:
    return server_id_of(api)


@operation(Lane.CACHE)
def open_cache(path: Path, server_url: str | None, on_salvage: Callable[[], None]) -> Opened:
    """The built-in pins are a file: read on the cache lane. A damaged cache is moved aside and
    its unsynced checks recovered (services/salvage)."""
    return open_or_salvage(
        path,
        on_salvage=on_salvage,
        opener=lambda p: LocalCache.open(p, builtin_roots=builtin_roots(server_url)),
    )


@operation(Lane.CACHE)
def choose_cache(data_dir: Path, url: str, server_id: str, fallback: str) -> CacheChoice:
    return choose_cache_file(data_dir, url, server_id, fallback)


@operation(Lane.CACHE)
def adopt_cache(
    data_dir: Path, choice: CacheChoice, server_url: str | None, on_salvage: Callable[[], None]
) -> tuple[Adopted, SalvageReport | None]:
    report = salvage_if_damaged(choice.path, on_salvage=on_salvage)
    return adopt(data_dir, choice, builtin_roots=builtin_roots(server_url)), report


@operation(Lane.KEYRING)
def choose_keyring() -> None:
    """The OS keyring chosen ahead of its first read (services/keyring_backend): queued first on
    the keyring lane at start-up, while the cache opens and the backend starts."""
    ensure_chosen()


@operation(Lane.KEYRING)
def resume(api: ApiClient, cache: LocalCache, credentials: CredentialStore) -> Resumed:
    """The stored token, checked with the server: on the keyring lane, as it may clear it."""
    return resume_session(api, cache, credentials)


@operation(Lane.KEYRING)
def resume_kept(api: ApiClient, cache: LocalCache, credentials: CredentialStore) -> Resumed | None:
    """The kept token and /me without a request (the embedded backend is still starting)."""
    return resume_kept_session(api, cache, credentials)


@operation(Lane.CACHE)
def save_settings(store: SettingsStore, settings: Settings) -> None:
    store.save(settings)


# --- login and the stored session -------------------------------------------------------------


@operation(Lane.NETWORK)
def request_sms_code(api: ApiClient, phone: str) -> SmsCodeResponse:
    return api.auth.request_sms_code(phone)


@operation(Lane.NETWORK)
def login(api: ApiClient, phone: str, code: str, device_name: str) -> LoginResponse:
    return api.auth.login(phone, code, device_name)


@operation(Lane.NETWORK)
def demo_login(api: ApiClient, phone: str, device_name: str) -> LoginResponse:
    return login_with_demo_code(api, phone, device_name)


@operation(Lane.NETWORK)
def fetch_me(api: ApiClient) -> MeResponse:
    """Who is logged in and where they may check. Only the request: the caller keeps it
    (keep_me) once it knows the session it asked for is still the current one."""
    return api.auth.me()


@operation(Lane.KEYRING)
def keep_me(cache: LocalCache, me: MeResponse) -> None:
    """Kept for a restart offline; on the KEYRING lane, in order with a logout's forget (a /me
    answered after a logout once put the last user's memberships back from the network pool)."""
    cache.set_meta(ME_META_KEY, me.model_dump_json())


@operation(Lane.NETWORK)
def refresh(api: ApiClient, connectivity: Connectivity) -> LoginResponse:
    """A new token for the old one. Only the request: the caller keeps it (keep) once it knows
    the session it refreshed is still the current one."""
    response = api.auth.refresh()
    connectivity.mark_online()  # the server answered: checks go online again at once
    return response


@operation(Lane.KEYRING)
def keep(response: LoginResponse, cache: LocalCache, credentials: CredentialStore) -> datetime:
    """Store the token (keyring) and its expiry, after any clear asked for before."""
    return keep_session(response, cache, credentials)


@operation(Lane.KEYRING)
def forget(credentials: CredentialStore, cache: LocalCache | None = None) -> None:
    """Clear the stored token (and, at a logout, who was logged in), before any later save."""
    credentials.clear()
    if cache is not None:
        cache.set_meta(ME_META_KEY, "")


@operation(Lane.NETWORK)
def log_out(api: ApiClient) -> None:
    """End the session on the server; offline or already expired, the token is dropped anyway."""
    try:
        api.auth.logout()
    except ServiceError as exc:
        log.info("logout on the server failed (%s)", exc.code)
