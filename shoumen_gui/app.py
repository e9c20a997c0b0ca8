"""Bootstrap: arguments, folders, settings, logging, crash handler, backend, main window.

`shoumen` and `python -m shoumen_gui` both land in main(). With no server configured the
embedded backend starts (DESIGN §6), off the GUI thread.
"""

from __future__ import annotations

import argparse
import gc
import logging
import os
import platform
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

# Only what main() needs before the backend process is started: Qt and the GUI are imported
# after it (issue 18 §3), and a station on a remote server never imports the server.
from shoumen_gui.embedded import SERVE_FLAG, EmbeddedBackendError, EmbeddedProcess, LocalBackend
from shoumen_gui.import_trims import skip_pyside_source_scans, skip_unused_imports
from shoumen_gui.logging_setup import setup_logging, shutdown_logging
from shoumen_gui.paths import AppPaths, DataDirError, resources_dir
from shoumen_gui.services.errors import CaFileError
from shoumen_gui.services.tls import server_verify
from shoumen_gui.settings import DECODERS, Settings, SettingsStore

if TYPE_CHECKING:
    from PySide6.QtCore import QTranslator
    from PySide6.QtWidgets import QApplication, QMessageBox

    from shoumen_gui.crash import CrashHandler
    from shoumen_gui.services.session import BackendChoice
    from shoumen_gui.services.sync import SyncStatus
    from shoumen_gui.tasks import TaskManager
    from shoumen_gui.ui.flow import SessionFlow
    from shoumen_gui.ui.kiosk import KioskController
    from shoumen_gui.ui.main_window import MainWindow

log = logging.getLogger("shoumen.gui.app")

# As early as this module is imported: after the few imports above, before Qt and the GUI's.
PROCESS_STARTED = time.perf_counter()

READY_MARKER = "SHOUMEN_READY"
ONLINE_MARKER = "SHOUMEN_ONLINE"  # after READY workbench: this start's first sync round is done
SELF_CHECK_TIMEOUT_MS = 90_000
DEMO_LOGIN_PHONE = "13900000002"  # 李保安, a guard of the demo hospital (docs/DEMO.md)


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="shoumen", description="守小门 — 场所核验工作站")
    parser.add_argument(
        "--server", metavar="URL", help="use this backend instead of the built-in demo backend"
    )
    parser.add_argument(
        "--ca",
        metavar="FILE",
        type=Path,
        help="trust only the CA certificate(s) in this PEM file for the server's https (a county's"
        " own CA); default: the ca_file setting, else the usual public roots",
    )
    parser.add_argument(
        "--data-dir", metavar="DIR", type=Path, help="keep settings, cache, logs and the demo database in DIR"
    )
    parser.add_argument(
        "--kiosk",
        action="store_true",
        help="kiosk mode: fullscreen, the workbench only, leaving needs a manager of the venue or the PIN",
    )
    parser.add_argument(
        "--demo-login",
        metavar="PHONE",
        nargs="?",
        const=DEMO_LOGIN_PHONE,
        help=f"log in at once with a demo account (demo servers only; default {DEMO_LOGIN_PHONE})",
    )
    add_scan_arguments(parser)
    parser.add_argument(
        "--self-check-exit",
        action="store_true",
        help=f"start, print '{READY_MARKER} <page> <seconds>' when ready, and exit (tests, benchmarks)",
    )
    parser.add_argument(
        "--reset-trust-root",
        action="store_true",
        help="forget the trust-list root pinned for this server (after a root change it could not"
        " endorse; docs/SECURITY.md) and exit; the next sync pins the server's root again",
    )
    parser.add_argument(
        "--salvage",
        metavar="FILE",
        type=Path,
        help="repair a damaged local cache file: keep it aside, recover its unsynced checks into a fresh FILE",
    )
    parser.add_argument(
        "--self-test",
        action="store_true",
        help="check this installation end to end in a temporary folder, one line per step (exit 0: all ok)",
    )
    return parser.parse_args(list(argv))


