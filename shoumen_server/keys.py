"""The server's keys: secrets in a key directory, key ids and public halves in the database.

- signing: Ed25519, signs personal codes; its public half goes out in the trust list
- sealing: X25519, devices seal document numbers typed offline to it
- venue_mac: HMAC secret of venue-code tokens
- data: AES-GCM key for PII at rest (document numbers, names, phones)
- lookup: HMAC key for the keyed hashes that find a person without decrypting
- sms_mac: HMAC key for SMS code hashes and hashed client addresses
- trust_root: Ed25519 root key that signs trust lists (its public half is pinned in the app;
  shoumen_server.trust_root)

A database dump must decrypt nothing and sign nothing (issue 13 §2), so no secret lives in
the database: `server_keys` keeps each key's id, kind, public half and validity, and the secret
is read by key id from a `KeyProvider`. `FileKeyProvider` is a directory of 0600 files; a KMS
or HSM can implement the same three calls later.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Final, Protocol

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import URL, make_url, select
from sqlalchemy.orm import Session

from shoumen_core.codes import SigningKey, TrustedKey, TrustList, generate_sealing_keypair
from shoumen_server.models import ServerKey, ServerMeta
from shoumen_server.trust_root import bump_trust_list_version

SIGNING_KEY_LIFETIME = timedelta(days=365)
SECRET_KINDS: Final = ("venue_mac", "data", "lookup", "sms_mac")  # 32 random bytes each
KINDS: Final = ("signing", "sealing", "trust_root", *SECRET_KINDS)
_KEY_ID_RE: Final = re.compile(r"[A-Za-z0-9_-]{1,32}")
_POSIX: Final = os.name == "posix"


def b64u(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


# ---- the key directory ----------------------------------------------------------------------


class KeyDirError(Exception):
    """The key directory (or one key in it) cannot be used. The message names the path and says
    what to do, in English and Chinese: the operator reads it at start-up."""

    def __init__(self, english: str, chinese: str) -> None:
        super().__init__(f"{english}\n{chinese}")
        self.english = english
        self.chinese = chinese


class KeyMissing(KeyDirError):
    """The database names a key whose secret the provider does not hold."""


class KeyProvider(Protocol):
    """Where key secrets live. Secrets are bytes addressed by key id; the database holds the ids."""

    def check(self, *, writable: bool = False) -> None:
        """Raise KeyDirError unless the store is usable (and safe) now."""

    def create(self, key_id: str, secret: bytes) -> None:
        """Store a new secret; storing the same secret again is a no-op, a different one an error."""

    def load(self, key_id: str) -> bytes:
        """The secret of a key id; KeyMissing when the store does not hold it."""

    def key_ids(self) -> list[str]: ...


def default_key_dir(database_url: str | URL) -> Path | None:
    """A SQLite file's keys live in a folder beside it (`shoumen.db` -> `shoumen-keys/`); any
    other database has no default, so the operator decides where its keys go."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    path = Path(url.database)
    return path.with_name(f"{path.stem}-keys")


def key_dir_for(database_url: str | URL, key_dir: str | Path | None) -> Path:
    if key_dir:
        return Path(key_dir)
    found = default_key_dir(database_url)
    if found is None:
        raise KeyDirError(
            "SHOUMEN_KEY_DIR is not set: a PostgreSQL (or in-memory) database has no default key "
            "directory. Set SHOUMEN_KEY_DIR to a directory outside the database's backups.",
            "未设置密钥目录 SHOUMEN_KEY_DIR：使用 PostgreSQL（或内存数据库）时必须指定，"
            "请设为不随数据库备份的目录。",
        )
    return found


