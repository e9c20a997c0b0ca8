"""Issue 14 §4 without a server: which cache file servers.json and the files on disk choose."""

from __future__ import annotations

from pathlib import Path

from shoumen_gui.services.cache import LocalCache
from shoumen_gui.services.server_identity import (
    DIRECTORY_FILE,
    SERVER_ID_META,
    ServerDirectory,
    adopt,
    cache_name_for,
    choose_cache,
    url_cache_key,
)
from tests.gui.services.conftest import USER_ID
from tests.gui.services.test_cache import record

A, B = "a" * 32, "b" * 32
IP, NAME = "http://127.0.0.1:8000", "http://localhost:8000"


def url_file(url: str) -> str:
    return f"cache-{url_cache_key(url)}.db"


def cache_with(path: Path, *, server_id: str = "", pending: int = 0) -> None:
    cache = LocalCache.open(path)
    if server_id:
        cache.set_meta(SERVER_ID_META, server_id)
    for _ in range(pending):
        cache.add_check(record(), USER_ID)
    cache.close()


def test_offline_with_a_url_never_seen_uses_the_file_named_after_the_url(tmp_path: Path) -> None:
    choice = choose_cache(tmp_path, IP + "/", "", url_file(IP))
    assert choice.path == tmp_path / url_file(IP) and choice.server_id == ""
    adopt(tmp_path, choice).cache.close()
    assert not (tmp_path / DIRECTORY_FILE).exists()  # nothing learned, nothing remembered


def test_offline_with_a_known_url_uses_its_servers_file(tmp_path: Path) -> None:
    adopt(tmp_path, choose_cache(tmp_path, IP, A, url_file(IP))).cache.close()
    choice = choose_cache(tmp_path, IP, "", url_file(IP))
    assert choice.server_id == A and choice.path == tmp_path / cache_name_for(A)


def test_a_url_file_another_server_wrote_is_not_adopted(tmp_path: Path) -> None:
    """The server at a URL was reinstalled (a new server_id): its old file is not the new one's."""
    cache_with(tmp_path / url_file(IP), server_id=A, pending=1)
    choice = choose_cache(tmp_path, IP, B, url_file(IP))
    assert choice.path == tmp_path / cache_name_for(B)
    assert choice.strays == ()  # A's rows are never moved into B's cache


def test_the_url_file_of_a_first_met_server_is_adopted_whole(tmp_path: Path) -> None:
    """An earlier version's cache (named after the URL, no server noted) becomes the server's."""
    cache_with(tmp_path / url_file(IP), pending=2)
    choice = choose_cache(tmp_path, IP, A, url_file(IP))
    assert choice.path == tmp_path / url_file(IP) and choice.strays == ()
    adopted = adopt(tmp_path, choice)
    assert adopted.cache.pending_count() == 2 and adopted.moved == 0
    adopted.cache.close()
    directory = ServerDirectory.load(tmp_path)
    assert directory.caches == {A: url_file(IP)} and directory.urls == {IP: A} and directory.last == A


def test_a_damaged_directory_is_learned_again(tmp_path: Path) -> None:
    (tmp_path / DIRECTORY_FILE).write_text('{"urls": {"x": "../../etc"}, "caches": {"' + A + '": "../x.db"}}')
    directory = ServerDirectory.load(tmp_path)
    assert directory.urls == {} and directory.caches == {}
    (tmp_path / DIRECTORY_FILE).write_text("not json")
    assert ServerDirectory.load(tmp_path).urls == {}


def test_a_server_id_that_is_not_an_id_is_treated_as_unknown(tmp_path: Path) -> None:
    choice = choose_cache(tmp_path, NAME, "../../evil", url_file(NAME))
    assert choice.server_id == "" and choice.path == tmp_path / url_file(NAME)
