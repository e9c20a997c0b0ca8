"""Issue 13 §2: the keys live in a key directory, not in the database beside the personal data.

A copy of the database alone must decrypt nothing and sign nothing; a key directory others can
read is refused with a message naming the path; old databases have their secrets moved out.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from cryptography.exceptions import InvalidTag
from sqlalchemy import delete, insert, select
from sqlalchemy.engine import make_url

from shoumen_core.codes import SigningKey, generate_sealing_keypair, issue_personal_code
from shoumen_core.trust import parse_signed_trust_list
from shoumen_server import migrate
from shoumen_server.db import make_engine, make_session_factory
from shoumen_server.deps import ServerContext
from shoumen_server.health import RegistryHealthSource, add_person
from shoumen_server.keys import (
    KINDS,
    FileKeyProvider,
    KeyDirError,
    KeyMissing,
    KeyStore,
    default_key_dir,
    key_dir_for,
)
from shoumen_server.models import Person, ServerKey
from shoumen_server.seed import demo_people
from shoumen_server.setup_db import migrate_database
from tests.server.conftest import KEYS_CREATED_AT, Server, _pg_database_url, _pg_execute
from tests.server.journeys import API, register_venue

ROOT = Path(__file__).resolve().parents[2]


def ctx_of(server: Server) -> ServerContext:
    ctx: ServerContext = server.client.app.state.ctx  # type: ignore[attr-defined]
    return ctx


@pytest.fixture
def take_dump(server: Server, tmp_path: Path) -> Iterator[Callable[[], str]]:
    """Copies the server's database and nothing else: what a stolen dump or backup is."""
    made: list[str] = []

    def take() -> str:
        url = server.settings.database_url
        # The last connection closing folds SQLite's WAL into the file; PostgreSQL copies
        # only a database nobody is connected to.
        server.client.app.state.engine.dispose()  # type: ignore[attr-defined]
        if url.startswith("sqlite"):
            path = tmp_path / "dump" / "stolen.db"
            path.parent.mkdir()
            shutil.copyfile(make_url(url).database or "", path)
            return f"sqlite:///{path}"
        name = f"{make_url(url).database}_dump"
        _pg_execute(f'CREATE DATABASE "{name}" TEMPLATE "{make_url(url).database}"')
        made.append(name)
        return _pg_database_url(name)

    yield take
    for name in made:
        _pg_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def lookup_code(server: Server, venue_id: int, headers: dict[str, str], code: str) -> tuple[int, str]:
    r = server.client.post(f"{API}/venues/{venue_id}/lookup", json={"personal_code": code}, headers=headers)
    return r.status_code, r.json()["error"]["code"] if r.status_code != 200 else ""