def add_scan_arguments(parser: argparse.ArgumentParser) -> None:
    """The frame source for one run (else the settings: camera_index, video_file, image_folder)."""
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--camera", metavar="N", type=int, help="scan with camera N (0 = the first)")
    source.add_argument(
        "--video", metavar="FILE", type=Path, help="scan a video file as if it were the camera"
    )
    source.add_argument(
        "--images", metavar="DIR", type=Path, help="scan the images of a folder, in name order"
    )
    parser.add_argument(
        "--decoder", choices=DECODERS, help="QR decoder: zxing (default) or pyzbar (needs libzbar0)"
    )


@dataclass
class Bootstrap:
    """Everything main() set up, for an orderly shutdown."""

    app: QApplication
    paths: AppPaths
    store: SettingsStore
    settings: Settings
    tasks: TaskManager
    crash: CrashHandler
    window: MainWindow
    flow: SessionFlow
    embedded: LocalBackend | None
    kiosk: KioskController  # locked at start with --kiosk or the kiosk setting; else 自助模式 locks it
    kiosk_at_start: bool = False


def remote_url(args: argparse.Namespace, settings: Settings) -> str:
    """The remote server's URL, or "" for the embedded backend."""
    return str(args.server or settings.server_url or "")


def choose_backend(
    args: argparse.Namespace, settings: Settings, paths: AppPaths, embedded: LocalBackend | None = None
) -> BackendChoice:
    """Raises CaFileError when the CA file of a remote server cannot be used. `embedded`: the
    backend process main() started early; else one is made here (started by the flow)."""
    from shoumen_gui.services.session import BackendChoice

    url = remote_url(args, settings)
    if url:
        ca = args.ca if args.ca is not None else settings.ca_file
        return BackendChoice.remote(url, verify=server_verify(ca or None))
    return BackendChoice.local(embedded or EmbeddedProcess(paths.embedded_db))


def start_backend_early(args: argparse.Namespace, paths: AppPaths) -> EmbeddedProcess | None:
    """With no remote server: start the backend process now, before the GUI's imports, so its
    ~1.4 s of imports and the migration run on the other core (issue 18 §3)."""
    if remote_url(args, SettingsStore(paths.settings_file).load()):
        return None
    backend = EmbeddedProcess(paths.embedded_db)
    try:
        backend.spawn()
    except (OSError, EmbeddedBackendError) as exc:  # the flow tries again and shows the failure
        log.error("backend process not started: %s", exc)
        return None
    return backend


def reset_trust_root(args: argparse.Namespace) -> int:
    """`shoumen --reset-trust-root [--server URL] [--data-dir DIR]`: a deliberate, logged reset of
    the pin of one server's cache; no window. The pin is never replaced any other way."""
    from shoumen_gui.services.cache import LocalCache
    from shoumen_gui.services.session import BackendChoice

    paths = AppPaths.choose(args.data_dir).ensure()
    setup_logging(paths.log_dir, qt_messages=False)
    url = args.server or SettingsStore(paths.settings_file).load().server_url
    key = (
        BackendChoice.remote(url).key if url else BackendChoice.local(EmbeddedProcess(paths.embedded_db)).key
    )
    path = paths.cache_db(key)
    if url:  # a server met before: its cache follows its identity (services/server_identity.py)
        from shoumen_gui.services.server_identity import ServerDirectory, normalise_url

        directory = ServerDirectory.load(paths.data_dir)
        server_id = directory.urls.get(normalise_url(url), "")
        if server_id in directory.caches:
            path = paths.data_dir / directory.caches[server_id]
    if not path.exists():
        print(f"本机没有该服务器的缓存（{path.name}），无需重置")
        return 0
    cache = LocalCache.open(path)
    try:
        pin = cache.forget_root_pin()
    finally:
        cache.close()
    shutdown_logging()
    if pin is None:
        print("本机尚未记录该服务器的信任根，无需重置")
    else:
        print(f"已忘记信任根 {pin.root_id}；下次同步时将记录服务器当前的信任根")
    return 0


