# mypy: allow-untyped-calls
"""Scanner input as a guard meets it (issue 16 §8): a QR that is not ours says what it is, a
scanner gun fired twice makes one check, and `--images` checks every photo of the folder."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import cv2
from PySide6.QtWidgets import QLabel, QPushButton
from pytestqt.qtbot import QtBot

from shoumen_gui.scanning.hardframes import photo_frames
from shoumen_gui.services.checks import MSG_UNKNOWN, MSG_WEB_ADDRESS
from shoumen_gui.settings import Settings
from shoumen_gui.ui.scan_view import ScanConfig, ScanState, stop_all_scanners
from shoumen_server.seed import DEMO_PATHS_BY_KEY
from tests.gui.conftest import GUARD_PHONE, LiveBackend, MakeApp, MemoryKeyring
from tests.gui.helpers import find, verdict
from tests.gui.test_wedge_filter import SCANNER_MS, FakeMs, type_keys

GREEN = DEMO_PATHS_BY_KEY["green_fresh"].number
RED = DEMO_PATHS_BY_KEY["red"].number


def test_a_qr_that_is_not_ours_says_what_it_is(
    qtbot: QtBot, make_station_app: MakeApp, memory_keyring: MemoryKeyring
) -> None:
    app = make_station_app(demo_login=GUARD_PHONE)
    app.start()
    workbench = app.window.workbench
    assert workbench.wedge is not None
    clock = FakeMs()
    workbench.wedge.clock = clock
    ready = find(app.window, QLabel, "readyLabel")
    field = workbench.id_pad.input
    field.setFocus()
    # A WeChat link scanned by mistake: a web address, not "无法识别的证件号码".
    with qtbot.waitSignal(workbench.check_finished, timeout=15_000):
        type_keys(qtbot, field, "https://weixin.qq.com/r/AbC123xyz", clock, SCANNER_MS, enter=True)
    assert ready.text() == MSG_WEB_ADDRESS == "扫到的是网址二维码，不是个人健康码。请访客出示本人的个人健康码"
    # A product code of letters and digits: some other QR, not a document number to correct.
    with qtbot.waitSignal(workbench.check_finished, timeout=15_000):
        type_keys(qtbot, field, "SN20221A7X42B9", clock, SCANNER_MS, enter=True)
    assert ready.text() == MSG_UNKNOWN
    assert "证件号码" not in ready.text()
    assert field.text() == ""


def test_the_same_code_twice_from_a_scanner_gun_is_one_check(
    qtbot: QtBot, make_station_app: MakeApp, memory_keyring: MemoryKeyring, embedded: LiveBackend
) -> None:
    app = make_station_app(demo_login=GUARD_PHONE)
    app.start()
    workbench = app.window.workbench
    assert workbench.wedge is not None
    clock = FakeMs()
    workbench.wedge.clock = clock
    finished: list[object] = []
    workbench.check_finished.connect(finished.append)
    field = workbench.id_pad.input
    field.setFocus()
    with qtbot.waitSignal(workbench.check_finished, timeout=15_000):
        type_keys(qtbot, field, GREEN, clock, SCANNER_MS, enter=True)
    clock.now += 1_500  # the trigger pressed again while the visitor is still there
    type_keys(qtbot, field, GREEN, clock, SCANNER_MS, enter=True)
    with qtbot.waitSignal(workbench.check_finished, timeout=15_000):  # the next visitor
        type_keys(qtbot, field, RED, clock, SCANNER_MS, enter=True)
    assert len(finished) == 2  # the first scan and the next visitor: the repeat made no check
    assert verdict(app.window) == "禁止通行"
    clock.now += 6_000  # past the repeat window: the same person again is a new check
    with qtbot.waitSignal(workbench.check_finished, timeout=15_000):
        type_keys(qtbot, field, GREEN, clock, SCANNER_MS, enter=True)
    assert verdict(app.window) == "通行"
    assert len(finished) == 3
    assert app.cache.pending_count() + embedded.count_checks() >= 3


def demo_codes(embedded: LiveBackend, out: Path) -> list[str]:
    """Personal codes signed by this backend (`shoumen-server demo-codes`, as the README says)."""
    env = dict(
        os.environ,
        SHOUMEN_DATABASE_URL=embedded.backend.database_url,
        SHOUMEN_KEY_DIR=str(embedded.backend.key_dir),
    )
    subprocess.run(
        [sys.executable, "-m", "shoumen_server", "demo-codes", "--out", str(out)],
        env=env,
        check=True,
        capture_output=True,
    )
    index = json.loads((out / "codes.json").read_text(encoding="utf-8"))
    return [entry["code"] for entry in index.values()]


def test_images_checks_every_phone_photo_of_the_folder(
    qtbot: QtBot,
    make_station_app: MakeApp,
    memory_keyring: MemoryKeyring,
    embedded: LiveBackend,
    tmp_path: Path,
) -> None:
    codes = demo_codes(embedded, tmp_path / "codes")[:4]
    folder = tmp_path / "photos"
    folder.mkdir()
    for number, photo in enumerate(photo_frames(4, texts=codes)):  # 12 MP, small codes, JPEG
        ok, encoded = cv2.imencode(".jpg", photo.image, [cv2.IMWRITE_JPEG_QUALITY, 90])
        assert ok
        (folder / f"IMG_{number:04d}.jpg").write_bytes(encoded.tobytes())
    app = make_station_app(demo_login=GUARD_PHONE)
    workbench = app.window.workbench
    finished: list[object] = []

    def guard_answers(result: object) -> None:
        finished.append(result)
        if workbench.result_panel.awaiting_decision:  # a 人工核验 waits: this guard leaves it
            find(workbench, QPushButton, "dismissUndecided").click()  # undecided, next photo

    workbench.check_finished.connect(guard_answers)
    workbench.set_scan_config(ScanConfig.choose(Settings(), images=folder))  # `shoumen --images DIR`
    app.start()
    qtbot.waitUntil(lambda: workbench.scan_view.state is ScanState.ENDED, timeout=60_000)
    qtbot.waitUntil(lambda: len(finished) >= 4, timeout=20_000)
    assert len(finished) == 4
    assert all(hasattr(result, "level") for result in finished)  # four verdicts, no error
    assert stop_all_scanners()
