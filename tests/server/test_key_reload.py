"""Keys are per-process state that must follow the database (issue 15 §3): `rotate-signing-key`
runs in another process, and every worker must serve the new keys soon after — not the new
trust-list version with the old keys until it happens to be restarted."""

from __future__ import annotations

from typing import Any

from shoumen_core.trust import parse_signed_trust_list
from shoumen_server.deps import KEY_RECHECK_SECONDS
from shoumen_server.keys import rotate_signing_key
from tests.server.conftest import Server, key_provider
from tests.server.fixtures_sync import ctx_of, db
from tests.server.journeys import API


class Ticks:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _served_keys(server: Server) -> tuple[int, set[str]]:
    r = server.client.get(f"{API}/trust-list")
    assert r.status_code == 200, r.text
    trust = parse_signed_trust_list(r.text).payload()
    return trust.version, {key.key_id for key in trust.keys}


def test_a_worker_serves_keys_rotated_by_another_process_within_the_recheck_time(server: Server) -> None:
    ticks = Ticks()
    ctx = ctx_of(server)
    ctx.monotonic = ticks
    version, before = _served_keys(server)
    with db(server) as session:  # what `shoumen-server rotate-signing-key` does, elsewhere
        new_key = rotate_signing_key(session, server.clock(), key_provider(server.settings.database_url))
    ticks.now += KEY_RECHECK_SECONDS + 1
    after_version, after = _served_keys(server)
    assert after_version == version + 1
    assert after == before | {new_key}  # the new version carries the new key
    assert ctx.keys.signing.key_id == new_key


def test_loaded_keys_outlive_a_database_outage(server: Server) -> None:
    ticks = Ticks()
    ctx = ctx_of(server)
    ctx.monotonic = ticks
    loaded = ctx.keys
    engine = server.client.app.state.engine  # type: ignore[attr-defined]
    refused = engine.dialect.loaded_dbapi.OperationalError("database away")

    def connect(*_args: object) -> None:
        raise refused

    engine.dispose()
    engine.pool._creator = connect
    ticks.now += KEY_RECHECK_SECONDS + 1
    assert ctx.keys is loaded


def test_one_thread_rereads_the_keys_while_the_others_serve_the_loaded_ones(server: Server) -> None:
    """Issue 15 §6 (bench_capacity.py, 2 and 4 workers): every request that saw the keys due for
    a re-read opened a second session for it while holding its own connection; with every
    connection of the pool held that way, they all waited for the pool's time-out (503s every
    30 s under load). While one thread re-reads, the others serve the keys already loaded."""
    ticks = Ticks()
    ctx = ctx_of(server)
    ctx.monotonic = ticks
    loaded = ctx.keys
    ticks.now += KEY_RECHECK_SECONDS + 1
    opened: list[int] = []
    sessions = ctx.sessions

    def counted() -> Any:
        opened.append(1)
        return sessions()

    ctx.sessions = counted  # type: ignore[assignment]
    try:
        with ctx._rechecking:  # another thread is re-reading them
            assert ctx.keys is loaded
        assert opened == []
        assert ctx.keys is loaded and opened == [1]  # then this one re-reads
        assert ctx.keys is loaded and opened == [1]  # and not again before the next interval
    finally:
        ctx.sessions = sessions