def load_style(app: QApplication, settings: Settings) -> None:
    """The style sheet and the type size: the settings' font scale on this screen's type scale
    (larger on big screens, ui/typescale.py)."""
    from PySide6.QtCore import QSize

    from shoumen_gui.ui.typescale import apply_type_scale

    style = resources_dir() / "styles" / "shoumen.qss"
    try:
        sheet = style.read_text(encoding="utf-8")
    except OSError:
        log.warning("style sheet missing: %s", style)
        sheet = ""
    screen = app.primaryScreen()
    apply_type_scale(app, settings.font_scale, screen.size() if screen is not None else QSize(), sheet)


def install_translator(app: QApplication, settings: Settings) -> QTranslator | None:
    """Chinese is the source language; English loads resources/translations/shoumen_en.qm
    (shoumen_gui/i18n.py). The `language` setting chooses; empty follows the system."""
    from shoumen_gui.i18n import effective_language
    from shoumen_gui.i18n import install_translator as i18n_install
    from shoumen_gui.services.api import ApiClient

    language = effective_language(settings.language)
    log.info("language: %s (setting %r)", language, settings.language)
    app.setProperty("shoumen_translated", True)  # a start failure after this speaks it too
    ApiClient.accept_language = "en" if language == "en" else "zh-CN"  # the server's messages too
    return i18n_install(app, language, resources_dir() / "translations")


def start_logging(paths: AppPaths) -> None:
    """Before the backend process starts (its log lines come here); Qt's messages are routed
    in once Qt is loaded (build)."""
    try:
        setup_logging(paths.log_dir, qt_messages=False)
    except OSError as exc:  # the folder was writable a moment ago, its log file is not
        raise DataDirError(paths.log_dir, exc, creating=False) from exc
    log.info("Shoumen starting (Python %s, %s)", platform.python_version(), platform.system())


def build(
    args: argparse.Namespace, app: QApplication, paths: AppPaths, embedded: LocalBackend | None = None
) -> Bootstrap:
    from shoumen_gui.crash import CrashHandler
    from shoumen_gui.logging_setup import install_qt_message_handler
    from shoumen_gui.tasks import TaskManager
    from shoumen_gui.ui.flow import SessionFlow
    from shoumen_gui.ui.kiosk import KioskController
    from shoumen_gui.ui.main_window import MainWindow
    from shoumen_gui.ui.scan_view import ScanConfig
    from shoumen_gui.ui.sounds import player_for

    install_qt_message_handler()
    store = SettingsStore(paths.settings_file)
    settings = store.load()
    # Before anything is installed or started: an unusable CA file ends the start calmly (main).
    install_translator(app, settings)  # first: start-up problems and the crash dialog too
    backend = choose_backend(args, settings, paths, embedded)
    if embedded is not None and backend.embedded is not embedded:  # cannot happen: same settings
        embedded.close()
    crash = CrashHandler(paths.log_dir, show_dialog=not args.self_check_exit)
    crash.install()
    load_style(app, settings)
    tasks = TaskManager()
    sounds = player_for(settings.sound_style, tones=settings.sound_enabled, voice=settings.voice_enabled)
    device = settings.device_name or platform.node()
    window = MainWindow(tasks, sounds=sounds, device_name=device)
    window.workbench.set_scan_config(
        ScanConfig.choose(
            settings, camera=args.camera, video=args.video, images=args.images, decoder=args.decoder
        )
    )
    flow = SessionFlow(window, tasks, paths, store, settings, backend, demo_login=args.demo_login)
    kiosk = KioskController(window, flow, tasks)
    kiosk_at_start = bool(args.kiosk or settings.kiosk)
    if kiosk_at_start:
        log.info("kiosk mode (%s)", "--kiosk" if args.kiosk else "setting")
    return Bootstrap(
        app, paths, store, settings, tasks, crash, window, flow, backend.embedded, kiosk, kiosk_at_start
    )


def shutdown(boot: Bootstrap) -> None:
    """After the event loop: stop syncing, finish tasks, stop the embedded backend."""
    from shoumen_gui.ui.scan_view import stop_all_scanners

    boot.flow.shutdown()
    stop_all_scanners()  # the camera thread (also stopped on aboutToQuit)
    boot.tasks.shutdown()
    if boot.flow.cache is not None:
        boot.flow.cache.close()
    if boot.flow.api is not None:
        boot.flow.api.close()
    if boot.embedded is not None:
        boot.embedded.close()
    log.info("Shoumen stopped")
    boot.crash.uninstall()
    shutdown_logging()