class FileKeyProvider:
    """One file per key (`<key_id>.key`, mode 0600) in a directory of mode 0700.

    Wider permissions are refused, not repaired: a key another account could read may already
    have been read, and the operator has to know."""

    SUFFIX: Final = ".key"

    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory)

    def path_of(self, key_id: str) -> Path:
        if not _KEY_ID_RE.fullmatch(key_id):
            raise ValueError("key ids are 1-32 letters, digits, '-' or '_'")
        return self.directory / f"{key_id}{self.SUFFIX}"

    def prepare(self) -> None:
        """Make the directory (0700) when it is missing, then check it can take new keys."""
        if not self.directory.exists():
            try:
                self.directory.mkdir(mode=0o700, parents=True)
                self.directory.chmod(0o700)  # mkdir's mode is filtered by the umask
            except OSError as exc:
                raise KeyDirError(
                    f"cannot create the key directory {self.directory}: {exc.strerror}",
                    f"无法创建密钥目录 {self.directory}：{exc.strerror}",
                ) from exc
        self.check(writable=True)

    def check(self, *, writable: bool = False) -> None:
        d = self.directory
        if not d.is_dir():
            raise KeyDirError(
                f"key directory {d} is missing: run `shoumen-server migrate` (it creates the keys) "
                "or restore the directory from its backup",
                f"密钥目录 {d} 不存在：请运行 shoumen-server migrate 创建密钥，或从备份恢复该目录",
            )
        _check_private(d, 0o700)
        if not os.access(d, os.R_OK | os.X_OK) or (writable and not os.access(d, os.W_OK)):
            needed = "readable and writable" if writable else "readable"
            raise KeyDirError(
                f"key directory {d} is not {needed} by this account",
                f"密钥目录 {d} 对当前账户不可{'读写' if writable else '读'}",
            )
        for path in d.iterdir():
            if path.suffix == self.SUFFIX:
                _check_private(path, 0o600)

    def create(self, key_id: str, secret: bytes) -> None:
        path = self.path_of(key_id)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600)
        except FileExistsError:
            if self.load(key_id) != secret:
                raise KeyDirError(
                    f"key file {path} already exists with another secret; refusing to overwrite it",
                    f"密钥文件 {path} 已存在且内容不同，拒绝覆盖",
                ) from None
            return
        except OSError as exc:
            raise KeyDirError(
                f"cannot write key file {path}: {exc.strerror}", f"无法写入密钥文件 {path}：{exc.strerror}"
            ) from exc
        try:
            os.write(fd, secret)
            os.fsync(fd)
        finally:
            os.close(fd)
        _fsync_dir(self.directory)

    def load(self, key_id: str) -> bytes:
        path = self.path_of(key_id)
        if not path.is_file():
            raise KeyMissing(
                f"key {key_id} is named by the database but {path} is missing: the key directory "
                "does not belong to this database (restore it from its backup)",
                f"数据库中的密钥 {key_id} 在密钥目录中不存在（{path}）：密钥目录与数据库不匹配，请从备份恢复",
            )
        _check_private(path, 0o600)
        return path.read_bytes()

    def key_ids(self) -> list[str]:
        if not self.directory.is_dir():
            return []
        return sorted(p.stem for p in self.directory.iterdir() if p.suffix == self.SUFFIX)


def _check_private(path: Path, wanted: int) -> None:
    if not _POSIX:  # NTFS ACLs: the user profile folder is private already
        return
    mode = path.stat().st_mode & 0o777
    if mode & 0o077:
        raise KeyDirError(
            f"{path} has permissions {mode:04o}, wider than {wanted:04o}: other accounts may read the "
            f"server's keys. Run `chmod {wanted:o} {path}` (and consider the keys exposed)",
            f"{path} 的权限为 {mode:04o}，比 {wanted:04o} 宽，其他账户可能读取服务器密钥。"
            f"请运行 chmod {wanted:o} {path}（并视该密钥已泄露）",
        )


def _fsync_dir(directory: Path) -> None:
    if not _POSIX:
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def provider_for(database_url: str | URL, key_dir: str | Path | None = None) -> FileKeyProvider:
    return FileKeyProvider(key_dir_for(database_url, key_dir))


def session_url(session: Session) -> URL:
    """The URL of the database a session really talks to."""
    bind = session.get_bind()
    return bind.engine.url


def session_provider(session: Session) -> FileKeyProvider:
    """The default provider of a session's database: the folder beside a SQLite file (a
    PostgreSQL session has none, and callers must pass theirs)."""
    return provider_for(session_url(session))


# ---- keys in the database -------------------------------------------------------------------


def add_key(
    session: Session,
    provider: KeyProvider,
    kind: str,
    now: datetime,
    secret: bytes,
    public: bytes | None = None,
    key_id: str = "",
) -> ServerKey:
    """A new active key: its secret to the provider, its id and public half to the database."""
    key_id = key_id or f"{kind}-{secrets.token_hex(4)}"
    # The file first: a row never names a secret that was not stored. A crash in between
    # leaves an unnamed file behind, which is harmless.
    provider.create(key_id, secret)
    row = ServerKey(
        kind=kind, key_id=key_id, secret=None, public=public, created_at=now, valid_until=None, active=True
    )
    session.add(row)
    return row


def move_secrets_out(session: Session, provider: KeyProvider) -> int:
    """Secrets still in `server_keys` (databases made before the key directory) go to the
    provider and are cleared from the table. Returns how many moved."""
    rows = session.scalars(select(ServerKey).where(ServerKey.secret.is_not(None))).all()
    for row in rows:
        provider.create(row.key_id, row.secret or b"")
        row.secret = None
    session.flush()
    return len(rows)


def ensure_keys(session: Session, now: datetime, provider: KeyProvider | None = None) -> None:
    """Create every missing key and the database epoch. Idempotent."""
    provider = provider or session_provider(session)
    kinds = set(session.scalars(select(ServerKey.kind).where(ServerKey.active)).all())
    if "signing" not in kinds:
        key = SigningKey.generate()
        row = add_key(session, provider, "signing", now, key.to_pem(), key.public_bytes(), key.key_id)
        row.valid_until = now + SIGNING_KEY_LIFETIME
    if "sealing" not in kinds:
        private, public = generate_sealing_keypair()
        add_key(session, provider, "sealing", now, private, public)
    if "trust_root" not in kinds:
        root = SigningKey.generate(f"trust_root-{secrets.token_hex(4)}")
        add_key(session, provider, "trust_root", now, root.to_pem(), root.public_bytes(), root.key_id)
    for kind in SECRET_KINDS:
        if kind not in kinds:
            add_key(session, provider, kind, now, os.urandom(32))
    if session.get(ServerMeta, "epoch") is None:
        session.add(ServerMeta(key="epoch", value=uuid.uuid4().hex))
    session.flush()