def test_database_dump_decrypts_nothing_and_signs_nothing(
    server: Server, take_dump: Callable[[], str], tmp_path: Path
) -> None:
    ctx = ctx_of(server)
    person = demo_people(server.clock(), count=0)[0].data
    with ctx.sessions.begin() as session:
        record = add_person(session, ctx.keys, person, server.clock())
    venue_id, owner = register_venue(server)
    dump_url = take_dump()

    # 1. No secret is in the copy at all.
    engine = make_engine(dump_url)
    try:
        with engine.connect() as conn:
            secrets_left = conn.execute(select(ServerKey.secret).where(ServerKey.secret.is_not(None))).all()
            assert secrets_left == []
            kinds = set(conn.execute(select(ServerKey.kind)).scalars())
            assert kinds == set(KINDS)
    finally:
        engine.dispose()

    # 2. A fresh server on the copy with its own (empty) key directory refuses to start: the
    #    database names keys the directory does not hold.
    stolen_keys = tmp_path / "thief-keys"
    with pytest.raises(KeyMissing) as refused:
        migrate_database(dump_url, key_dir=stolen_keys)
    assert "key directory" in refused.value.english and "密钥目录" in refused.value.chinese

    # 3. The thief throws the key rows away and lets migrate make new keys: they open nothing.
    engine = make_engine(dump_url)
    try:
        with engine.begin() as conn:
            conn.execute(delete(ServerKey))
        migrate_database(dump_url, key_dir=stolen_keys)
        with make_session_factory(engine)() as session:
            thief = KeyStore.load(session, FileKeyProvider(stolen_keys))
            row = session.scalar(select(Person).where(Person.person_ref == record.person_ref))
            assert row is not None
            for blob in (row.name_enc, row.doc_enc):
                with pytest.raises(InvalidTag):
                    thief.decrypt(blob)
            # Nor can the thief find the person by document number: the lookup hash is keyed.
            found = RegistryHealthSource(session, thief).find_by_document(
                person.document.kind, person.document.number
            )
            assert found is None
    finally:
        engine.dispose()

    # 4. A code the thief mints for the person (pass, valid for a day) is refused by the real
    #    server: under a new key id it is unknown, under the real key id its signature is bad.
    now = server.clock()
    real_key_id = ctx.keys.signing.key_id
    forged = [
        issue_personal_code(
            key=key,
            person_ref=record.person_ref,
            masked_name=record.masked_name,
            masked_id=record.masked_id,
            snapshot=record.snapshot,
            issued_at=now,
        )
        for key in (thief.signing, SigningKey(real_key_id, thief.signing.private_key))
    ]
    assert lookup_code(server, venue_id, owner, forged[0]) == (422, "unknown_key")
    assert lookup_code(server, venue_id, owner, forged[1]) == (422, "bad_signature")
    trusted = parse_signed_trust_list(server.client.get(f"{API}/trust-list").text).payload().keys
    assert thief.signing.key_id not in {key.key_id for key in trusted}
    assert thief.signing.trusted_key(now, now).public_key not in {key.public_key for key in trusted}
    assert thief.trust_root.public_bytes() != ctx.keys.trust_root.public_bytes()


def test_every_key_kind_has_its_secret_in_the_key_directory_only(server: Server, key_dir: Path) -> None:
    keys = ctx_of(server).keys
    with ctx_of(server).sessions() as session:
        rows = session.scalars(select(ServerKey)).all()
    provider = FileKeyProvider(key_dir)
    assert {row.key_id for row in rows} <= set(provider.key_ids())
    assert all(row.secret is None for row in rows)
    by_kind = {row.kind: row for row in rows if row.active}
    assert by_kind["trust_root"].public == keys.trust_root.public_bytes()
    assert by_kind["signing"].public == keys.signing.public_bytes()
    assert len(keys.sms_key) == 32 and keys.sms_key != keys.lookup_key
    if os.name == "posix":
        assert key_dir.stat().st_mode & 0o777 == 0o700
        assert {(key_dir / f"{row.key_id}.key").stat().st_mode & 0o777 for row in rows} == {0o600}


def _old_key_rows(now: datetime) -> list[dict[str, object]]:
    """server_keys as revision 0003 kept them: the secret in the row."""
    signing = SigningKey.generate()
    sealing_private, sealing_public = generate_sealing_keypair()
    rows: list[dict[str, object]] = [
        {
            "kind": "signing",
            "key_id": signing.key_id,
            "secret": signing.to_pem(),
            "public": signing.public_bytes(),
        },
        {"kind": "sealing", "key_id": "sealing-old", "secret": sealing_private, "public": sealing_public},
    ]
    rows += [
        {"kind": kind, "key_id": f"{kind}-old", "secret": os.urandom(32), "public": None}
        for kind in ("venue_mac", "data", "lookup")
    ]
    for row in rows:
        row.update(created_at=now, valid_until=now + timedelta(days=365), active=True)
    return rows


