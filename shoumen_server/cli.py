"""`shoumen-server`: run the backend and its chores from a shell.

    shoumen-server serve [--host 127.0.0.1] [--port 8000] [--public-base-url URL] [--demo]
                         [--workers N] [--graceful-timeout SECONDS]
        --workers N > 1: N processes under gunicorn (shoumen_server.multiworker), on PostgreSQL;
        SIGTERM refuses new connections and lets in-flight requests finish (graceful timeout)
        outside --demo: needs a public https base URL ($SHOUMEN_PUBLIC_BASE_URL; a private or
        loopback host only with SHOUMEN_ALLOW_PRIVATE_BASE_URL=1) and a real SMS provider
    shoumen-server migrate
    shoumen-server seed-demo [--refresh-times]
    shoumen-server import-health FILE.csv       exit 0: all rows good; 1: some rows bad (good ones imported)
    shoumen-server demo-codes --out DIR [--persons N]
    shoumen-server purge
    shoumen-server create-supervisor --phone P --name N --region 330624 [--region-name 新昌县南明街道]
    shoumen-server rotate-signing-key
    shoumen-server trust-root                   prints the root's id and public key (for the app's built-in pins)
    shoumen-server rotate-trust-root
    shoumen-server issue-code --document NUMBER [--kind resident_id]

Every command takes `--database-url` (default: $SHOUMEN_DATABASE_URL, else sqlite ./shoumen.db)
and `--key-dir` (default: $SHOUMEN_KEY_DIR, else the folder beside a SQLite file, e.g.
./shoumen-keys; PostgreSQL needs one). A key directory with permissions wider than 0700 (or a
key file wider than 0600) stops every command with exit code 2.
Exit codes: 0 done, 1 done with bad input rows / nothing found, 2 cannot run (bad arguments,
database not migrated, missing module). Logs go to stderr at INFO and never carry PII; with
`--log-format json` (or SHOUMEN_LOG_FORMAT=json) one JSON object per line.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import shutil
import sys
import tempfile
import threading
from collections.abc import Callable, Sequence
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select, text
from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlalchemy.orm import Session, sessionmaker

from shoumen_core.identity import DocumentKind, InvalidDocument, parse_document
from shoumen_core.phone import InvalidPhone, mask_phone, normalise_phone
from shoumen_core.timeutil import local_day, utcnow
from shoumen_core.trust import root_key_id, root_public_key
from shoumen_core.urls import UrlReach, classify_url
from shoumen_server.db import make_engine, make_session_factory, session_scope
from shoumen_server.keys import KeyDirError, KeyStore, provider_for, rotate_signing_key
from shoumen_server.logs import LOG_FORMATS, configure_logging, log_format
from shoumen_server.settings import KEEP_ALIVE_SECONDS, ServerSettings, public_url_refusal, sqlite_url
from shoumen_server.sms import SmsGateway
from shoumen_server.sms_providers import SmsConfigError, SmsSettings, build_gateway
from shoumen_server.trust_root import rotate_trust_root

log = logging.getLogger("shoumen.server.cli")

DEFAULT_DB_FILE = "shoumen.db"
MAX_WORKERS = 64


class CommandError(Exception):
    """A calm message for the operator; `exit_code` 2 = cannot run, 1 = ran, found problems."""

    def __init__(self, message: str, exit_code: int = 2) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def database_url(arg: str | None) -> str:
    return arg or os.environ.get("SHOUMEN_DATABASE_URL") or sqlite_url(Path.cwd() / DEFAULT_DB_FILE)


def key_dir(args: argparse.Namespace) -> str | None:
    return getattr(args, "key_dir", None) or os.environ.get("SHOUMEN_KEY_DIR") or None


def _settings(args: argparse.Namespace, **overrides: object) -> ServerSettings:
    return ServerSettings.from_env(
        database_url=database_url(args.database_url), key_dir=key_dir(args) or "", **overrides
    )


class _Db:
    """The engine, sessions and keys of one command; keys load only when asked for."""

    def __init__(self, url: str, key_dir: str | None = None) -> None:
        self.engine = make_engine(url)
        self.sessions: sessionmaker[Session] = make_session_factory(self.engine)
        self.url = url
        self.key_dir = key_dir
        self._keys: KeyStore | None = None

    @property
    def keys(self) -> KeyStore:
        if self._keys is None:
            try:
                with self.sessions() as session:
                    self._keys = KeyStore.load(session, provider_for(self.url, self.key_dir))
            except (RuntimeError, OperationalError, ProgrammingError) as exc:
                raise CommandError("数据库尚未初始化，请先运行 shoumen-server migrate") from exc
        return self._keys

    def close(self) -> None:
        self.engine.dispose()


def _with_db(args: argparse.Namespace, work: Callable[[_Db], int]) -> int:
    db = _Db(database_url(args.database_url), key_dir(args))
    try:
        return work(db)
    finally:
        db.close()


def _migrate(url: str, keys_at: str | None) -> None:
    from shoumen_server.setup_db import migrate_database

    migrate_database(url, key_dir=keys_at)
    log.info("database migrated")


# ---- commands -------------------------------------------------------------------------------


def cmd_migrate(args: argparse.Namespace) -> int:
    _migrate(database_url(args.database_url), key_dir(args))
    print("数据库已是最新结构，密钥在密钥目录中")
    return 0


def cmd_seed_demo(args: argparse.Namespace) -> int:
    from shoumen_server import seed

    _migrate(database_url(args.database_url), key_dir(args))

    def work(db: _Db) -> int:
        now = utcnow()
        result = seed.seed_demo(db.sessions, db.keys, now)
        if result.created:
            print(f"已写入演示数据：{result.persons} 名人员，场所 {list(result.venue_ids)}")
        elif not args.refresh_times:
            print("演示数据已存在，未作改动（--refresh-times 可刷新核酸时间）")
        if args.refresh_times and not result.created:
            count = seed.refresh_demo_times(db.sessions, db.keys, now)
            print(f"已按当前时间刷新 {count} 名演示人员的核酸采样时间")
        return 0

    return _with_db(args, work)


def cmd_import_health(args: argparse.Namespace) -> int:
    from shoumen_server.health_import import import_health_csv

    path = Path(args.file)
    if not path.is_file():
        raise CommandError(f"找不到文件：{path}")

    def work(db: _Db) -> int:
        report = import_health_csv(path, db.sessions, db.keys, utcnow())
        for line, message in report.errors:
            print(f"第 {line} 行：{message}", file=sys.stderr)
        print(f"新增 {report.imported} 人，更新 {report.updated} 人，错误 {len(report.errors)} 行")
        log.info(
            "health import: %d new, %d updated, %d bad rows",
            report.imported,
            report.updated,
            len(report.errors),
        )
        return 0 if report.ok else 1

    return _with_db(args, work)


def cmd_demo_codes(args: argparse.Namespace) -> int:
    from shoumen_server.demo_codes import NotSeeded, write_demo_codes

    if args.persons < 1:
        raise CommandError("--persons 至少为 1")

    def work(db: _Db) -> int:
        try:
            codes = write_demo_codes(Path(args.out), db.sessions, db.keys, utcnow(), args.persons)
        except NotSeeded as exc:
            raise CommandError(str(exc)) from exc
        print(f"已写入 {len(codes)} 个个人健康码、codes.json 和 demo.mp4 到 {args.out}")
        return 0

    return _with_db(args, work)


def _purge_function() -> Callable[..., object]:
    """retention.purge(session, now, settings), imported late: it is an optional module."""
    try:
        retention = importlib.import_module("shoumen_server.retention")
    except ModuleNotFoundError as exc:
        if exc.name != "shoumen_server.retention":
            raise
        raise CommandError("本版本没有数据清理模块（shoumen_server.retention）") from exc
    purge: Callable[..., object] = retention.purge
    return purge


# One purge at a time across processes: every worker of `serve --workers N` runs the periodic
# purge, and N of them deleting (or detaching) the same days at once only wait on each other.
PURGE_LOCK_KEY = 0x5348_5055_5247  # "SHPURG"


def run_purge(sessions: sessionmaker[Session], settings: ServerSettings) -> object:
    """The retention purge's result, or None when another process is purging right now."""
    purge = _purge_function()
    with session_scope(sessions) as session:
        if session.get_bind().dialect.name == "postgresql" and not session.scalar(
            text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": PURGE_LOCK_KEY}
        ):
            return None
        return purge(session, utcnow(), settings)