def require_secrets(session: Session, provider: KeyProvider) -> None:
    """KeyMissing unless the provider holds every active key the database names: a database
    restored without its key directory (or a stolen copy) stops here, before anything runs."""
    for key_id in session.scalars(select(ServerKey.key_id).where(ServerKey.active)):
        provider.load(key_id)


def rotate_signing_key(session: Session, now: datetime, provider: KeyProvider | None = None) -> str:
    """A new signing key becomes active; the old one stays trusted until its codes expire."""
    provider = provider or session_provider(session)
    for row in session.scalars(select(ServerKey).where(ServerKey.kind == "signing", ServerKey.active)):
        row.active = False
        row.valid_until = now + timedelta(days=2)
    key = SigningKey.generate()
    row = add_key(session, provider, "signing", now, key.to_pem(), key.public_bytes(), key.key_id)
    row.valid_until = now + SIGNING_KEY_LIFETIME
    bump_trust_list_version(session)
    session.flush()
    return key.key_id


def signing_key_of(provider: KeyProvider, row: ServerKey) -> SigningKey:
    """The Ed25519 private key of a signing or trust_root row, checked against its public half."""
    key = SigningKey.from_pem(row.key_id, provider.load(row.key_id))
    if row.public is not None and key.public_bytes() != row.public:
        raise KeyDirError(
            f"key {row.key_id} in the key directory does not match the database's public key",
            f"密钥目录中的 {row.key_id} 与数据库中的公钥不符：密钥目录与数据库不匹配",
        )
    return key


@dataclass(frozen=True)
class KeyStore:
    signing: SigningKey
    trust_root: SigningKey
    trusted: tuple[TrustedKey, ...]
    sealing_private: bytes
    sealing_public: bytes
    venue_secret: bytes
    data_key: bytes
    lookup_key: bytes
    sms_key: bytes
    epoch: str

    @classmethod
    def load(cls, session: Session, provider: KeyProvider | None = None) -> KeyStore:
        """The active keys: ids from the database, secrets from the provider (by default the
        directory beside a SQLite file)."""
        rows = session.scalars(select(ServerKey).order_by(ServerKey.id)).all()
        active = {row.kind: row for row in rows if row.active}
        missing = set(KINDS) - active.keys()
        if missing or any(row.secret is not None for row in rows):
            raise RuntimeError(
                f"server keys missing or not moved out ({', '.join(sorted(missing))}): "
                "run `shoumen-server migrate`"
            )
        provider = provider or session_provider(session)
        provider.check()
        trusted = tuple(
            TrustedKey(
                key_id=row.key_id,
                public_key=b64u(row.public or b""),
                # Codes carry whole seconds: a code signed in the key's first second is valid.
                valid_from=row.created_at.replace(microsecond=0),
                valid_until=row.valid_until or (row.created_at + SIGNING_KEY_LIFETIME),
            )
            for row in rows
            if row.kind == "signing"
        )
        epoch = session.get(ServerMeta, "epoch")
        return cls(
            signing=signing_key_of(provider, active["signing"]),
            trusted=trusted,
            sealing_private=provider.load(active["sealing"].key_id),
            sealing_public=active["sealing"].public or b"",
            venue_secret=provider.load(active["venue_mac"].key_id),
            data_key=provider.load(active["data"].key_id),
            lookup_key=provider.load(active["lookup"].key_id),
            sms_key=provider.load(active["sms_mac"].key_id),
            trust_root=signing_key_of(provider, active["trust_root"]),
            epoch=epoch.value if epoch else "",
        )

    def trust_list(self, now: datetime, validity: timedelta) -> TrustList:
        keys = tuple(k for k in self.trusted if k.valid_until > now)
        return TrustList(keys=keys, issued_at=now, valid_until=now + validity)

    def encrypt(self, plaintext: str) -> bytes:
        nonce = os.urandom(12)
        return nonce + AESGCM(self.data_key).encrypt(nonce, plaintext.encode("utf-8"), None)

    def decrypt(self, blob: bytes) -> str:
        return AESGCM(self.data_key).decrypt(blob[:12], blob[12:], None).decode("utf-8")

    def keyed_hash(self, purpose: str, value: str) -> str:
        return hmac.new(self.lookup_key, f"{purpose}|{value}".encode(), hashlib.sha256).hexdigest()

    def sms_hash(self, purpose: str, value: str) -> str:
        """SMS code hashes and client-address hashes: a dump of `sms_codes` cannot be
        brute-forced back to codes or addresses without the key (10^6 codes take no time)."""
        return hmac.new(self.sms_key, f"{purpose}|{value}".encode(), hashlib.sha256).hexdigest()


def token_hash(token: str) -> str:
    """Bearer tokens are stored only as this hash."""
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()
