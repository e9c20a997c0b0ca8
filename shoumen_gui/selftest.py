"""`shoumen --self-test`: proves that this installation (a checkout or the PyInstaller bundle)
has everything a gate needs, with the real code paths and no network beyond 127.0.0.1.

In a fresh folder it starts the embedded backend (migrated and seeded), decodes the bundled
sample frame with both decoders, verifies a personal code against the backend's trust list,
runs one check end to end (local cache, then a sync that the server acknowledges) and renders
the workbench offscreen to a PNG. One line per step on stdout, e.g.

    [ok] embedded backend started: http://127.0.0.1:40001 (0.4 s)

and a summary. Exit status 0 only when every step passed. A step whose prerequisite failed is
reported as skipped (and counts as a failure). The work folder is removed after a pass and
kept (its path printed) after a failure; with `--data-dir DIR` it is made inside DIR and kept.
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

log = logging.getLogger("shoumen.gui.selftest")

SAMPLE_FRAME = Path("selftest") / "sample_code.png"  # under resources/
WORKBENCH_SIZE = (1180, 760)  # the main window's size
PASSING_PATH = "green_fresh"  # the demo person the default policy lets through


class StepSkipped(Exception):
    """A prerequisite step failed, so this one cannot run."""


@dataclass
class StepOutcome:
    name: str
    status: str  # ok | FAIL | skip
    seconds: float
    detail: str

    def line(self) -> str:
        detail = f": {self.detail}" if self.detail else ""
        return f"[{self.status}] {self.name}{detail} ({self.seconds:.1f} s)"


@dataclass
class SelfTestState:
    """What earlier steps made, for later steps (None: that step did not get that far)."""

    folder: Path
    backend: Any = None  # EmbeddedBackend
    api: Any = None  # ApiClient, logged in
    cache: Any = None  # LocalCache
    venue_id: int | None = None
    venue_name: str = ""
    checkpoint_id: int | None = None
    checkpoint_name: str = ""
    user_id: int | None = None
    code: str | None = None  # a personal code the backend issued
    result: Any = None  # CheckResult of the end-to-end check
    status: Any = None  # SyncStatus after the sync
    closers: list[Callable[[], object]] = field(default_factory=list)

    def need(self, value: Any, step: str) -> Any:
        if value is None:
            raise StepSkipped(f"needs: {step}")
        return value


# --- steps -------------------------------------------------------------------------------------


def step_resources(state: SelfTestState) -> str:
    from shoumen_gui.paths import resources_dir
    from shoumen_server.migrate import MIGRATIONS
    from shoumen_server.visitor.pages import templates

    root = resources_dir()
    wanted = [root / "styles" / "shoumen.qss", root / "sounds" / "pass.wav", root / SAMPLE_FRAME]
    wanted += [MIGRATIONS / "env.py", MIGRATIONS / "versions"]
    missing = [str(path) for path in wanted if not path.exists()]
    if missing:
        raise RuntimeError("missing: " + ", ".join(missing))
    templates().get_template("visitor/base.html")  # TemplateNotFound when the templates are missing
    return str(root)


def step_migrate(state: SelfTestState) -> str:
    from shoumen_gui.embedded import EmbeddedBackend
    from shoumen_server import migrate
    from shoumen_server.db import make_engine

    backend = EmbeddedBackend(state.folder / "embedded-server.db")
    state.closers.append(backend.close)
    backend.prepare_database()
    engine = make_engine(backend.database_url)
    try:
        revision = migrate.current_revision(engine)
    finally:
        engine.dispose()
    if revision != migrate.head_revision():
        raise RuntimeError(f"schema at {revision}, head is {migrate.head_revision()}")
    if not backend.first_run:
        raise RuntimeError("the demo data was not seeded into the new database")
    state.backend = backend
    return f"schema {revision}, demo data seeded"


def step_start(state: SelfTestState) -> str:
    from shoumen_gui.services.api import ApiClient

    backend = state.need(state.backend, "migrated backend")
    url = str(backend.start())
    api = ApiClient(url)
    state.closers.append(api.close)
    info = api.server.info()
    if not info.demo_mode:
        raise RuntimeError("the embedded backend is not in demo mode")
    state.api = api
    return url


def step_backend_process(state: SelfTestState) -> str:
    """What `shoumen` does at start: the backend in its own process, started the way this
    installation starts it (the bundle's executable with --embedded-backend), on a fresh folder."""
    from shoumen_gui.embedded import EmbeddedProcess
    from shoumen_gui.services.api import ApiClient

    backend = EmbeddedProcess(state.folder / "process" / "embedded-server.db")
    state.closers.append(backend.close)
    url = backend.start(timeout=120)
    with ApiClient(url) as api:
        info = api.server.info(timeout=10)
    if info.demo_mode is not True or not backend.first_run:
        raise RuntimeError("the backend process is not a seeded demo backend")
    return f"{url}, its own process"


def step_visitor_page(state: SelfTestState) -> str:
    import httpx

    backend = state.need(state.backend, "embedded backend")
    state.need(state.api, "embedded backend")
    # An unknown venue-code token: the page explains it, rendered from the Jinja templates.
    response = httpx.get(f"{backend.url}/v/selftest-unknown-token", timeout=10)
    body = response.text
    if "text/html" not in response.headers.get("content-type", "") or "</html>" not in body:
        raise RuntimeError(f"no HTML page (status {response.status_code})")
    return f"status {response.status_code}, {len(body)} bytes of HTML"


def _decode_sample(name: str) -> str:
    from shoumen_gui.paths import resources_dir
    from shoumen_gui.scanning.decoders import make_decoder
    from shoumen_gui.scanning.files import read_image
    from shoumen_gui.scanning.preprocess import prepare
    from shoumen_gui.scanning.testframes import sample_personal_code

    image = read_image(resources_dir() / SAMPLE_FRAME)
    if image is None:
        raise RuntimeError(f"cannot read {SAMPLE_FRAME}")
    decoder = make_decoder(name)  # DecoderUnavailable when the library is missing: a failure here
    began = time.perf_counter()
    found = decoder.decode(prepare(image))
    millis = (time.perf_counter() - began) * 1000
    texts = [decoded.text for decoded in found]
    if texts != [sample_personal_code(0)]:
        raise RuntimeError(f"expected the sample personal code, read {len(texts)} code(s)")
    return f"{len(texts[0])} characters in {millis:.0f} ms"


def step_zxing(state: SelfTestState) -> str:
    return _decode_sample("zxing")


def step_pyzbar(state: SelfTestState) -> str:
    detail = _decode_sample("pyzbar")
    from pyzbar import wrapper

    library = getattr(wrapper.LIBZBAR, "_name", "?")
    return f"{detail}, libzbar {library}"


def step_login(state: SelfTestState) -> str:
    from shoumen_core.timeutil import utcnow
    from shoumen_gui.app import DEMO_LOGIN_PHONE  # a guard of the demo hospital
    from shoumen_gui.services.cache import LocalCache

    api = state.need(state.api, "embedded backend")
    sms = api.auth.request_sms_code(DEMO_LOGIN_PHONE)
    if sms.demo_code is None:
        raise RuntimeError("the demo backend did not reveal the SMS code")
    api.auth.login(DEMO_LOGIN_PHONE, sms.demo_code, "self-test")
    me = api.auth.me()
    membership = next((m for m in me.venues if m.checkpoints), None)
    if membership is None:
        raise RuntimeError("the demo guard has no venue with checkpoints")
    cache = LocalCache.open(state.folder / "cache-selftest.db")
    state.closers.append(cache.close)
    cache.apply_pull(
        membership.venue_id, api.sync.pull(membership.venue_id, ""), utcnow(), user_id=me.user.id
    )
    state.cache, state.user_id = cache, me.user.id
    state.venue_id, state.venue_name = membership.venue_id, membership.venue_name
    state.checkpoint_id = membership.checkpoints[0].id
    state.checkpoint_name = membership.checkpoints[0].name
    return f"{membership.venue_name} · {state.checkpoint_name}"


def step_verify(state: SelfTestState) -> str:
    from shoumen_core.codes import verify_personal_code
    from shoumen_core.timeutil import utcnow
    from shoumen_server.db import make_engine, make_session_factory
    from shoumen_server.demo_codes import demo_codes
    from shoumen_server.keys import FileKeyProvider, KeyStore

    backend = state.need(state.backend, "embedded backend")
    cache = state.need(state.cache, "login and pull")
    engine = make_engine(backend.database_url)
    try:
        sessions = make_session_factory(engine)
        with sessions() as session:
            keys = KeyStore.load(session, FileKeyProvider(backend.key_dir))
        codes = demo_codes(sessions, keys, utcnow())
    finally:
        engine.dispose()
    code = next(c.code for c in codes if c.path == PASSING_PATH)
    venue = cache.venue_config(state.venue_id)
    if venue is None or venue.trust_list is None:
        raise RuntimeError("the pull brought no trust list")
    verified = verify_personal_code(code, venue.trust_list, utcnow())  # raises on a bad signature
    state.code = code
    return f"{verified.masked_name}, signed by {verified.key_id}, Ed25519 against the pulled trust list"


def step_check(state: SelfTestState) -> str:
    from shoumen_core.policy import LEVEL_WORDS, VerdictLevel
    from shoumen_gui.services.checks import CheckContext, CheckService, ResultSource
    from shoumen_gui.services.connectivity import Connectivity
    from shoumen_gui.services.sync import SyncEngine

    code = state.need(state.code, "a verified personal code")
    cache, api = state.cache, state.api
    venue_id: int = state.need(state.venue_id, "login and pull")
    user_id: int = state.need(state.user_id, "login and pull")
    service = CheckService(cache, api, Connectivity())
    service.set_context(CheckContext(venue_id, state.checkpoint_id, user_id, cache.device_id()))
    result = service.check_text(code)
    if result.level is not VerdictLevel.PASS or result.source is not ResultSource.ONLINE:
        raise RuntimeError(f"expected an online PASS, got {result.level.value} ({result.source.value})")
    local = cache.check(result.record_id)
    if local is None or local.state != "pending":
        raise RuntimeError("the check was not committed to the local cache before the sync")
    sync = SyncEngine(cache, api, Connectivity())
    status = sync.sync_now(venue_id, user_id)
    local = cache.check(result.record_id)
    if local is None or local.state != "synced" or status.pending:
        raise RuntimeError(f"not acknowledged by the server (pending {status.pending}): {status.message}")
    if not _server_has_check(state.backend.database_url, result.record_id):
        raise RuntimeError("the server has no such check")
    state.result, state.status = result, status
    return f"{LEVEL_WORDS[result.level]}, committed locally, pushed and acknowledged"


def _server_has_check(database_url: str, record_id: Any) -> bool:
    from shoumen_server.db import make_engine, make_session_factory
    from shoumen_server.models import Check

    engine = make_engine(database_url)
    try:
        with make_session_factory(engine)() as session:
            return session.get(Check, record_id) is not None
    finally:
        engine.dispose()


def step_gate(state: SelfTestState) -> str:
    """The USB relay gate's code and pyserial, pulsing a relay on a pseudo-terminal: the exact
    on and off frames must arrive (no device is touched)."""
    import select
    import tty

    from shoumen_core.policy import VerdictLevel
    from shoumen_gui.services.gate import GateConfig, GateKind, make_gate
    from shoumen_gui.services.gate_serial import relay_command

    if not hasattr(os, "openpty"):  # Windows: no pty to pulse; the module and pyserial loaded
        return "pyserial loaded (no pseudo-terminal on this system to pulse)"
    master, slave = os.openpty()
    try:
        tty.setraw(slave)
        port = os.ttyname(slave)
        gate = make_gate(GateConfig(kind=GateKind.SERIAL, port=port, pulse_seconds=0.1, timeout=1.0))
        began = time.perf_counter()
        result = gate.open_for(None, None, VerdictLevel.PASS)
        gate.close()
        wanted = relay_command(1, True) + relay_command(1, False)
        data = b""
        deadline = time.monotonic() + 2.0
        while len(data) < len(wanted) and time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.1)
            if ready:
                data += os.read(master, 64)
        if not result.opened or data != wanted:
            raise RuntimeError(
                f"relay got {data.hex(' ') or 'nothing'} ({result.code}), wanted {wanted.hex(' ')}"
            )
        return f"{wanted.hex(' ')} in {(time.perf_counter() - began) * 1000:.0f} ms"
    finally:
        os.close(master)
        os.close(slave)