def cmd_purge(args: argparse.Namespace) -> int:
    settings = _settings(args)

    def work(db: _Db) -> int:
        _ = db.keys  # refuses an unmigrated database calmly
        result = run_purge(db.sessions, settings)
        if result is None:
            print("另一进程正在清理过期数据，本次未执行")
            return 0
        print(f"已清理过期数据：{result}")
        return 0

    return _with_db(args, work)


def cmd_create_supervisor(args: argparse.Namespace) -> int:
    from shoumen_server.models import User

    try:
        phone = normalise_phone(args.phone)
    except InvalidPhone as exc:
        raise CommandError(exc.message) from exc
    region = args.region.strip()
    if len(region) != 6 or not region.isascii() or not region.isdigit():
        raise CommandError("行政区划代码应为 6 位数字，如 330624")
    name = args.name.strip()
    if not name:
        raise CommandError("姓名不能为空")

    def work(db: _Db) -> int:
        _ = db.keys
        with session_scope(db.sessions) as session:
            user = session.scalar(select(User).where(User.phone == phone))
            if user is None:
                user = User(phone=phone, created_at=utcnow())
                session.add(user)
            user.name = name
            user.is_supervisor = True
            user.region_code = region
            user.region_name = args.region_name or region
        print(f"已设置乡镇街道工作人员：{mask_phone(phone)}，区域 {region}")
        return 0

    return _with_db(args, work)


