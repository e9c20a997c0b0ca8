"""The token store (OS keyring or memory only) and UUIDv7 ids."""

from __future__ import annotations

import uuid

import keyring
import keyring.backends.fail
import pytest

from shoumen_gui.services.credentials import CredentialStore, GateSecretStore
from shoumen_gui.services.ids import uuid7, uuid7_time_ms
from tests.gui.conftest import MemoryKeyring


def test_token_in_the_os_keyring(memory_keyring: MemoryKeyring) -> None:
    store = CredentialStore(account="13900000002")
    assert store.load() is None
    assert store.save("secret-token") is True
    assert store.persistent
    assert memory_keyring.store[("shoumen", "13900000002")] == "secret-token"
    assert CredentialStore(account="13900000002").load() == "secret-token"  # after a restart
    store.clear()
    assert store.load() is None and not store.persistent
    assert memory_keyring.store == {}
    store.clear()  # clearing twice is harmless


def test_without_a_keyring_the_token_lives_in_memory_only() -> None:
    previous = keyring.get_keyring()
    keyring.set_keyring(keyring.backends.fail.Keyring())  # type: ignore[no-untyped-call]
    try:
        store = CredentialStore("shoumen-test", account="a")
        assert store.save("t") is False
        assert not store.persistent
        assert store.load() == "t"
        assert CredentialStore("shoumen-test", account="a").load() is None  # gone after a restart
        store.clear()
        assert store.load() is None
    finally:
        keyring.set_keyring(previous)


def test_gate_secrets_per_backend_and_post_in_the_keyring(memory_keyring: MemoryKeyring) -> None:
    store = GateSecretStore(scope="server-abc")
    assert store.set("checkpoint-7", "password", "hik-pass") is True
    assert store.set("checkpoint-8", "password", "other") is True
    assert memory_keyring.store[("shoumen", "gate:server-abc:checkpoint-7:password")] == "hik-pass"
    again = GateSecretStore(scope="server-abc")  # after a restart
    assert again.loader("checkpoint-7")("password") == "hik-pass"
    assert again.loader("checkpoint-7")("secret") is None
    assert GateSecretStore(scope="server-xyz").get("checkpoint-7", "password") is None
    assert again.set("checkpoint-7", "password", "") is True  # "" removes it
    assert GateSecretStore(scope="server-abc").get("checkpoint-7", "password") is None


def test_uuid7_layout_and_order() -> None:
    ids = [uuid7() for _ in range(5000)]
    assert all(i.version == 7 and i.variant == uuid.RFC_4122 for i in ids)
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    assert [str(i) for i in ids] == sorted(str(i) for i in ids)  # text order = time order (cache keys)


def test_uuid7_carries_its_time_and_survives_a_clock_step_back() -> None:
    at = 1_763_000_000_000 * 1_000_000
    first = uuid7(at)
    assert uuid7_time_ms(first) >= 1_763_000_000_000
    earlier = uuid7(at - 5_000_000_000)  # the clock stepped back 5 s
    assert earlier > first


@pytest.mark.parametrize("count", [4096 + 10])
def test_uuid7_counter_overflow_moves_to_the_next_millisecond(count: int) -> None:
    at = 1_900_000_000_000 * 1_000_000
    ids = [uuid7(at) for _ in range(count)]
    assert ids == sorted(ids) and len(set(ids)) == count
