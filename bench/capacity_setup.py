"""What bench_capacity.py and bench_lookup_cpu.py stand on: a PostgreSQL database, the seed a
morning rush needs, and the server processes (with their CPU time read from /proc).

The data is written through the server's own modules (migrate_database, seed_demo,
venue_admin.create_venue, auth.new_token, health.issue_code_for), so it is what a real
deployment holds: approved venues with two gates each, one logged-in guard per venue, the demo
registry grown to a few thousand persons, personal codes signed by the server's key.
"""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from shoumen_core.schemas import CheckpointIn, VenueIn
from shoumen_core.timeutil import utcnow
from shoumen_server import venue_admin
from shoumen_server.db import make_engine, make_session_factory, session_scope
from shoumen_server.deps import ServerContext
from shoumen_server.health import RegistryHealthSource, issue_code_for
from shoumen_server.keys import FileKeyProvider, KeyStore
from shoumen_server.models import Checkpoint, User
from shoumen_server.routers.auth import new_token
from shoumen_server.seed import SUPERVISOR, demo_people, seed_demo
from shoumen_server.settings import ServerSettings
from shoumen_server.setup_db import migrate_database
from shoumen_server.sms import DevSmsGateway

ROOT = Path(__file__).resolve().parent.parent
REGION = SUPERVISOR[2]

