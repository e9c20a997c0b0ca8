"""Personal codes of demo persons as QR images and a video, for trying the app's scanner.

`write_demo_codes` writes into a folder:

- `<path>_<n>.png`: one QR per code (error correction M), `path` a key of seed.DEMO_PATHS and
  `n` counting from 1 (1 = the documented person of the path);
- `codes.json`: file name -> {"code", "level", "path", "masked_name"}, in the order the codes
  appear in the video; `level` is what the default venue policy gives at the time of writing;
- `demo.mp4`: 640x480, 10 fps, `mp4v`; each code is shown ~1.5 s centred on a light
  background, with blank frames between (the camera tests play it as a fake camera).
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt
import qrcode
from qrcode.constants import ERROR_CORRECT_M
from sqlalchemy.orm import Session, sessionmaker

from shoumen_core.policy import VenuePolicy, evaluate
from shoumen_server.health import RegistryHealthSource, issue_code_for
from shoumen_server.keys import KeyStore
from shoumen_server.seed import seeded_people

FRAME_SIZE = (640, 480)
FPS = 10
CODE_FRAMES = 15  # 1.5 s
BLANK_FRAMES = 5  # 0.5 s
BACKGROUND = 238  # light grey around the white quiet zone
QR_BORDER = 4  # modules of quiet zone, as the standard asks
PNG_MODULE_PIXELS = 6

Image = npt.NDArray[np.uint8]


class NotSeeded(RuntimeError):
    def __init__(self) -> None:
        super().__init__("数据库中没有演示数据，请先运行 shoumen-server seed-demo")


@dataclass(frozen=True)
class DemoCode:
    file: str
    path: str
    code: str
    level: str
    masked_name: str


def qr_matrix(text: str) -> npt.NDArray[np.bool_]:
    """The QR modules of an ASCII text (True = dark), quiet zone included."""
    qr = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=QR_BORDER)
    qr.add_data(text.encode("ascii"))
    qr.make(fit=True)
    return np.array(qr.get_matrix(), dtype=bool)


def qr_image(modules: npt.NDArray[np.bool_], module_pixels: int) -> Image:
    """A greyscale image of a QR matrix, `module_pixels` per module, white quiet zone."""
    grey = np.where(modules, 0, 255).astype(np.uint8)
    return np.kron(grey, np.ones((module_pixels, module_pixels), dtype=np.uint8)).astype(np.uint8)


def video_frame(modules: npt.NDArray[np.bool_] | None) -> Image:
    """A 640x480 frame: the code as large as fits (whole pixels per module), or blank."""
    width, height = FRAME_SIZE
    frame = np.full((height, width), BACKGROUND, dtype=np.uint8)
    if modules is None:
        return frame
    image = qr_image(modules, max(2, (height - 40) // modules.shape[0]))
    top, left = (height - image.shape[0]) // 2, (width - image.shape[1]) // 2
    frame[top : top + image.shape[0], left : left + image.shape[1]] = image
    return frame


def demo_codes(
    sessions: sessionmaker[Session], keys: KeyStore, now: datetime, per_path: int = 1
) -> list[DemoCode]:
    """Fresh personal codes for `per_path` demo persons of every path (fewer where a path has
    fewer persons), issued at `now`, with the level the default policy gives them."""
    codes: list[DemoCode] = []
    counts: dict[str, int] = defaultdict(int)
    policy = VenuePolicy()
    with sessions() as session:
        people = seeded_people(session, now)
        if people is None:
            raise NotSeeded()
        registry = RegistryHealthSource(session, keys)
        for person in people:
            key = person.path.key
            if counts[key] >= per_path:
                continue
            document = person.data.document
            record = registry.find_by_document(document.kind, document.number)
            if record is None:  # removed from the registry since the seed
                continue
            counts[key] += 1
            codes.append(
                DemoCode(
                    file=f"{key}_{counts[key]}.png",
                    path=key,
                    code=issue_code_for(keys, record, now),
                    level=evaluate(record.snapshot, policy, now).level.value,
                    masked_name=record.masked_name,
                )
            )
    return codes


def write_video(path: Path, codes: list[npt.NDArray[np.bool_]]) -> None:
    """The codes (QR matrices) one after another, with blank frames before and between."""
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"mp4v"), FPS, FRAME_SIZE, False)
    if not writer.isOpened():
        raise RuntimeError("OpenCV cannot write mp4v video here")
    try:
        blank = video_frame(None)
        for _ in range(BLANK_FRAMES):
            writer.write(blank)
        for modules in codes:
            frame = video_frame(modules)
            for _ in range(CODE_FRAMES):
                writer.write(frame)
            for _ in range(BLANK_FRAMES):
                writer.write(blank)
    finally:
        writer.release()


def write_demo_codes(
    out: Path, sessions: sessionmaker[Session], keys: KeyStore, now: datetime, per_path: int = 1
) -> list[DemoCode]:
    """Write the PNGs, codes.json and demo.mp4 (see the module doc) into `out`."""
    out.mkdir(parents=True, exist_ok=True)
    codes = demo_codes(sessions, keys, now, per_path)
    matrices = [qr_matrix(code.code) for code in codes]
    for code, modules in zip(codes, matrices, strict=True):
        if not cv2.imwrite(str(out / code.file), qr_image(modules, PNG_MODULE_PIXELS)):
            raise OSError(f"cannot write {out / code.file}")
    index = {
        code.file: {
            "code": code.code,
            "level": code.level,
            "path": code.path,
            "masked_name": code.masked_name,
        }
        for code in codes
    }
    (out / "codes.json").write_text(json.dumps(index, ensure_ascii=False, indent=2), encoding="utf-8")
    write_video(out / "demo.mp4", matrices)
    return codes
