"""Which local cache belongs to which server: keyed on the server's identity, not its URL.

A remote server reports a `server_id` in /api/v1/info (made once with its database; not the
epoch, see shoumen_server/identity.py). `servers.json` in the data folder remembers which
server each URL reached and which cache file each server has, so:

- the same server under another URL (127.0.0.1 / localhost, an IP / a domain, http / https)
  keeps its cache file — its venue data, device id and unsynced checks — and the guard is told;
- a cache file left by a URL before its server was known (first start offline, or a version
  that named caches after the URL) is adopted; another one of the same server that still holds
  unsynced rows has them moved over (LocalCache.take_unsynced_from), and the guard is told;
- a different server, while the last one's cache still holds unsynced rows, is only used after
  the guard agreed; those rows stay in their file, pending, until that server is used again.

Offline with a URL never seen before, the server is unknown: the cache named after the URL
is used, as before, and sorted out on the first start that reaches the server.

Qt-free; the session flow runs this on the cache lane.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from shoumen_gui.services.cache import LocalCache
from shoumen_gui.services.errors import CacheError, StorageError

log = logging.getLogger("shoumen.gui.servers")

DIRECTORY_FILE: Final = "servers.json"
DIRECTORY_VERSION: Final = 1
SERVER_ID_SHAPE: Final = re.compile(r"[0-9a-f]{32}")
SERVER_ID_META: Final = "server_id"  # a cache file's own note of the server it belongs to


def cache_name_for(server_id: str) -> str:
    """The cache file of a server first met after this version (AppPaths.cache_db's pattern)."""
    return f"cache-server-id-{server_id}.db"


@dataclass
class ServerDirectory:
    """servers.json: URL -> server_id, server_id -> cache file name, and the server used last."""

    path: Path
    urls: dict[str, str] = field(default_factory=dict)
    caches: dict[str, str] = field(default_factory=dict)
    last: str = ""

    @classmethod
    def load(cls, data_dir: Path) -> ServerDirectory:
        path = data_dir / DIRECTORY_FILE
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return cls(path)
        except (OSError, ValueError) as exc:
            log.warning("%s unreadable (%s); servers are learned again", DIRECTORY_FILE, type(exc).__name__)
            return cls(path)
        if not isinstance(raw, dict):
            return cls(path)
        last = raw.get("last")
        return cls(
            path,
            urls=_ids_by_text(raw.get("urls")),
            caches={k: v for k, v in _str_map(raw.get("caches")).items() if _is_id(k) and _is_cache_name(v)},
            last=last if isinstance(last, str) and _is_id(last) else "",
        )

    def save(self) -> None:
        """Atomically (temp file + rename). A full disk keeps the old file: the next start
        learns the same again."""
        data = {"version": DIRECTORY_VERSION, "urls": self.urls, "caches": self.caches, "last": self.last}
        try:
            fd, tmp = tempfile.mkstemp(prefix=".servers-", suffix=".json", dir=self.path.parent)
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as handle:
                    json.dump(data, handle, indent=2, sort_keys=True)
                os.replace(tmp, self.path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        except OSError as exc:
            log.warning("%s not saved (%s)", DIRECTORY_FILE, type(exc).__name__)

    def urls_of(self, server_id: str) -> list[str]:
        return sorted(url for url, sid in self.urls.items() if sid == server_id)


@dataclass(frozen=True)
class OtherServer:
    """The server used last, whose cache still holds rows it has not accepted."""

    server_id: str
    urls: tuple[str, ...]
    path: Path
    unsynced: int


@dataclass(frozen=True)
class CacheChoice:
    url: str
    path: Path
    server_id: str  # "" = not known (offline, or a server older than server_id)
    earlier_urls: tuple[str, ...] = ()  # the same server was used under these URLs before
    strays: tuple[Path, ...] = ()  # other cache files of this server holding unsynced rows
    other_server: OtherServer | None = None  # a different server holds unsynced rows: ask first


@dataclass(frozen=True)
class Adopted:
    """What adopt() did, for the guard: the cache in use and the rows moved into it."""

    cache: LocalCache
    moved: int
    earlier_urls: tuple[str, ...]


def choose_cache(data_dir: Path, url: str, server_id: str, url_cache_name: str) -> CacheChoice:
    """Which cache file `url` uses. `server_id`: what /info said ("" offline or from an old
    server); `url_cache_name`: the file named after the URL (the fallback, and how earlier
    versions named caches). Reads other cache files to count their unsynced rows."""
    url = normalise_url(url)
    directory = ServerDirectory.load(data_dir)
    sid = server_id if _is_id(server_id) else directory.urls.get(url, "")
    if not sid:
        return CacheChoice(url, data_dir / url_cache_name, "")
    url_cache = data_dir / url_cache_name
    name = directory.caches.get(sid)
    if name is None:  # first met: adopt the URL's own file unless another server wrote it
        noted, _unsynced = _peek(url_cache)
        name = url_cache_name if url_cache.exists() and noted in ("", sid) else cache_name_for(sid)
    path = data_dir / name
    earlier = tuple(u for u in directory.urls_of(sid) if u != url)
    strays: list[Path] = []
    for candidate in sorted(data_dir.glob("cache-server-*.db")):
        if candidate == path:
            continue
        of_this_server = candidate == url_cache or candidate.name in _url_names(directory.urls_of(sid))
        noted, unsynced = _peek(candidate)
        if unsynced and ((of_this_server and noted in ("", sid)) or noted == sid):
            strays.append(candidate)
    other: OtherServer | None = None
    last = directory.last
    if last and last != sid and last in directory.caches:
        other_path = data_dir / directory.caches[last]
        _noted, unsynced = _peek(other_path)
        if unsynced:
            other = OtherServer(last, tuple(directory.urls_of(last)), other_path, unsynced)
    return CacheChoice(url, path, sid, earlier, tuple(strays), other)


def adopt(data_dir: Path, choice: CacheChoice, *, builtin_roots: Sequence[str] = ()) -> Adopted:
    """Open the chosen cache (with the trust roots built in for this server), note its server in
    it, move the strays' unsynced rows in and remember URL, server and file in servers.json.
    Cache lane."""
    cache = LocalCache.open(choice.path, builtin_roots=builtin_roots)
    moved = 0
    if choice.server_id:
        try:
            cache.set_meta(SERVER_ID_META, choice.server_id)
            for stray in choice.strays:
                LocalCache.open(stray).close()  # brought to this schema version before the move
                moved += cache.take_unsynced_from(stray)
        except StorageError:
            log.warning("could not move unsynced rows on a full or failing disk; they stay where they are")
        directory = ServerDirectory.load(data_dir)
        directory.urls[choice.url] = choice.server_id
        directory.caches[choice.server_id] = choice.path.name
        directory.last = choice.server_id
        directory.save()
    return Adopted(cache, moved, choice.earlier_urls)


def normalise_url(url: str) -> str:
    return url.strip().rstrip("/")


def url_cache_key(url: str) -> str:
    """The key earlier versions (and an unknown server) name a cache after: the URL's hash."""
    return "server-" + hashlib.sha256(normalise_url(url).encode()).hexdigest()[:12]


def _url_names(urls: list[str]) -> set[str]:
    return {f"cache-{url_cache_key(u)}.db" for u in urls}


def _peek(path: Path) -> tuple[str, int]:
    """(the server noted in a cache file, its unsynced rows); ("", 0) if it cannot be read."""
    if not path.exists():
        return "", 0
    try:
        cache = LocalCache.open(path)
    except (CacheError, StorageError) as exc:
        log.warning("cache %s not readable (%s)", path.name, type(exc).__name__)
        return "", 0
    try:
        return cache.get_meta(SERVER_ID_META) or "", cache.pending_count() + cache.rejected_count()
    finally:
        cache.close()


def _is_id(value: Any) -> bool:
    return isinstance(value, str) and SERVER_ID_SHAPE.fullmatch(value) is not None


def _is_cache_name(value: str) -> bool:
    return re.fullmatch(r"cache-server-[0-9a-z-]{1,60}\.db", value) is not None


def _str_map(value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        return {}
    return {k: v for k, v in value.items() if isinstance(k, str) and isinstance(v, str)}


def _ids_by_text(value: Any) -> dict[str, str]:
    return {k: v for k, v in _str_map(value).items() if _is_id(v)}