def test_migrate_moves_secrets_out_of_an_old_database(database_url: str, tmp_path: Path) -> None:
    migrate.downgrade(database_url, "0003_gate")
    old = _old_key_rows(KEYS_CREATED_AT)
    engine = make_engine(database_url)
    try:
        with engine.begin() as conn:
            conn.execute(delete(ServerKey.__table__))
            conn.execute(insert(ServerKey.__table__), old)
    finally:
        engine.dispose()
    keys_at = tmp_path / "moved-keys"
    migrate_database(database_url, key_dir=keys_at)

    engine = make_engine(database_url)
    try:
        with make_session_factory(engine)() as session:
            assert session.scalars(select(ServerKey.secret).where(ServerKey.secret.is_not(None))).all() == []
            keys = KeyStore.load(session, FileKeyProvider(keys_at))
    finally:
        engine.dispose()
    secret_of = {row["kind"]: row["secret"] for row in old}
    assert keys.data_key == secret_of["data"] and keys.lookup_key == secret_of["lookup"]
    assert keys.venue_secret == secret_of["venue_mac"] and keys.sealing_private == secret_of["sealing"]
    assert keys.signing.to_pem() == secret_of["signing"]
    assert (keys_at / "data-old.key").read_bytes() == secret_of["data"]
    if database_url.startswith("sqlite"):
        # Not even in the file's free pages: a copy of the file finds no old secret.
        raw = Path(make_url(database_url).database or "").read_bytes()
        assert secret_of["data"] not in raw and secret_of["lookup"] not in raw


def test_migrate_again_is_a_no_op_for_the_keys(database_url: str, key_dir: Path) -> None:
    before = FileKeyProvider(key_dir).key_ids()
    migrate_database(database_url, key_dir=key_dir)
    assert FileKeyProvider(key_dir).key_ids() == before


def test_key_directory_wider_than_0700_is_refused_naming_it(database_url: str, key_dir: Path) -> None:
    key_dir.chmod(0o750)
    with pytest.raises(KeyDirError) as refused:
        migrate_database(database_url, key_dir=key_dir)
    assert str(key_dir) in refused.value.english and "0750" in refused.value.english
    assert str(key_dir) in refused.value.chinese and "权限" in refused.value.chinese


def test_key_file_wider_than_0600_is_refused_naming_it(database_url: str, key_dir: Path) -> None:
    victim = sorted(key_dir.iterdir())[0]
    victim.chmod(0o644)
    engine = make_engine(database_url)
    try:
        with make_session_factory(engine)() as session, pytest.raises(KeyDirError) as refused:
            KeyStore.load(session, FileKeyProvider(key_dir))
    finally:
        engine.dispose()
    assert str(victim) in str(refused.value) and "0644" in str(refused.value)


def test_missing_key_directory_is_refused_at_start(database_url: str, key_dir: Path) -> None:
    shutil.rmtree(key_dir)
    engine = make_engine(database_url)
    try:
        with make_session_factory(engine)() as session, pytest.raises(KeyDirError) as refused:
            KeyStore.load(session, FileKeyProvider(key_dir))
    finally:
        engine.dispose()
    assert str(key_dir) in refused.value.english and "不存在" in refused.value.chinese


def test_postgresql_needs_an_explicit_key_dir() -> None:
    with pytest.raises(KeyDirError) as refused:
        key_dir_for("postgresql+psycopg://db.example/shoumen", None)
    assert "SHOUMEN_KEY_DIR" in refused.value.english and "SHOUMEN_KEY_DIR" in refused.value.chinese
    assert default_key_dir("sqlite:////srv/shoumen/shoumen.db") == Path("/srv/shoumen/shoumen-keys")
    assert key_dir_for("postgresql+psycopg://db.example/shoumen", "/etc/shoumen/keys") == Path(
        "/etc/shoumen/keys"
    )


def test_a_key_file_is_never_overwritten(tmp_path: Path) -> None:
    provider = FileKeyProvider(tmp_path / "keys")
    provider.prepare()
    provider.create("data-1", b"a" * 32)
    provider.create("data-1", b"a" * 32)  # the same secret again (a migrate re-run): fine
    with pytest.raises(KeyDirError):
        provider.create("data-1", b"b" * 32)
    assert provider.load("data-1") == b"a" * 32


def test_cli_migrate_with_a_readable_key_dir_exits_2_with_the_message(tmp_path: Path) -> None:
    keys = tmp_path / "keys"
    keys.mkdir(mode=0o700)
    keys.chmod(0o755)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SHOUMEN_KEY_DIR": str(keys)}
    env.pop("SHOUMEN_DATABASE_URL", None)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "shoumen_server",
            "migrate",
            "--database-url",
            f"sqlite:///{tmp_path / 'x.db'}",
        ],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        timeout=120,
        check=False,
    )
    assert result.returncode == 2, result.stderr
    assert str(keys) in result.stderr and "0755" in result.stderr and "权限" in result.stderr