def step_qt(state: SelfTestState) -> str:
    from PySide6.QtGui import QGuiApplication

    from shoumen_gui.app import load_style
    from shoumen_gui.settings import Settings

    app = _qt_app()
    load_style(app, Settings())
    # Imported here, not at first use: the hour chart, the verdict sounds, the poster printer.
    import PySide6.QtCharts
    import PySide6.QtMultimedia
    import PySide6.QtPrintSupport

    loaded = (PySide6.QtCharts, PySide6.QtMultimedia, PySide6.QtPrintSupport)
    modules = ", ".join(module.__name__.removeprefix("PySide6.") for module in loaded)
    return f"platform {QGuiApplication.platformName()}, {modules}"


def step_translation(state: SelfTestState) -> str:
    """The English catalogue is in the bundle and translates (a .qm left out fails here)."""
    from PySide6.QtCore import QCoreApplication

    from shoumen_gui.i18n import install_translator
    from shoumen_gui.paths import resources_dir

    app = _qt_app()
    translator = install_translator(app, "en", resources_dir() / "translations")
    if translator is None:
        raise RuntimeError("resources/translations/shoumen_en.qm missing or unreadable")
    try:
        words = QCoreApplication.translate("SelfTest", "保存")
    finally:
        app.removeTranslator(translator)
    if words != "Save":
        raise RuntimeError(f"the English catalogue says {words!r} for 保存")
    return "English"