def cmd_rotate_signing_key(args: argparse.Namespace) -> int:
    def work(db: _Db) -> int:
        _ = db.keys
        with session_scope(db.sessions) as session:
            key_id = rotate_signing_key(session, utcnow(), provider_for(db.url, db.key_dir))
        print(f"新的签名密钥已启用：{key_id}（旧密钥在 2 天内仍受信任）")
        return 0

    return _with_db(args, work)


def cmd_rotate_trust_root(args: argparse.Namespace) -> int:
    def work(db: _Db) -> int:
        _ = db.keys
        with session_scope(db.sessions) as session:
            rotation = rotate_trust_root(session, utcnow(), provider_for(db.url, db.key_dir))
        print(
            f"新的信任根已启用：{rotation.new_root_id}（由旧根 {rotation.old_root_id} 签署交接，"
            f"信任列表版本 {rotation.version}）。请重启服务；设备下次同步时更换信任根。"
        )
        return 0

    return _with_db(args, work)


def cmd_trust_root(args: argparse.Namespace) -> int:
    def work(db: _Db) -> int:
        public = root_public_key(db.keys.trust_root)
        print(f"{root_key_id(public)} {public}")
        return 0

    return _with_db(args, work)


def cmd_issue_code(args: argparse.Namespace) -> int:
    from shoumen_server.health import RegistryHealthSource, issue_code_for

    now = utcnow()
    try:
        kind = DocumentKind(args.kind) if args.kind else None
        document = parse_document(args.document, kind, today=local_day(now))
    except ValueError as exc:
        message = exc.message if isinstance(exc, InvalidDocument) else "证件类型无效"
        raise CommandError(message) from exc
    settings = _settings(args)

    def work(db: _Db) -> int:
        with db.sessions() as session:
            record = RegistryHealthSource(session, db.keys).find_by_document(document.kind, document.number)
        if record is None:
            raise CommandError("健康信息库中没有该证件", exit_code=1)
        ttl = timedelta(hours=settings.personal_code_ttl_hours)
        print(issue_code_for(db.keys, record, now, ttl=ttl))
        return 0

    return _with_db(args, work)


# ---- serve ----------------------------------------------------------------------------------


def purge_periodically(
    sessions: sessionmaker[Session], settings: ServerSettings, stop: threading.Event
) -> threading.Thread:
    """Run the retention purge now and then every settings.purge_interval_seconds until `stop`.
    Several server processes may each do this: purging is idempotent."""

    def loop() -> None:
        while not stop.is_set():
            try:
                run_purge(sessions, settings)
                log.info("retention purge done")
            except CommandError as exc:
                log.warning("retention purge unavailable: %s", exc)
                return
            except Exception:
                log.exception("retention purge failed; retrying at the next interval")
            stop.wait(settings.purge_interval_seconds)

    thread = threading.Thread(target=loop, name="shoumen-purge", daemon=True)
    thread.start()
    return thread


