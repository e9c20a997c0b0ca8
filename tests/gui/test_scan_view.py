# mypy: allow-untyped-calls
"""The camera view: its worker reads a source, decodes off the GUI thread and previews.

Real decoders on generated frames and a real mp4v video in the backend's demo-codes format;
the camera device is the one thing faked (tests/gui/scanning/fakes.FakeCamera behaves like
cv2.VideoCapture on a camera that can be unplugged).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from shoumen_gui import pyside_fixes
from shoumen_gui.app import parse_args
from shoumen_gui.scanning import CameraSource, Frame, decoders
from shoumen_gui.scanning.testframes import Placement, make_frame, sample_personal_code
from shoumen_gui.settings import SETTINGS_VERSION, Settings, SettingsStore
from shoumen_gui.ui.scan_view import ScanConfig, ScanHit, ScanState, ScanView, stop_all_scanners, to_qimage
from shoumen_server.demo_codes import qr_matrix, write_video
from shoumen_server.seed import DEMO_PATHS_BY_KEY
from tests.gui.conftest import GUARD_PHONE, MakeApp, MemoryKeyring
from tests.gui.helpers import click, verdict
from tests.gui.scanning.fakes import FakeCamera

FAST_RETRY = 0.05

# The camera emits 15 previews a second: without this, PySide6 6.12 on Python 3.11 would use up
# True's references during the run (shoumen_gui/pyside_fixes.py). Process-wide, as in the app.
pyside_fixes.apply()


@pytest.fixture
def view(qtbot: QtBot) -> Iterator[ScanView]:
    widget = ScanView()
    qtbot.addWidget(widget)
    widget.show()
    yield widget
    widget.stop(wait=True)
    assert stop_all_scanners()


@pytest.fixture(scope="module")
def codes() -> list[str]:
    return [sample_personal_code(i) for i in range(3)]


@pytest.fixture(scope="module")
def demo_video(tmp_path_factory: pytest.TempPathFactory, codes: list[str]) -> Path:
    """Three codes in the format of `shoumen-server demo-codes` (640x480, 10 fps, mp4v)."""
    path = tmp_path_factory.mktemp("video") / "demo.mp4"
    write_video(path, [qr_matrix(code) for code in codes])
    return path


class ListSource:
    """A finite FrameSource over given images (for frames no camera would make)."""

    description = "测试帧"
    fps = 30.0
    realtime = False

    def __init__(self, images: list[object]) -> None:
        self.images = images
        self.position = 0

    @property
    def at_end(self) -> bool:
        return self.position >= len(self.images)

    def open(self) -> None:
        self.position = 0

    def read(self) -> Frame | None:
        if self.at_end:
            return None
        image = self.images[self.position]
        frame = Frame(image=image, index=self.position, timestamp_ns=self.position * 33_000_000)  # type: ignore[arg-type]
        self.position += 1
        return frame

    def close(self) -> None:
        pass


def states(view: ScanView) -> list[str]:
    seen: list[str] = []
    view.state_changed.connect(seen.append)
    return seen


def state_text(view: ScanView) -> str:
    label = view.findChild(QLabel, "scanState")
    assert label is not None
    return label.text()


# --- a video file as the camera ----------------------------------------------------------------


def test_demo_video_is_read_code_by_code_with_a_preview(
    qtbot: QtBot, view: ScanView, demo_video: Path, codes: list[str]
) -> None:
    seen = states(view)
    read: list[str] = []
    hits: list[ScanHit] = []
    view.scanned.connect(read.append)
    view.hit.connect(hits.append)
    view.set_config(ScanConfig(camera=None, video=demo_video, realtime=False))
    with qtbot.waitSignal(view.state_changed, check_params_cb=lambda s: s == ScanState.ENDED, timeout=20_000):
        view.start()
    assert read == codes  # each code once (2 identical decodes), in order, none twice
    assert all(hit.ascii_ok and hit.entered_ns > 0 for hit in hits)
    assert seen[:2] == [ScanState.STARTING, ScanState.SCANNING]
    assert "demo.mp4 已播放完毕" in state_text(view)
    assert view.preview_label.pixmap().isNull()  # no picture left on screen once it ended


def test_preview_is_downscaled_and_shown_while_scanning(qtbot: QtBot, view: ScanView) -> None:
    camera = FakeCamera([make_frame(None, size=(1280, 720), seed=i) for i in range(3)])
    view.set_config(
        ScanConfig(
            camera=None, source_factory=lambda: CameraSource(0, capture_factory=camera.factory), retry=True
        )
    )
    view.start()
    qtbot.waitUntil(lambda: not view.preview_label.pixmap().isNull(), timeout=10_000)
    pixmap = view.preview_label.pixmap()
    assert pixmap.width() == 480 and pixmap.height() == 270
    view.stop(wait=True)
    assert view.preview_label.pixmap().isNull()
    assert not view.running


def test_image_folder_source(qtbot: QtBot, view: ScanView, tmp_path: Path, codes: list[str]) -> None:
    from shoumen_gui.scanning.testframes import write_test_images

    write_test_images(tmp_path / "imgs", [codes[0], None, codes[1]])
    read: list[str] = []
    view.scanned.connect(read.append)
    view.set_config(ScanConfig(camera=None, images=tmp_path / "imgs", realtime=False))
    with qtbot.waitSignal(view.state_changed, check_params_cb=lambda s: s == ScanState.ENDED, timeout=20_000):
        view.start()
    assert read == codes[:2]


def test_a_missing_video_is_an_error_without_retries(qtbot: QtBot, view: ScanView, tmp_path: Path) -> None:
    view.set_config(ScanConfig(camera=None, video=tmp_path / "nothing.mp4"))
    with qtbot.waitSignal(view.state_changed, check_params_cb=lambda s: s == ScanState.ERROR, timeout=10_000):
        view.start()
    assert state_text(view) == "找不到视频文件：nothing.mp4"
    qtbot.waitUntil(lambda: not view.running, timeout=5000)


# --- the camera at the gate --------------------------------------------------------------------


def camera_config(camera: FakeCamera) -> ScanConfig:
    return ScanConfig(
        camera=None,
        source_factory=lambda: CameraSource(0, capture_factory=camera.factory, max_failures=3),
        retry=True,
        retry_seconds=FAST_RETRY,
    )


def test_no_camera_says_so_and_finds_it_when_plugged_in(
    qtbot: QtBot, view: ScanView, codes: list[str]
) -> None:
    camera = FakeCamera([make_frame(codes[0], size=(640, 480))])
    camera.plugged_in = False
    view.set_config(camera_config(camera))
    with qtbot.waitSignal(
        view.state_changed, check_params_cb=lambda s: s == ScanState.NO_CAMERA, timeout=10_000
    ):
        view.start()
    assert state_text(view).startswith("未检测到摄像头")
    assert "证件录入" in state_text(view)
    read: list[str] = []
    view.scanned.connect(read.append)
    camera.plugged_in = True  # plugged in later: found without a restart
    qtbot.waitUntil(lambda: read == [codes[0]], timeout=10_000)
    assert view.state is ScanState.SCANNING


def test_camera_lost_mid_shift_is_reported_and_reopened(
    qtbot: QtBot, view: ScanView, codes: list[str]
) -> None:
    camera = FakeCamera([make_frame(codes[0], size=(640, 480))])
    read: list[str] = []
    view.scanned.connect(read.append)
    view.set_config(camera_config(camera))
    view.start()
    qtbot.waitUntil(lambda: read == [codes[0]], timeout=10_000)
    with qtbot.waitSignal(view.state_changed, check_params_cb=lambda s: s == ScanState.LOST, timeout=10_000):
        camera.plugged_in = False
    assert state_text(view).startswith("摄像头连接已断开")
    assert view.preview_label.pixmap().isNull()
    camera.frames = [make_frame(codes[1], size=(640, 480))]
    with qtbot.waitSignal(
        view.state_changed, check_params_cb=lambda s: s == ScanState.SCANNING, timeout=10_000
    ):
        camera.plugged_in = True
    assert state_text(view) == "摄像头已重新连接"
    qtbot.waitUntil(lambda: read == [codes[0], codes[1]], timeout=10_000)


# --- frames no code should crash on ------------------------------------------------------------


def test_bad_frames_do_not_crash_and_a_foreign_code_is_explained(
    qtbot: QtBot, view: ScanView, codes: list[str]
) -> None:
    rng = np.random.default_rng(7)
    huge = make_frame(codes[0], size=(640, 480), placement=Placement(side=1400))  # overflows the frame
    foreign = make_frame("张三的健康码 http://例子.中国/码", size=(640, 480))
    images: list[object] = [
        np.zeros((480, 640, 3), np.uint8),  # all black
        rng.integers(0, 256, (480, 640, 3), dtype=np.uint8),  # all noise
        huge,
        huge,
        foreign,
        foreign,
        np.zeros((480, 640), np.float32),  # not an 8-bit image
        np.zeros((0, 0, 3), np.uint8),  # empty
        np.zeros((10, 10, 2), np.uint8),  # two channels
        make_frame(codes[1], size=(640, 480)),
        make_frame(codes[1], size=(640, 480)),
    ]
    read: list[str] = []
    messages: list[str] = []
    view.scanned.connect(read.append)
    view.message.connect(messages.append)
    view.set_config(ScanConfig(camera=None, source_factory=lambda: ListSource(images)))
    with qtbot.waitSignal(view.state_changed, check_params_cb=lambda s: s == ScanState.ENDED, timeout=20_000):
        view.start()
    assert read == [codes[1]]  # the scanner still works after all of them
    assert messages == ["扫到的不是个人健康码（二维码含中文等字符），请访客出示本人的个人健康码"]


def test_pyzbar_without_libzbar_falls_back_to_zxing_with_a_notice(
    qtbot: QtBot, view: ScanView, demo_video: Path, codes: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_libzbar() -> object:
        raise ImportError("Unable to find zbar shared library")

    monkeypatch.setattr(decoders, "_load_pyzbar", no_libzbar)  # the native library boundary
    read: list[str] = []
    messages: list[str] = []
    view.scanned.connect(read.append)
    view.message.connect(messages.append)
    view.set_config(ScanConfig(camera=None, video=demo_video, realtime=False, decoder="pyzbar"))
    with qtbot.waitSignal(view.state_changed, check_params_cb=lambda s: s == ScanState.ENDED, timeout=20_000):
        view.start()
    notice = view.findChild(QLabel, "scanNotice")
    assert notice is not None and notice.isVisible()
    assert notice.text() == "未找到 zbar 解码库（libzbar0），已改用 zxing 解码"
    assert messages == [notice.text()]
    assert read == codes


def test_pyzbar_decodes_when_its_library_is_there(
    qtbot: QtBot, view: ScanView, demo_video: Path, codes: list[str]
) -> None:
    read: list[str] = []
    view.scanned.connect(read.append)
    view.set_config(ScanConfig(camera=None, video=demo_video, realtime=False, decoder="pyzbar"))
    with qtbot.waitSignal(view.state_changed, check_params_cb=lambda s: s == ScanState.ENDED, timeout=30_000):
        view.start()
    assert read == codes
    notice = view.findChild(QLabel, "scanNotice")
    assert notice is not None and not notice.isVisible()


@pytest.mark.parametrize(
    ("image", "size"),
    [
        (np.full((720, 1280, 3), 200, np.uint8), (480, 270)),
        (np.full((480, 640), 10, np.uint8), (480, 360)),
        (np.full((240, 320, 4), 10, np.uint8), (320, 240)),
    ],
)
def test_to_qimage_downscales_colour_grey_and_alpha(image: np.ndarray, size: tuple[int, int]) -> None:
    converted = to_qimage(image)
    assert converted is not None
    assert (converted.width(), converted.height()) == size


@pytest.mark.parametrize(
    "image", [np.zeros((4, 4), np.float32), np.zeros((0, 0), np.uint8), np.zeros((4, 4, 2), np.uint8), "x"]
)
def test_to_qimage_refuses_what_is_not_a_picture(image: object) -> None:
    assert to_qimage(image) is None


# --- choosing the source -----------------------------------------------------------------------


def test_command_line_beats_settings_and_settings_choose_the_source(tmp_path: Path) -> None:
    settings = Settings(camera_index=1, decoder="pyzbar")
    assert ScanConfig.choose(settings) == ScanConfig(camera=1, decoder="pyzbar")
    args = parse_args(["--video", str(tmp_path / "gate.mp4"), "--decoder", "zxing"])
    config = ScanConfig.choose(
        settings, camera=args.camera, video=args.video, images=args.images, decoder=args.decoder
    )
    assert config == ScanConfig(camera=None, video=tmp_path / "gate.mp4", decoder="zxing")
    assert ScanConfig.choose(Settings(video_file="demo.mp4")) == ScanConfig(
        camera=None, video=Path("demo.mp4")
    )
    assert ScanConfig.choose(Settings(image_folder="imgs")) == ScanConfig(camera=None, images=Path("imgs"))
    assert ScanConfig.choose(Settings(camera_index=-1)) is None  # a desk with a USB scanner only
    assert parse_args(["--camera", "2"]).camera == 2


def test_only_one_source_on_the_command_line(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        parse_args(["--camera", "0", "--video", "a.mp4"])
    assert "not allowed with argument" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        parse_args(["--decoder", "zbar"])


def test_settings_version_1_gains_the_scanning_options(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text(
        json.dumps({"version": 1, "server_url": "", "camera": 2, "decoder": "zbar"}), encoding="utf-8"
    )
    loaded = SettingsStore(path).load()
    assert (loaded.camera_index, loaded.decoder) == (2, "pyzbar")
    on_disk = json.loads(path.read_text(encoding="utf-8"))
    assert on_disk["version"] == SETTINGS_VERSION >= 2
    assert on_disk["camera_index"] == 2 and "camera" not in on_disk


def test_bad_scanning_settings_fall_back_to_defaults(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    bad = {"version": 2, "camera_index": "front", "decoder": "zbar2", "video_file": 3, "image_folder": None}
    path.write_text(json.dumps(bad), encoding="utf-8")
    loaded = SettingsStore(path).load()
    assert (loaded.camera_index, loaded.decoder, loaded.video_file, loaded.image_folder) == (
        0,
        "zxing",
        "",
        "",
    )
    path.write_text(json.dumps({"version": 2, "camera_index": True}), encoding="utf-8")
    assert SettingsStore(path).load().camera_index == 0


def test_without_a_camera_the_workbench_says_so_and_the_id_pad_works(
    qtbot: QtBot, make_station_app: MakeApp, memory_keyring: MemoryKeyring
) -> None:
    camera = FakeCamera([make_frame(None, size=(640, 480))])
    camera.plugged_in = False
    app = make_station_app(demo_login=GUARD_PHONE)
    app.window.workbench.set_scan_config(camera_config(camera))
    app.start()
    workbench = app.window.workbench
    qtbot.waitUntil(lambda: workbench.scan_view.state is ScanState.NO_CAMERA, timeout=10_000)
    assert state_text(workbench.scan_view).startswith("未检测到摄像头")
    for digit in DEMO_PATHS_BY_KEY["green_fresh"].number:  # the on-screen keypad, key by key
        click(qtbot, workbench, f"key{digit}")
    with qtbot.waitSignal(workbench.check_finished, timeout=15_000):
        click(qtbot, workbench, "idSubmit")
    assert verdict(app.window) == "通行"
    workbench.detach()  # logging out stops the camera
    assert not workbench.scan_view.running
    assert stop_all_scanners()


def test_emitting_from_python_cannot_use_up_the_bools() -> None:
    assert pyside_fixes.apply() == pyside_fixes.apply()  # probed and applied once
    if pyside_fixes.emit_leaks_true():  # PySide6 6.12 on Python 3.11
        assert sys.getrefcount(True) > 1 << 39 and sys.getrefcount(False) > 1 << 39