def step_cjk_font(state: SelfTestState) -> str:
    from PySide6.QtGui import QFontDatabase

    _qt_app()
    families = QFontDatabase.families(QFontDatabase.WritingSystem.SimplifiedChinese)
    if not families:
        raise RuntimeError("no font with Chinese glyphs (Debian: apt install fonts-wqy-microhei)")
    return families[0]


def step_workbench(state: SelfTestState) -> str:
    from PySide6.QtGui import QColor, QImage

    from shoumen_core.policy import LEVEL_COLOURS
    from shoumen_gui.tasks import TaskManager
    from shoumen_gui.ui.main_window import MainWindow

    result = state.need(state.result, "the end-to-end check")
    _qt_app()
    tasks = TaskManager()
    state.closers.append(tasks.shutdown)
    window = MainWindow(tasks, device_name="self-test")
    state.closers.append(window.deleteLater)
    window.resize(*WORKBENCH_SIZE)
    workbench = window.workbench
    workbench.title.setText(f"{state.venue_name} · {state.checkpoint_name}")
    workbench.status_bar.set_checkpoint(state.venue_name, state.checkpoint_name)
    workbench.status_bar.update_status(state.status)
    workbench.result_panel.show_result(result, 60_000)
    window.show_page(workbench)
    path = state.folder / "workbench.png"
    if not window.grab().save(str(path), "PNG"):
        raise RuntimeError(f"cannot write {path}")
    image = QImage(str(path))
    green = QColor(LEVEL_COLOURS[result.level]).rgb()
    painted = _count_colour(image, green)
    if painted < 2000:  # the verdict banner alone is far larger
        raise RuntimeError(f"the verdict colour covers only {painted} pixels of {path.name}")
    return f"{path} ({image.width()}x{image.height()}, verdict banner {painted} px)"


