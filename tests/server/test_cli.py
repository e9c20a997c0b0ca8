"""`shoumen-server` as a person runs it: `python -m shoumen_server ...` in a subprocess, on a
temporary SQLite file; and `serve` answering real HTTP on a free port."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import cv2
import httpx
import pytest
import zxingcpp
from sqlalchemy import func, select

from shoumen_core.codes import verify_personal_code
from shoumen_core.timeutil import utcnow
from shoumen_core.trust import parse_signed_trust_list, root_key_id, root_public_key
from shoumen_server.db import make_engine, make_session_factory
from shoumen_server.keys import KeyStore
from shoumen_server.models import Person, User
from shoumen_server.seed import DEMO_PATHS, DEMO_PATHS_BY_KEY, seed_demo
from shoumen_server.trust_root import root_endorsements
from tests.ports import free_port
from tests.server.conftest import copy_sqlite_template

GREEN = DEMO_PATHS_BY_KEY["green_fresh"].number
UNKNOWN_ID = "330624198503121020"


def run(*args: str, url: str | None, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if key != "SHOUMEN_DATABASE_URL"}
    env["PYTHONUTF8"] = "1"
    if url is not None:
        env["SHOUMEN_DATABASE_URL"] = url
    return subprocess.run(
        [sys.executable, "-m", "shoumen_server", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        cwd=cwd,
        timeout=120,
        check=False,
    )


@pytest.fixture
def db_url(sqlite_template: Path, tmp_path: Path) -> str:
    """A migrated SQLite file (a copy of the session's template)."""
    return copy_sqlite_template(sqlite_template, tmp_path / "cli.db")


class Db:
    def __init__(self, url: str) -> None:
        self.engine = make_engine(url)
        self.sessions = make_session_factory(self.engine)

    def keys(self) -> KeyStore:
        with self.sessions() as session:
            return KeyStore.load(session)

    def persons(self) -> int:
        with self.sessions() as session:
            return session.scalar(select(func.count()).select_from(Person)) or 0


@pytest.fixture
def db(db_url: str) -> Iterator[Db]:
    opened = Db(db_url)
    yield opened
    opened.engine.dispose()


def test_migrate_defaults_to_shoumen_db_in_the_working_directory(tmp_path: Path) -> None:
    first = run("migrate", url=None, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert (tmp_path / "shoumen.db").is_file()
    assert run("migrate", url=None, cwd=tmp_path).returncode == 0  # idempotent
    db = Db(f"sqlite:///{tmp_path / 'shoumen.db'}")
    try:
        assert db.keys().signing.key_id
    finally:
        db.engine.dispose()


def test_an_unmigrated_database_is_refused_calmly(tmp_path: Path) -> None:
    result = run(
        "issue-code", "--document", GREEN, "--database-url", f"sqlite:///{tmp_path / 'empty.db'}", url=None
    )
    assert result.returncode == 2
    assert "请先运行 shoumen-server migrate" in result.stderr
    assert "Traceback" not in result.stderr


def test_seed_demo_is_idempotent_and_refreshes_times(db: Db, db_url: str) -> None:
    first = run("seed-demo", url=db_url)
    assert first.returncode == 0, first.stderr
    assert "256 名人员" in first.stdout
    assert db.persons() == 256
    second = run("seed-demo", url=db_url)
    assert second.returncode == 0 and "未作改动" in second.stdout
    refreshed = run("seed-demo", "--refresh-times", url=db_url)
    assert refreshed.returncode == 0 and "刷新 256 名" in refreshed.stdout
    assert db.persons() == 256
    for path in DEMO_PATHS:  # no PII in the logs
        assert path.number not in first.stderr + refreshed.stderr
        assert path.name not in first.stderr + refreshed.stderr


def test_issue_code_prints_a_code_that_verifies(db: Db, db_url: str) -> None:
    seed_demo(db.sessions, db.keys(), utcnow())
    result = run("issue-code", "--document", GREEN, url=db_url)
    assert result.returncode == 0, result.stderr
    now = utcnow()
    code = verify_personal_code(result.stdout.strip(), db.keys().trust_list(now, timedelta(days=1)), now)
    assert code.masked_id == GREEN[:6] + "*" * 8 + GREEN[-4:]
    hk = run("issue-code", "--document", "H12345678", "--kind", "hk_macao_pass", url=db_url)
    assert hk.returncode == 0 and hk.stdout.startswith("SMHC1.")
    unknown = run("issue-code", "--document", UNKNOWN_ID, url=db_url)
    assert unknown.returncode == 1 and "没有该证件" in unknown.stderr
    bad = run("issue-code", "--document", GREEN[:-1] + "0", url=db_url)
    assert bad.returncode == 2 and "校验位错误" in bad.stderr


def test_import_health_exit_codes(db: Db, db_url: str, tmp_path: Path) -> None:
    header = "document_number,name,health_code,vaccination,nat_sampled_at,nat_result,travel"
    good = tmp_path / "good.csv"
    good.write_text(
        f"{header}\n{GREEN},陈建国,green,full,2026-01-01T08:00:00+08:00,negative,normal\n"
        f"{UNKNOWN_ID},李四,red,none,,,abnormal\n",
        encoding="utf-8-sig",
    )
    result = run("import-health", str(good), url=db_url)
    assert result.returncode == 0, result.stderr
    assert "新增 2 人，更新 0 人，错误 0 行" in result.stdout
    mixed = tmp_path / "mixed.csv"
    mixed.write_text(
        f"{header}\n{GREEN},陈建国,green,full,,,normal\n{GREEN[:-1]}0,张三,green,full,,,normal\n"
    )
    result = run("import-health", str(mixed), url=db_url)
    assert result.returncode == 1
    assert "新增 0 人，更新 1 人，错误 1 行" in result.stdout
    assert "第 3 行：证件号码无效" in result.stderr
    assert db.persons() == 2
    missing = run("import-health", str(tmp_path / "nope.csv"), url=db_url)
    assert missing.returncode == 2 and "找不到文件" in missing.stderr


def test_create_supervisor(db: Db, db_url: str) -> None:
    args = ("create-supervisor", "--phone", "139 0000 0099", "--name", "钱科长", "--region", "330683")
    result = run(*args, "--region-name", "嵊州市", url=db_url)
    assert result.returncode == 0, result.stderr
    assert "139****0099" in result.stdout and "13900000099" not in result.stdout + result.stderr
    with db.sessions() as session:
        user = session.scalar(select(User).where(User.phone == "13900000099"))
        assert user is not None
        assert (user.name, user.is_supervisor, user.region_code, user.region_name) == (
            "钱科长",
            True,
            "330683",
            "嵊州市",
        )
    assert run(*args[:-1], "330624", url=db_url).returncode == 0  # moved to another region
    with db.sessions() as session:
        assert session.scalar(select(User.region_code).where(User.phone == "13900000099")) == "330624"
        assert session.scalar(select(func.count()).select_from(User)) == 1
    bad_phone = run("create-supervisor", "--phone", "12345", "--name", "x", "--region", "330624", url=db_url)
    assert bad_phone.returncode == 2 and "手机号码格式不正确" in bad_phone.stderr
    bad_region = run(
        "create-supervisor", "--phone", "13900000098", "--name", "x", "--region", "3306", url=db_url
    )
    assert bad_region.returncode == 2 and "6 位数字" in bad_region.stderr


def test_rotate_signing_key(db: Db, db_url: str) -> None:
    before = db.keys()
    result = run("rotate-signing-key", url=db_url)
    assert result.returncode == 0, result.stderr
    after = db.keys()
    assert after.signing.key_id != before.signing.key_id
    assert after.signing.key_id in result.stdout
    assert {key.key_id for key in after.trusted} == {before.signing.key_id, after.signing.key_id}


def test_rotate_trust_root(db: Db, db_url: str) -> None:
    """Issue 13 §3: `trust-root` prints the pin for the app's built-in list; `rotate-trust-root`
    makes a new root the old one endorses."""
    before = db.keys()
    shown = run("trust-root", url=db_url)
    assert shown.returncode == 0, shown.stderr
    old_public = root_public_key(before.trust_root)
    assert shown.stdout.split() == [root_key_id(old_public), old_public]
    result = run("rotate-trust-root", url=db_url)
    assert result.returncode == 0, result.stderr
    after = db.keys()
    new_public = root_public_key(after.trust_root)
    assert new_public != old_public
    assert root_key_id(new_public) in result.stdout and root_key_id(old_public) in result.stdout
    with db.sessions() as session:
        endorsements = root_endorsements(session)
    assert [(e.old_root_public_key, e.new_root_public_key) for e in endorsements] == [
        (old_public, new_public)
    ]
    assert endorsements[0].is_valid()


def test_demo_codes(db: Db, db_url: str, tmp_path: Path) -> None:
    out = tmp_path / "codes"
    refused = run("demo-codes", "--out", str(out), url=db_url)
    assert refused.returncode == 2 and "seed-demo" in refused.stderr
    seed_demo(db.sessions, db.keys(), utcnow())
    result = run("demo-codes", "--out", str(out), url=db_url)
    assert result.returncode == 0, result.stderr
    index = json.loads((out / "codes.json").read_text(encoding="utf-8"))
    assert sorted(index) == sorted(f"{path.key}_1.png" for path in DEMO_PATHS)
    assert (out / "demo.mp4").stat().st_size > 0
    image = cv2.imread(str(out / "red_1.png"), cv2.IMREAD_GRAYSCALE)
    assert image is not None
    assert [r.text for r in zxingcpp.read_barcodes(image)] == [index["red_1.png"]["code"]]
    assert index["red_1.png"]["level"] == "deny"
    assert run("demo-codes", "--out", str(out), "--persons", "0", url=db_url).returncode == 2


def test_purge(db_url: str) -> None:
    result = run("purge", url=db_url)
    if importlib.util.find_spec("shoumen_server.retention") is None:
        assert result.returncode == 2 and "shoumen_server.retention" in result.stderr
    else:
        assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr


def test_unknown_command_is_a_usage_error() -> None:
    result = run("frobnicate", url=None)
    assert result.returncode == 2 and "usage" in result.stderr


def test_serve_answers_http(db_url: str) -> None:
    port = free_port()
    env = {**os.environ, "PYTHONUTF8": "1"}
    command = [sys.executable, "-m", "shoumen_server", "serve", "--port", str(port), "--database-url", db_url]
    process = subprocess.Popen(
        [*command, "--demo"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
        env=env,
    )
    try:
        assert process.stderr is not None
        seen = []
        for line in process.stderr:  # blocks until uvicorn says it listens (or the process dies)
            seen.append(line)
            if "Uvicorn running on" in line:
                break
        else:
            pytest.fail("server did not start:\n" + "".join(seen))
        base = f"http://127.0.0.1:{port}/api/v1"
        info = httpx.get(f"{base}/info", timeout=10)
        assert info.status_code == 200
        assert info.json()["name"] == "shoumen" and info.json()["demo_mode"] is True
        assert parse_signed_trust_list(httpx.get(f"{base}/trust-list", timeout=10).text).payload().keys
        assert "demo data seeded" in "".join(seen)
    finally:
        process.terminate()
        process.wait(timeout=30)
        if process.stderr is not None:
            process.stderr.close()


def test_serve_refuses_a_worker_count_out_of_bounds(db_url: str) -> None:
    for workers in ("0", "65"):
        result = run("serve", "--workers", workers, "--demo", url=db_url)
        assert result.returncode == 2 and "--workers" in result.stderr
    result = run("serve", "--graceful-timeout", "0", "--demo", url=db_url)
    assert result.returncode == 2 and "--graceful-timeout" in result.stderr