def make_partitions_ahead(sessions: sessionmaker[Session]) -> None:
    """The checks partitions of the coming days (PostgreSQL), before the first push; every
    purge makes them again, so a server that runs for weeks keeps them ahead."""
    from sqlalchemy.exc import OperationalError

    from shoumen_server.partitions import ensure_check_partitions, is_lock_timeout

    with sessions() as session:
        try:
            ensure_check_partitions(session, local_day(utcnow()))
        except OperationalError as exc:
            if not is_lock_timeout(exc):
                raise
            # Another server's purge holds the maintenance lock: it is making them right now.
            log.warning("check partitions not made at start: another server is maintaining them")


def sms_gateway_for(settings: ServerSettings) -> SmsGateway:
    """The configured SMS provider. Outside demo mode the development gateway is refused: it
    delivers nothing, so no one could ever log in (`log` says on purpose that codes go to the
    log, for a test environment)."""
    sms_settings = SmsSettings.from_env()
    if sms_settings.provider == "dev" and not settings.demo_mode:
        raise SmsConfigError(
            "SHOUMEN_SMS_PROVIDER is not set (the development gateway delivers no SMS). Set it to "
            "aliyun, tencent or webhook with its settings (docs/DEPLOY.md), or to 'log' for a test "
            "environment whose testers read the codes from the server log; or run with --demo."
        )
    return build_gateway(sms_settings)


def _metrics_dir(workers: int) -> str | None:
    """Several workers: a fresh, empty PROMETHEUS_MULTIPROC_DIR (a leftover file of an earlier
    run would add its counts to ours), set before prometheus_client is first imported."""
    if workers < 2:
        # One process keeps its figures in memory; a directory left in the environment (of
        # an earlier run) would hold other processes' counts.
        os.environ.pop("PROMETHEUS_MULTIPROC_DIR", None)
        return None
    path = tempfile.mkdtemp(prefix="shoumen-metrics-")
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = path
    log.info("metrics of all workers are summed from %s (removed when serve stops)", path)
    return path


def _check_pool_budget(settings: ServerSettings, workers: int) -> None:
    """Warn when the workers' pools together may open more connections than PostgreSQL takes:
    the overflow would fail as 503s under load, far from the setting that caused them."""
    if not settings.database_url.startswith("postgresql"):
        return
    engine = make_engine(settings.database_url)
    try:
        with engine.connect() as conn:
            limit = int(conn.execute(text("SHOW max_connections")).scalar() or 0)
            reserved = int(conn.execute(text("SHOW superuser_reserved_connections")).scalar() or 0)
    finally:
        engine.dispose()
    wanted = workers * settings.pool_connections
    if wanted > limit - reserved:
        log.warning(
            "%d workers x %d pooled connections (SHOUMEN_DB_POOL_SIZE + SHOUMEN_DB_MAX_OVERFLOW) = %d, "
            "more than PostgreSQL's max_connections %d minus %d reserved: requests will fail under load",
            workers,
            settings.pool_connections,
            wanted,
            limit,
            reserved,
        )


def _int_option(value: int | None, env: str, default: int) -> int:
    if value is not None:
        return value
    try:
        return int(os.environ.get(env, default))
    except ValueError:
        raise CommandError(f"{env} 应为整数") from None


def cmd_serve(args: argparse.Namespace) -> int:
    args.workers = _int_option(args.workers, "SHOUMEN_WORKERS", 1)
    args.graceful_timeout = _int_option(args.graceful_timeout, "SHOUMEN_GRACEFUL_TIMEOUT", 30)
    if not 1 <= args.workers <= MAX_WORKERS:
        raise CommandError(f"--workers 应在 1 到 {MAX_WORKERS} 之间")
    if not 1 <= args.graceful_timeout <= 600:
        raise CommandError("--graceful-timeout 应在 1 到 600 秒之间")
    metrics_dir = _metrics_dir(args.workers)
    try:
        return _serve(args, metrics_dir)
    finally:
        if metrics_dir is not None:
            shutil.rmtree(metrics_dir, ignore_errors=True)