def _arm_self_check(boot: Bootstrap, wanted: str) -> list[int]:
    """--self-check-exit: report readiness on stdout and quit; exit 1 on failure, 2 on timeout."""
    from PySide6.QtCore import QTimer

    from shoumen_core.timeutil import utcnow

    exit_code = [0]
    started = utcnow()

    def on_ready(page: str) -> None:
        if page != wanted:  # e.g. the login page when --demo-login was asked for
            log.error("self-check: reached %s, wanted %s", page, wanted)
            exit_code[0] = 1
            boot.window.close_for_shutdown()
            return
        seconds = time.perf_counter() - PROCESS_STARTED
        log.info("ready: %s after %.2f s (%.2f s of CPU in this process)", page, seconds, time.process_time())
        print(f"{READY_MARKER} {page} {seconds:.3f}", flush=True)
        station = boot.flow.station
        if page != "workbench" or station is None:
            boot.window.close_for_shutdown()
            return

        # The workbench takes checks from here; a kept session's may still wait for the embedded
        # backend. Online: this start's first sync round done (the bench reports both).
        def synced(status: SyncStatus | None) -> None:
            if status is None or status.last_sync_at is None or status.last_sync_at < started:
                return
            seconds = time.perf_counter() - PROCESS_STARTED
            print(f"{ONLINE_MARKER} {page} {seconds:.3f}", flush=True)
            boot.window.close_for_shutdown()

        station.status_changed.connect(synced)
        synced(station.last_status)

    def on_failed(message: str) -> None:
        log.error("self-check failed: %s", message)
        exit_code[0] = 1
        boot.window.close_for_shutdown()

    def on_timeout() -> None:
        log.error("self-check timed out")
        exit_code[0] = 2
        boot.window.close_for_shutdown()

    boot.flow.ready.connect(on_ready)
    boot.flow.startup_failed.connect(on_failed)
    QTimer.singleShot(SELF_CHECK_TIMEOUT_MS, on_timeout)
    return exit_code


def salvage_main(path: Path) -> int:
    """`shoumen --salvage FILE`: what a technician runs on a cache file brought from a station.
    Exit 0: sound, or salvaged; 1: the file cannot be read or written."""
    from shoumen_gui.services.errors import CacheError
    from shoumen_gui.services.salvage import open_or_salvage

    if not path.is_file():
        print(f"找不到文件：{path}", file=sys.stderr)
        return 1
    try:
        opened = open_or_salvage(path)
    except (CacheError, OSError) as exc:
        print(getattr(exc, "message", None) or f"无法修复 {path}：{exc}", file=sys.stderr)
        return 1
    opened.cache.close()
    report = opened.salvaged
    if report is None:
        print(f"{path} 完好，无需修复。")
    else:
        print(report.message())
        print(f"新的数据文件：{path}（{report.checks} 条核验记录、{report.anomalies} 条核查登记待上传）")
    return 0


def report_start_failure(error: DataDirError | CaFileError, *, dialog: bool) -> int:
    """The app cannot start (a folder it must write to is unusable, the CA file cannot be used):
    the message on stderr and, when a window could be shown, in a plain dialog in the app's
    language (the system's when the settings could not be read). No traceback: not a bug."""
    hint = "\n请检查 --ca 参数或设置中的 CA 文件（ca_file）。" if isinstance(error, CaFileError) else ""
    print(error.message + hint, file=sys.stderr, flush=True)  # logs and scripts read Chinese
    if dialog:
        from PySide6.QtWidgets import QApplication

        from shoumen_gui.i18n import effective_language
        from shoumen_gui.i18n import install_translator as i18n_install

        app = QApplication.instance() or QApplication([sys.argv[0]])
        assert isinstance(app, QApplication)
        if not app.property("shoumen_translated"):  # the settings were not read: the system's
            i18n_install(app, effective_language(""), resources_dir() / "translations")
        start_failure_box(error).exec()
    return 2


