"""The session, without Qt: which backend, resuming a stored login, keeping the token.

These run on worker threads (the flow hands them to tasks.py); they touch the network, the
keyring and the local cache, never a widget.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from shoumen_core.schemas import LoginResponse, MeResponse, ServerInfo
from shoumen_core.timeutil import utcnow
from shoumen_gui.embedded import LocalBackend
from shoumen_gui.services.api import ApiClient
from shoumen_gui.services.cache import LocalCache
from shoumen_gui.services.credentials import CredentialStore
from shoumen_gui.services.errors import OfflineError, ServerRejected, ServiceError, SessionExpired
from shoumen_gui.services.server_identity import normalise_url, url_cache_key
from shoumen_gui.services.tls import Verify
from shoumen_gui.textmarks import QT_TRANSLATE_NOOP

log = logging.getLogger("shoumen.gui.session")

REFRESH_BEFORE = timedelta(hours=1)
ME_META_KEY = "last_me"  # the last /me answer, so a restart while offline can still check
EXPIRES_META_KEY = "token_expires_at"  # when the stored token expires (not a secret)


@dataclass(frozen=True)
class BackendChoice:
    key: str  # names the local cache file and the keyring account of this backend
    server_url: str | None = None
    embedded: LocalBackend | None = None  # the backend process (app) or thread (tests)
    # Which CA the clients of a remote server trust (services/tls.py: `--ca`, the `ca_file`
    # setting); True: the default roots. Not part of the key: the same server behind a new CA
    # keeps its cache and login.
    verify: Verify = field(default=True, compare=False)

    @classmethod
    def remote(cls, url: str, verify: Verify = True) -> BackendChoice:
        # The keyring account and the fallback cache name; the cache itself follows the server's
        # identity once it is known (services/server_identity.py).
        return cls(key=url_cache_key(url), server_url=normalise_url(url), verify=verify)

    @classmethod
    def local(cls, backend: LocalBackend) -> BackendChoice:
        # Per data folder: two stations with their own --data-dir never share a token.
        digest = hashlib.sha256(str(backend.db_path.resolve()).encode()).hexdigest()[:12]
        return cls(key=f"embedded-{digest}", embedded=backend)


def server_id_of(api: ApiClient) -> str:
    """Worker thread: the server's identity from /info; "" when it cannot be asked now (offline,
    server trouble) or it is older than server_id — the cache then follows what is known."""
    try:
        return api.server.info().server_id
    except ServiceError as exc:
        log.info("server identity not known now (%s)", exc.code)
        return ""


@dataclass(frozen=True)
class Resumed:
    info: ServerInfo | None
    me: MeResponse | None
    expires_at: datetime | None
    offline: bool


def login_with_demo_code(api: ApiClient, phone: str, device_name: str = "") -> LoginResponse:
    """Worker thread: ask for a code and log in with the one a demo server hands back."""
    code = api.auth.request_sms_code(phone).demo_code
    if not code:
        raise ServerRejected(
            QT_TRANSLATE_NOOP("shoumen", "服务器不是演示模式，无法自动登录"), code="no_demo_code"
        )
    return api.auth.login(phone, code, device_name)


def resume_session(api: ApiClient, cache: LocalCache, credentials: CredentialStore) -> Resumed:
    """Ask the server who we are with the stored token, if there is one.

    Refreshes the token only when less than an hour is left (its expiry is kept in the cache).
    Offline, the last /me answer from the cache lets the guard go on checking.
    """
    try:
        info: ServerInfo | None = api.server.info()
    except OfflineError:
        info = None
    token = credentials.load()
    if token is None:
        return Resumed(info, None, None, info is None)
    api.token = token
    expires = _kept_expiry(cache)
    if info is not None:
        try:
            me = api.auth.me()
            if expires is None or expires - utcnow() <= REFRESH_BEFORE:
                expires = keep_session(api.auth.refresh(), cache, credentials)
            cache.set_meta(ME_META_KEY, me.model_dump_json())
            return Resumed(info, me, expires, False)
        except SessionExpired:
            credentials.clear()
            api.token = None
            return Resumed(info, None, None, False)
        except OfflineError:
            pass
    return Resumed(info, _kept_me(cache), expires, True)


def resume_kept(api: ApiClient, cache: LocalCache, credentials: CredentialStore) -> Resumed | None:
    """The stored token and the last /me from the cache, asking nobody: a station whose embedded
    backend is still starting opens its post from these (issue 18 §3) and has the session
    checked (resume_session) once the backend answers. No token: Resumed without `me` (nothing
    to ask the server); a token without a kept /me: None (the server decides)."""
    token = credentials.load()
    if token is None:
        return Resumed(None, None, None, False)
    me = _kept_me(cache)
    if me is None:
        return None
    api.token = token
    return Resumed(None, me, _kept_expiry(cache), False)


def _kept_me(cache: LocalCache) -> MeResponse | None:
    """The last /me answer kept in the cache (keep_me), if any."""
    cached = cache.get_meta(ME_META_KEY)
    return MeResponse.model_validate_json(cached) if cached else None


def _kept_expiry(cache: LocalCache) -> datetime | None:
    """The kept token's expiry (keep_session), if known."""
    stored = cache.get_meta(EXPIRES_META_KEY)
    return datetime.fromisoformat(stored) if stored else None


def keep_session(response: LoginResponse, cache: LocalCache, credentials: CredentialStore) -> datetime:
    """The token to the keyring (or memory), its expiry to the cache; returns the expiry."""
    credentials.save(response.token)
    cache.set_meta(EXPIRES_META_KEY, response.expires_at.isoformat())
    return response.expires_at