def _serve(args: argparse.Namespace, metrics_dir: str | None) -> int:
    import uvicorn

    from shoumen_server.app import build_routes_now, create_app

    overrides: dict[str, object] = {}
    if args.public_base_url:
        overrides["public_base_url"] = args.public_base_url
    if args.demo:
        overrides["demo_mode"] = True
    try:
        settings = _settings(args, **overrides)
    except ValueError as exc:  # a setting out of its bounds (SHOUMEN_DB_POOL_SIZE=0, a bad network)
        raise CommandError(str(exc)) from exc
    # Every refusal at once, so an operator fixes the configuration in one round.
    refusals: list[str] = []
    if not settings.demo_mode:
        given = args.public_base_url or os.environ.get("SHOUMEN_PUBLIC_BASE_URL")
        problem = public_url_refusal(given, allow_private=settings.allow_private_base_url)
        if problem is not None:
            refusals.append(f"拒绝启动：场所码地址不可用。refusing to start: {problem}")
    sms: SmsGateway | None = None
    try:
        sms = sms_gateway_for(settings)
    except SmsConfigError as exc:
        refusals.append(f"拒绝启动：短信服务配置不完整。refusing to start: {exc}")
    if refusals or sms is None:
        for refusal in refusals:
            print(refusal, file=sys.stderr)
        return 2
    reach = classify_url(settings.public_base_url)
    # An invalid URL is not logged: its user info may hold a password.
    shown = "(an invalid URL)" if reach is UrlReach.INVALID else settings.public_base_url
    if reach is not UrlReach.PUBLIC:
        log.warning(
            "venue codes point at %s (%s): phones off this machine or network cannot open them", shown, reach
        )
    _migrate(settings.database_url, settings.key_dir or None)
    if settings.demo_mode:
        from shoumen_server.seed import seed_demo

        def seed(db: _Db) -> int:
            seed_demo(db.sessions, db.keys, utcnow())
            return 0

        _with_db(args, seed)
    _check_pool_budget(settings, args.workers)
    if args.workers > 1 and settings.database_url.startswith("sqlite"):
        log.warning("%d workers share one SQLite file: one writes at a time; use PostgreSQL", args.workers)

    def partitions(db: _Db) -> int:
        make_partitions_ahead(db.sessions)
        return 0

    _with_db(args, partitions)  # once, before any worker takes a push
    log.info(
        "serving on %s:%d with %d worker(s) (demo mode: %s); venue codes point at %s",
        args.host,
        args.port,
        args.workers,
        settings.demo_mode,
        shown,
    )
    # One rule for whose X-Forwarded-For names the client: SHOUMEN_TRUSTED_PROXIES. uvicorn
    # rewrites the client address from that header for the peers it trusts (by default
    # loopback, whatever our setting says); it is told the same list, none when unset.
    forwarded = ",".join(settings.trusted_proxies)
    if metrics_dir is not None:
        from shoumen_server.multiworker import run_workers

        def worker_app() -> object:
            # In each worker after the fork: its own engine, pool, SMS client and purge thread.
            app = create_app(settings, sms=sms_gateway_for(settings))
            build_routes_now(app)  # before the worker's first request, not during it
            purge_periodically(app.state.ctx.sessions, settings, threading.Event())
            return app

        run_workers(
            worker_app,
            host=args.host,
            port=args.port,
            workers=args.workers,
            graceful_timeout=args.graceful_timeout,
            forwarded_allow_ips=forwarded,
        )
        return 0
    app = create_app(settings, sms=sms)
    build_routes_now(app)
    stop = threading.Event()
    purge_periodically(app.state.ctx.sessions, settings, stop)
    # JSON: uvicorn configures no handlers of its own, its records reach the root logger's.
    log_config = None if args.log_format == "json" else uvicorn.config.LOGGING_CONFIG
    try:
        uvicorn.run(
            app,
            host=args.host,
            port=args.port,
            log_level="info",
            log_config=log_config,
            timeout_graceful_shutdown=args.graceful_timeout,
            timeout_keep_alive=KEEP_ALIVE_SECONDS,
            forwarded_allow_ips=forwarded,
        )
    finally:
        stop.set()
        app.state.engine.dispose()
        if app.state.replica_engine is not None:
            app.state.replica_engine.dispose()
    return 0