def _count_colour(image: Any, rgb: int) -> int:
    from PySide6.QtGui import QImage

    converted = image.convertToFormat(QImage.Format.Format_RGB32)
    count = 0
    for y in range(0, converted.height(), 2):
        for x in range(0, converted.width(), 2):
            if converted.pixel(x, y) == rgb:
                count += 4
    return count


def _qt_app() -> Any:
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if app is None:
        app = QApplication([sys.argv[0] if sys.argv else "shoumen"])
        app.setApplicationName("shoumen")
    return app


STEPS: tuple[tuple[str, Callable[[SelfTestState], str]], ...] = (
    ("resources present", step_resources),
    ("embedded backend migrated and seeded", step_migrate),
    ("embedded backend started", step_start),
    ("backend process started", step_backend_process),
    ("visitor page rendered", step_visitor_page),
    ("zxing-cpp decoded the sample frame", step_zxing),
    ("pyzbar decoded the sample frame", step_pyzbar),
    ("logged in and pulled the venue", step_login),
    ("personal code verified offline", step_verify),
    ("check end to end through the local cache and a sync", step_check),
    ("gate relay pulsed on a pseudo-terminal", step_gate),
    ("Qt loaded", step_qt),
    ("English catalogue", step_translation),
    ("CJK font", step_cjk_font),
    ("workbench rendered offscreen", step_workbench),
)


