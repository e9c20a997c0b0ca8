"""Issue 17 §1: the stored session (the token in the keyring) is written in the order it was
asked for, whatever the keyring's speed: the KEYRING lane of ops/session.py."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from shoumen_core.schemas import LoginResponse, MeResponse
from shoumen_gui.services.api import ApiClient, AuthClient
from shoumen_gui.services.credentials import CredentialStore
from shoumen_gui.services.session import ME_META_KEY
from shoumen_server.seed import DEMO_PATHS_BY_KEY
from tests.gui.conftest import GUARD_PHONE, LiveBackend, MakeApp, MemoryKeyring
from tests.gui.helpers import log_in, log_out, type_id, wait_for_page


@pytest.fixture
def release() -> Iterator[threading.Event]:
    """Holds a patched keyring or server call until the test sets it (set again at teardown,
    so a failing test never leaves a worker blocked)."""
    event = threading.Event()
    yield event
    event.set()


def test_a_slow_keyring_clear_never_deletes_the_token_of_the_next_login(
    qtbot: QtBot,
    make_station_app: MakeApp,
    embedded: LiveBackend,
    memory_keyring: MemoryKeyring,
    monkeypatch: pytest.MonkeyPatch,
    release: threading.Event,
) -> None:
    """The session expires, its clear is slow (a D-Bus keyring), the guard logs in again before
    it ran: the clear must run first and the new token stay. On the network pool (where
    flow._on_session_expired once put it) the clear landed after the save and deleted it."""
    app = make_station_app(demo_login=GUARD_PHONE)
    app.start()
    window = app.window
    clearing = threading.Event()
    clear = CredentialStore.clear

    def slow_clear(store: CredentialStore) -> None:
        clearing.set()
        release.wait(30)  # until the new login's save has been asked for
        clear(store)

    monkeypatch.setattr(CredentialStore, "clear", slow_clear)
    with ApiClient(embedded.url, token=app.api.token) as same_session:
        same_session.auth.logout()  # signed out elsewhere: the next request finds the session dead
    type_id(qtbot, window, DEMO_PATHS_BY_KEY["green_fresh"].number)
    wait_for_page(qtbot, window, "loginPage")
    qtbot.waitUntil(clearing.is_set, timeout=10_000)

    log_in(qtbot, window, GUARD_PHONE)
    wait_for_page(qtbot, window, "checkpointPicker")  # logged in while the clear still waits
    new_token = app.api.token
    assert new_token is not None
    release.set()
    qtbot.waitUntil(lambda: list(memory_keyring.store.values()) == [new_token], timeout=10_000)
    qtbot.waitUntil(lambda: app.tasks.idle, timeout=10_000)
    assert list(memory_keyring.store.values()) == [new_token]


def test_a_refresh_answered_after_logout_stores_no_token(
    qtbot: QtBot,
    make_station_app: MakeApp,
    memory_keyring: MemoryKeyring,
    monkeypatch: pytest.MonkeyPatch,
    release: threading.Event,
) -> None:
    """A token refresh still out when the guard logs out: its answer must not put a token back
    into the keyring the logout just cleared (it once saved it from the network pool)."""
    app = make_station_app(demo_login=GUARD_PHONE)
    app.start()
    flow = app.flow
    assert flow.expires_at is not None
    refreshing = threading.Event()
    refresh = AuthClient.refresh

    def slow_refresh(auth: AuthClient) -> LoginResponse:
        response = refresh(auth)
        refreshing.set()
        release.wait(30)  # answered by the server, not yet back on the GUI thread
        return response

    monkeypatch.setattr(AuthClient, "refresh", slow_refresh)
    assert flow.refresh_if_due(now=flow.expires_at) is True
    qtbot.waitUntil(refreshing.is_set, timeout=10_000)
    log_out(qtbot, app.window)
    qtbot.waitUntil(lambda: not memory_keyring.store, timeout=10_000)
    release.set()
    qtbot.waitUntil(lambda: not flow._refreshing, timeout=10_000)
    qtbot.waitUntil(lambda: app.tasks.idle, timeout=10_000)
    assert memory_keyring.store == {}


def test_a_me_answered_after_logout_keeps_no_memberships(
    qtbot: QtBot,
    make_station_app: MakeApp,
    memory_keyring: MemoryKeyring,
    monkeypatch: pytest.MonkeyPatch,
    release: threading.Event,
) -> None:
    """A /me still out when the guard logs out (the admin page's 返回核验 asks for one): its
    answer must not put the last user's memberships back in the cache the logout cleared (it
    once wrote them from the network pool, after the logout's clear)."""
    app = make_station_app(demo_login=GUARD_PHONE)
    app.start()
    flow = app.flow
    cache = flow.cache
    assert cache is not None and cache.get_meta(ME_META_KEY)
    asking = threading.Event()
    me = AuthClient.me

    def slow_me(auth: AuthClient) -> MeResponse:
        answer = me(auth)
        asking.set()
        release.wait(30)  # answered by the server, not yet back on the GUI thread
        return answer

    monkeypatch.setattr(AuthClient, "me", slow_me)
    answered: list[MeResponse] = []
    flow.fetch_me(answered.append, lambda error: None)
    qtbot.waitUntil(asking.is_set, timeout=10_000)
    log_out(qtbot, app.window)
    qtbot.waitUntil(lambda: not memory_keyring.store, timeout=10_000)
    release.set()
    qtbot.waitUntil(lambda: app.tasks.idle, timeout=10_000)
    assert cache.get_meta(ME_META_KEY) == ""
    assert answered == []  # nobody acts on the ended session's answer