# ---- arguments ------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--database-url",
        help="SQLAlchemy URL (默认 $SHOUMEN_DATABASE_URL，否则当前目录的 shoumen.db)",
    )
    common.add_argument(
        "--log-format",
        choices=LOG_FORMATS,
        help="日志格式：text（默认）或 json（每行一个 JSON 对象；默认 $SHOUMEN_LOG_FORMAT）",
    )
    common.add_argument(
        "--key-dir",
        help="密钥目录 (默认 $SHOUMEN_KEY_DIR，否则 SQLite 文件旁的 <名称>-keys 目录；PostgreSQL 必须指定)",
    )
    parser = argparse.ArgumentParser(prog="shoumen-server", description="守小门 Shoumen 后端")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = sub.add_parser("serve", parents=[common], help="运行后端（先迁移数据库）")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument(
        "--public-base-url",
        help="场所码中使用的公网 https 地址（默认 $SHOUMEN_PUBLIC_BASE_URL；非演示模式必填）",
    )
    serve.add_argument("--demo", action="store_true", help="演示模式：写入演示数据，验证码可在应用中显示")
    serve.add_argument(
        "--workers",
        type=int,
        metavar="N",
        help="工作进程数（默认 $SHOUMEN_WORKERS 或 1；多于 1 个时由 gunicorn 管理，宜用 PostgreSQL）",
    )
    serve.add_argument(
        "--graceful-timeout",
        type=int,
        metavar="SECONDS",
        help="收到 SIGTERM 后等待进行中请求完成的最长秒数（默认 30）",
    )
    serve.set_defaults(handler=cmd_serve)

    sub.add_parser("migrate", parents=[common], help="创建或升级数据库结构和密钥").set_defaults(
        handler=cmd_migrate
    )

    seed = sub.add_parser("seed-demo", parents=[common], help="写入演示数据（可重复运行）")
    seed.add_argument("--refresh-times", action="store_true", help="按当前时间重新设置演示人员的核酸采样时间")
    seed.set_defaults(handler=cmd_seed_demo)

    health = sub.add_parser("import-health", parents=[common], help="从 CSV 导入健康信息")
    health.add_argument("file", metavar="FILE.csv")
    health.set_defaults(handler=cmd_import_health)

    codes = sub.add_parser("demo-codes", parents=[common], help="生成演示个人健康码图片和视频")
    codes.add_argument("--out", required=True, metavar="DIR")
    codes.add_argument("--persons", type=int, default=1, metavar="N", help="每种核验情形的人数（默认 1）")
    codes.set_defaults(handler=cmd_demo_codes)

    sub.add_parser("purge", parents=[common], help="清理超过保存期限的数据").set_defaults(handler=cmd_purge)

    supervisor = sub.add_parser("create-supervisor", parents=[common], help="设置乡镇街道工作人员")
    supervisor.add_argument("--phone", required=True)
    supervisor.add_argument("--name", required=True)
    supervisor.add_argument("--region", required=True, help="6 位行政区划代码，如 330624")
    supervisor.add_argument("--region-name", help="区域名称，如 新昌县南明街道")
    supervisor.set_defaults(handler=cmd_create_supervisor)

    sub.add_parser("rotate-signing-key", parents=[common], help="启用新的健康码签名密钥").set_defaults(
        handler=cmd_rotate_signing_key
    )
    sub.add_parser(
        "trust-root", parents=[common], help="显示信任列表根公钥（写入应用内置的 trust_roots.json）"
    ).set_defaults(handler=cmd_trust_root)
    sub.add_parser(
        "rotate-trust-root", parents=[common], help="启用新的信任列表根密钥（旧根签署交接）"
    ).set_defaults(handler=cmd_rotate_trust_root)

    issue = sub.add_parser("issue-code", parents=[common], help="为健康信息库中的人员签发个人健康码")
    issue.add_argument("--document", required=True, metavar="NUMBER")
    issue.add_argument("--kind", choices=[kind.value for kind in DocumentKind])
    issue.set_defaults(handler=cmd_issue_code)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        args.log_format = log_format(args.log_format)
    except ValueError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    configure_logging(args.log_format)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    try:
        code: int = args.handler(args)
    except CommandError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return exc.exit_code
    except KeyDirError as exc:
        print(f"错误：{exc.chinese}\nerror: {exc.english}", file=sys.stderr)
        return 2
    return code