# Every guard of the bench shares one venue's pace many times over (a few hundred lookups a
# second from 50 venues is 20x what a gate does), so the per-staff, per-venue and per-region
# lookup limits are lifted: the bench measures latency, not 429s. Their statements still run
# on every lookup (the buckets are taken, just never empty). The region's is lifted further,
# in the proportion to a venue's that the defaults have (30,000 vs 300 a minute, burst 3,000
# vs 200), so its bucket is split into rows as a deployed server's is (region_shards).
_LIFTED = 10**9
UNLIMITED = {
    **{
        f"SHOUMEN_LOOKUP_{scope}_{what}": str(_LIFTED)
        for scope in ("STAFF", "VENUE")
        for what in ("BURST", "PER_MINUTE")
    },
    "SHOUMEN_LOOKUP_REGION_BURST": str(_LIFTED * 10 * 16),
    "SHOUMEN_LOOKUP_REGION_PER_MINUTE": str(_LIFTED * 10 * 16),
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


# ---- PostgreSQL -----------------------------------------------------------------------------


@contextmanager
def postgres_server(admin_url: str | None) -> Iterator[tuple[str, Path | None]]:
    """`admin_url` when given; else a private PostgreSQL with default settings (fsync on), started
    with scripts/pg.sh on a free port and stopped afterwards. Yields (URL, its data folder)."""
    if admin_url:
        yield admin_url, None
        return
    folder = Path(tempfile.mkdtemp(prefix="shoumen-capacity-pg-"))
    folder.chmod(0o755)  # as root, pg.sh runs PostgreSQL as the postgres user: it must get in
    data = folder / "data"
    port = free_port()
    try:
        url = subprocess.run(
            ["bash", str(ROOT / "scripts" / "pg.sh"), "start", str(data), str(port)],
            check=True,
            capture_output=True,
            text=True,
            env={k: v for k, v in os.environ.items() if k != "PG_EXTRA_OPTS"},
        ).stdout.strip()
        yield url, data
    finally:
        subprocess.run(["bash", str(ROOT / "scripts" / "pg.sh"), "stop", str(data)], check=False)
        subprocess.run(["rm", "-rf", str(folder)], check=False)


@contextmanager
def fresh_database(admin_url: str) -> Iterator[str]:
    """A new database on the server of `admin_url`, dropped afterwards."""
    name = f"shoumen_cap_{os.getpid()}_{secrets.token_hex(3)}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


# ---- seed -----------------------------------------------------------------------------------


@dataclass
class Gate:
    venue_id: int
    checkpoint_id: int
    token: str  # the venue's guard (its owner), logged in


@dataclass
class Seeded:
    key_dir: Path
    gates: list[Gate]
    supervisor_token: str
    lookups: list[dict[str, object]] = field(default_factory=list)  # bodies without checkpoint_id


def seed(url: str, key_dir: Path, *, venues: int, persons: int) -> Seeded:
    """Migrate, seed the demo registry with `persons` synthetic persons, add `venues` approved
    venues of the demo region (two gates and one logged-in guard each), and make the lookup
    bodies: every person by document number and by a personal code signed now."""
    migrate_database(url, key_dir=key_dir)
    now = utcnow()  # after the migration made the signing key: codes are signed inside its validity
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    settings = ServerSettings(database_url=url, key_dir=str(key_dir))
    ctx = ServerContext(settings=settings, sessions=sessions, sms=DevSmsGateway(), clock=lambda: now)
    try:
        with sessions() as session:
            keys = KeyStore.load(session, FileKeyProvider(key_dir))
        seed_demo(sessions, keys, now, persons=persons)
        gates: list[Gate] = []
        with session_scope(sessions) as session:
            supervisor = session.scalar(select(User).where(User.phone == SUPERVISOR[0]))
            assert supervisor is not None
            supervisor_token = new_token(ctx, session, supervisor, "bench").token
            for i in range(venues):
                owner = venue_admin.find_or_create_user(session, ctx, f"138{i:08d}", f"保安{i}")
                venue = venue_admin.create_venue(
                    session,
                    ctx,
                    owner,
                    VenueIn(
                        name=f"基准测试场所{i}",
                        address=f"新昌县人民中路 {i + 1} 号",
                        region_code=REGION,
                        township="南明街道",
                        unit_type="supermarket",
                        contact_phone=f"138{i:08d}",
                    ),
                    created_by=supervisor,
                    approved_by=supervisor,
                )
                venue_admin.add_checkpoint(session, ctx, venue, CheckpointIn(name="北门"))
                session.flush()
                token = new_token(ctx, session, owner, f"bench-{i}").token
                for checkpoint in session.scalars(
                    select(Checkpoint.id).where(Checkpoint.venue_id == venue.id).order_by(Checkpoint.id)
                ):
                    gates.append(Gate(venue.id, checkpoint, token))
        lookups: list[dict[str, object]] = []
        with sessions() as session:
            source = RegistryHealthSource(session, keys)
            for person in demo_people(now, count=persons):
                document = person.data.document
                lookups.append({"document": {"kind": document.kind.value, "number": document.number}})
                record = source.find_by_document(document.kind, document.number)
                assert record is not None
                lookups.append({"personal_code": issue_code_for(keys, record, now)})
        return Seeded(key_dir=key_dir, gates=gates, supervisor_token=supervisor_token, lookups=lookups)
    finally:
        engine.dispose()


# ---- server processes -----------------------------------------------------------------------


def start_server(url: str, key_dir: Path, port: int, workers: int, log: Path) -> subprocess.Popen[bytes]:
    """N server worker processes on `port`. The one place that says how the server is run.

    The command a county runs (docs/DEPLOY.md): `shoumen-server serve --workers N`, outside
    demo mode — one uvicorn process for N = 1; for N >= 2 gunicorn's master and N uvicorn
    workers with prometheus-client's multiprocess metrics (multiworker.py), the access log on
    in both. Its refusals are met as a deployment meets them: a public https base URL, and the
    `log` SMS provider (no SMS is sent by a lookup or a push; the bench sends no login code)."""
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("SHOUMEN_", "PROMETHEUS_"))},
        **UNLIMITED,
        "SHOUMEN_SMS_PROVIDER": "log",
        "SHOUMEN_PUBLIC_BASE_URL": "https://shoumen.example.gov.cn",
        "PYTHONPATH": os.environ.get("PYTHONPATH", str(ROOT)),
    }
    command = [
        sys.executable,
        "-m",
        "shoumen_server",
        "serve",
        "--database-url",
        url,
        "--key-dir",
        str(key_dir),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
    ]
    # Started in the tree it runs: `python -m` puts the working directory first on sys.path, so
    # from another checkout the server would import that one's code, not PYTHONPATH's (a
    # side-by-side comparison of two trees would compare one tree with itself).
    tree = env["PYTHONPATH"].split(os.pathsep)[0] or str(ROOT)
    process = subprocess.Popen(command, env=env, cwd=tree, stdout=log.open("wb"), stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 90
    while True:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/v1/info", timeout=2).status_code == 200:
                break
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline or process.poll() is not None:
            process.kill()
            raise RuntimeError(f"the server did not start; see {log}")
        time.sleep(0.2)
    # Every worker must be up before measuring: each answers /info once it has loaded.
    deadline = time.monotonic() + 60
    processes = 1 if workers == 1 else workers + 1  # gunicorn's master and its workers
    while len(process_tree(process.pid)) < processes and time.monotonic() < deadline:
        time.sleep(0.2)
    return process


def stop_server(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def process_tree(pid: int) -> list[int]:
    """`pid` and all its descendants (from /proc/PID/task/*/children)."""
    found = [pid]
    i = 0
    while i < len(found):
        for task in Path(f"/proc/{found[i]}/task").glob("*"):
            try:
                children = (task / "children").read_text().split()
            except OSError:
                continue
            found.extend(int(child) for child in children if int(child) not in found)
        i += 1
    return found


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_times(pids: list[int]) -> dict[int, float]:
    """utime + stime of each process (its own, not its children's), in seconds."""
    times: dict[int, float] = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        times[pid] = (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # stat fields 14 and 15
    return times


def cpu_used(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU seconds between two `cpu_times`: a process that appeared in between counts from zero
    (a process that ended in between is lost: the server's workers and pooled database
    backends live through a phase)."""
    return sum(t - before.get(pid, 0.0) for pid, t in after.items())


def postmaster_pids(data: Path | None) -> list[int]:
    """The bench's own PostgreSQL server and its backends, when the bench started it."""
    if data is None:
        return []
    try:
        postmaster = int((data / "postmaster.pid").read_text().split()[0])
    except (OSError, ValueError):
        return []
    return process_tree(postmaster)