# --- the runner --------------------------------------------------------------------------------


def run_steps(state: SelfTestState, out: TextIO) -> list[StepOutcome]:
    outcomes = []
    for name, step in STEPS:
        began = time.perf_counter()
        try:
            detail, status = step(state), "ok"
        except StepSkipped as exc:
            detail, status = str(exc), "skip"
        except Exception as exc:  # every failure is reported and the next step still runs
            log.exception("self-test step failed: %s", name)
            detail, status = f"{type(exc).__name__}: {exc}", "FAIL"
        outcome = StepOutcome(name, status, time.perf_counter() - began, detail)
        outcomes.append(outcome)
        print(outcome.line(), file=out, flush=True)
    return outcomes


def close(state: SelfTestState) -> None:
    for closer in reversed(state.closers):
        try:
            closer()
        except Exception:
            log.exception("self-test clean-up failed")


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="shoumen --self-test", add_help=False)
    parser.add_argument("--self-test", action="store_true")
    parser.add_argument("--data-dir", type=Path)
    args, _ignored = parser.parse_known_args(list(argv))
    return args


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    """Run every step; 0 when all passed, 1 otherwise."""
    out = out or sys.stdout
    args = parse_args(sys.argv[1:] if argv is None else argv)
    os.environ["QT_QPA_PLATFORM"] = "offscreen"  # renders without a display, also on a kiosk
    keep = args.data_dir is not None
    parent = args.data_dir.expanduser().resolve() if keep else None
    if parent is not None:
        parent.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="shoumen-selftest-", dir=parent))

    from shoumen_gui import pyside_fixes
    from shoumen_gui.logging_setup import setup_logging, shutdown_logging

    setup_logging(folder / "logs", to_stderr=False)
    pyside_fixes.apply()  # as the app does: the Qt steps emit signals
    frozen = "bundle" if getattr(sys, "frozen", False) else "source"
    print(f"shoumen self-test ({frozen}, Python {sys.version.split()[0]}) in {folder}", file=out, flush=True)
    began = time.perf_counter()
    state = SelfTestState(folder)
    try:
        outcomes = run_steps(state, out)
    finally:
        close(state)
    failed = [o for o in outcomes if o.status != "ok"]
    seconds = time.perf_counter() - began
    if failed:
        print(f"self-test FAILED: {len(failed)} of {len(outcomes)} steps in {seconds:.1f} s", file=out)
        print(f"files and log kept in {folder}", file=out, flush=True)
    else:
        print(f"self-test passed: {len(outcomes)} steps in {seconds:.1f} s", file=out, flush=True)
    shutdown_logging()
    if not failed and not keep:
        shutil.rmtree(folder, ignore_errors=True)
    return 1 if failed else 0