def start_failure_box(error: DataDirError | CaFileError) -> QMessageBox:
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QMessageBox

    from shoumen_gui.ui.texts import START_FAILURE_TITLE, start_failure_words, tr

    box = QMessageBox(QMessageBox.Icon.Critical, tr(START_FAILURE_TITLE), "")
    box.setObjectName("startFailure")
    box.setTextFormat(Qt.TextFormat.PlainText)  # the folder's name may hold anything
    box.setText(start_failure_words(error))
    box.setStandardButtons(QMessageBox.StandardButton.Ok)
    return box


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    skip_unused_imports()
    if SERVE_FLAG in argv:  # the backend process the app starts (EmbeddedProcess): no Qt here
        from shoumen_gui.embedded import serve_main

        return serve_main(argv)
    if "--self-test" in argv:
        from shoumen_gui import selftest

        return selftest.main(argv)
    args = parse_args(argv)  # before Qt: --help and bad options need no display
    if args.reset_trust_root:
        return reset_trust_root(args)
    if args.salvage is not None:
        return salvage_main(args.salvage)
    dialog = not args.self_check_exit  # tests and benchmarks read stderr, nobody clicks
    # No cyclic collection while the GUI starts: its ~300,000 objects live as long as the app,
    # and each automatic pass over them is wasted. The GUI-thread collector (run_gui) takes over
    # and freezes them once the app is usable.
    gc.disable()
    try:
        paths = AppPaths.choose(args.data_dir).ensure()
        start_logging(paths)
    except DataDirError as exc:
        return report_start_failure(exc, dialog=dialog)
    # The backend process first, the GUI's imports after: they run on both cores at once.
    embedded = start_backend_early(args, paths)
    try:
        return run_gui(args, paths, embedded, dialog)
    finally:
        if embedded is not None:
            embedded.close()  # a start that failed before the flow owned it (else already closed)


def run_gui(args: argparse.Namespace, paths: AppPaths, embedded: EmbeddedProcess | None, dialog: bool) -> int:
    from PySide6.QtCore import Qt

    skip_pyside_source_scans()  # before the rest of the GUI's imports
    from PySide6.QtWidgets import QApplication

    from shoumen_gui import pyside_fixes
    from shoumen_gui.gc_collector import START_UP_MS, GuiThreadCollector

    os.environ.setdefault("QT_ENABLE_HIGHDPI_SCALING", "1")
    app = QApplication.instance() or QApplication([sys.argv[0]])
    assert isinstance(app, QApplication)
    pyside_fixes.apply()  # PySide6 6.12 + Python 3.11: emit() would use up True's references
    # Qt objects in garbage die on the GUI thread, never a worker's; none collected while starting.
    collector = GuiThreadCollector(app, start_up_ms=START_UP_MS)
    app.setApplicationName("shoumen")
    app.setApplicationDisplayName("守小门")
    app.setOrganizationName("shoumen")
    try:
        boot = build(args, app, paths, embedded)
    except DataDirError as exc:
        shutdown_logging()
        return report_start_failure(exc, dialog=dialog)
    except CaFileError as exc:
        log.error("start-up refused: %s", exc.code)
        shutdown_logging()
        return report_start_failure(exc, dialog=dialog)
    # Start-up's objects out of the collector's passes: once the app is usable, and what the
    # scanning preload brought in (OpenCV, the decoders) once it is in.
    boot.flow.ready.connect(lambda _page: collector.freeze_start_up(), Qt.ConnectionType.SingleShotConnection)
    boot.window.workbench.scanning_loaded.connect(collector.freeze_start_up)
    exit_code = [0]
    if args.self_check_exit:
        exit_code = _arm_self_check(boot, "workbench" if args.demo_login else "login")
    boot.window.show_on_screen()
    log.info(
        "window shown after %.2f s (%.2f s of CPU)",
        time.perf_counter() - PROCESS_STARTED,
        time.process_time(),
    )
    if boot.kiosk_at_start:
        boot.kiosk.lock()  # fullscreen and locked from the first page on
    boot.flow.start()
    try:
        status = app.exec()
    finally:
        shutdown(boot)
    return exit_code[0] or status
