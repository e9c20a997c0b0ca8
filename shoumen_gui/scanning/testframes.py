"""Generated camera-like frames with QR codes, for tests, benchmarks and demos.

Real decoders on generated frames stand in for a guard holding a phone up to the camera: a
QR code of a given size, somewhere on a 1280x720 or 640x480 picture, optionally turned,
tilted, blurred and noisy. Everything is seeded, so a frame set is the same on every run.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt
import qrcode
import qrcode.constants

from shoumen_gui.scanning.frames import Image, as_image

SIZE_720P = (1280, 720)
SIZE_480P = (640, 480)


def qr_matrix(text: str, *, border: int = 4) -> Image:
    """The code's modules as a uint8 array, 0 = dark, 255 = light, quiet zone included.

    Byte mode with UTF-8 for non-ASCII text (what a phone's generator writes). Cached: the
    qrcode library spends ~70 ms choosing the mask of a version-13 code.
    """
    return _qr_matrix(text, border).copy()


@functools.lru_cache(maxsize=256)
def _qr_matrix(text: str, border: int) -> Image:
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=border)
    code.add_data(text.encode("utf-8"))
    code.make(fit=True)
    modules = np.array(code.get_matrix(), dtype=bool)
    return np.where(modules, 0, 255).astype(np.uint8)


def qr_image(text: str, side: int, *, border: int = 4) -> Image:
    """The code rendered sharply (nearest neighbour) at ``side`` x ``side`` pixels."""
    matrix = qr_matrix(text, border=border)
    return as_image(cv2.resize(matrix, (side, side), interpolation=cv2.INTER_NEAREST))


@functools.lru_cache(maxsize=4)
def _ramp(width: int, height: int) -> Image:
    ramp = (
        np.linspace(90, 190, width, dtype=np.float32)[None, :]
        + np.linspace(0, 40, height, dtype=np.float32)[:, None]
    )
    return ramp.astype(np.uint8)


@functools.lru_cache(maxsize=4)
def _noise_field(count: int) -> npt.NDArray[np.float32]:
    """Twice ``count`` standard-normal samples; a frame's noise is a random window of it
    (drawing 2.7 M fresh normals per 720p frame would cost ~80 ms)."""
    return np.random.default_rng(12345).standard_normal(2 * count, dtype=np.float32)


def _background(size: tuple[int, int], rng: np.random.Generator) -> Image:
    """A dull BGR scene: a lit gradient and a few soft shapes, never code-like."""
    width, height = size
    ramp = _ramp(width, height)
    tint = rng.uniform(0.85, 1.1, size=3)
    scene = cv2.merge([cv2.convertScaleAbs(ramp, alpha=float(t)) for t in tint])
    for _ in range(4):
        centre = (int(rng.integers(0, width)), int(rng.integers(0, height)))
        axes = (int(rng.integers(width // 20, width // 5)), int(rng.integers(height // 20, height // 4)))
        colour = tuple(int(c) for c in rng.integers(40, 220, size=3))
        cv2.ellipse(scene, centre, axes, float(rng.uniform(0, 180)), 0, 360, colour, -1, cv2.LINE_AA)
    return as_image(scene)


@dataclass(frozen=True, slots=True)
class Placement:
    """Where and how the code sits on the frame. ``side`` is the code's side in pixels,
    quiet zone included; ``centre`` None = the middle of the frame."""

    side: int = 240
    centre: tuple[int, int] | None = None
    rotation_deg: float = 0.0
    perspective: float = 0.0
    """How far (a fraction of ``side``) each corner may move: 0.05 is a slightly tilted phone."""


def _corners(placement: Placement, size: tuple[int, int], rng: np.random.Generator) -> np.ndarray:
    width, height = size
    cx, cy = placement.centre if placement.centre is not None else (width / 2, height / 2)
    half = placement.side / 2
    angle = math.radians(placement.rotation_deg)
    cos, sin = math.cos(angle), math.sin(angle)
    corners = []
    for dx, dy in ((-half, -half), (half, -half), (half, half), (-half, half)):
        jitter = rng.uniform(-1, 1, size=2) * placement.perspective * placement.side
        x = cx + dx * cos - dy * sin + jitter[0]
        y = cy + dx * sin + dy * cos + jitter[1]
        corners.append((x, y))
    return np.array(corners, dtype=np.float32)


def _paste_code(frame: Image, text: str, placement: Placement, rng: np.random.Generator) -> None:
    """Warp the code onto ``frame`` in place (only the rectangle it covers is touched)."""
    height, width = frame.shape[:2]
    patch = qr_image(text, max(placement.side, 8))
    side = patch.shape[0]
    corners = _corners(placement, (width, height), rng)
    x0, y0 = np.floor(corners.min(axis=0)).astype(int)
    x1, y1 = np.ceil(corners.max(axis=0)).astype(int) + 1
    x0, y0, x1, y1 = max(x0, 0), max(y0, 0), min(x1, width), min(y1, height)
    if x1 <= x0 or y1 <= y0:
        return
    source = np.array([[0, 0], [side, 0], [side, side], [0, side]], np.float32)
    warp = cv2.getPerspectiveTransform(source, corners - np.array([x0, y0], np.float32))
    roi_size = (int(x1 - x0), int(y1 - y0))
    warped = cv2.warpPerspective(patch, warp, roi_size, flags=cv2.INTER_LINEAR, borderValue=0)
    mask = cv2.warpPerspective(np.full_like(patch, 255), warp, roi_size, flags=cv2.INTER_LINEAR)
    alpha = (mask.astype(np.float32) / 255.0)[:, :, None]
    # A phone screen is not paper-white: its light is 200..245, its dark ~10.
    screen = warped.astype(np.float32)[:, :, None] * np.float32(rng.uniform(0.75, 0.92)) + 10
    roi = frame[y0:y1, x0:x1].astype(np.float32)
    frame[y0:y1, x0:x1] = np.clip(roi * (1 - alpha) + screen * alpha, 0, 255).astype(np.uint8)


def make_frame(
    text: str | None,
    *,
    size: tuple[int, int] = SIZE_720P,
    placement: Placement | None = None,
    blur_sigma: float = 0.0,
    noise_sigma: float = 0.0,
    seed: int = 0,
) -> Image:
    """A BGR camera-like frame of ``size`` (width, height); a QR code of ``text`` unless None.

    The code may overflow the frame (a huge ``side``): that is a case to test, not an error.
    """
    rng = np.random.default_rng(seed)
    frame = _background(size, rng)
    if text is not None:
        _paste_code(frame, text, placement or Placement(), rng)
    if blur_sigma > 0:
        frame = as_image(cv2.GaussianBlur(frame, (0, 0), blur_sigma))
    if noise_sigma > 0:
        field = _noise_field(frame.size)
        start = int(rng.integers(0, frame.size))
        noise = field[start : start + frame.size].reshape(frame.shape)
        noisy = cv2.scaleAdd(noise, float(noise_sigma), frame.astype(np.float32))
        frame = np.clip(noisy, 0, 255).astype(np.uint8)
    return np.ascontiguousarray(frame)


def sample_personal_code(index: int = 0) -> str:
    """A real, signed ``SMHC1.`` personal code (~320 characters, QR version 13), varied by
    index and the same on every run — the length and character set the gate actually sees."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from shoumen_core.codes import SigningKey, issue_personal_code
    from shoumen_core.policy import CodeColour, HealthSnapshot, NatResult, TravelStatus, Vaccination

    key = SigningKey("testkey1", Ed25519PrivateKey.from_private_bytes(bytes(range(32))))
    issued = datetime(2022, 5, 1, 8, 0, tzinfo=UTC) + timedelta(minutes=index)
    snapshot = HealthSnapshot(
        code_colour=CodeColour.GREEN,
        vaccination=Vaccination.BOOSTER,
        nat_sampled_at=issued - timedelta(hours=20),
        nat_result=NatResult.NEGATIVE,
        travel=TravelStatus.NORMAL,
    )
    return issue_personal_code(
        key=key,
        person_ref=f"p_{index:010d}",
        masked_name="张*",
        masked_id=f"3306**********{index % 10000:04d}",
        snapshot=snapshot,
        issued_at=issued,
    )


# --- frame sets and files ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LabelledFrame:
    image: Image
    text: str | None
    """What is on the frame (None: no code)."""
    label: str
    """How it was made, e.g. "side=260 rot=30 blur=1.0"."""


def varied_frames(
    size: tuple[int, int],
    *,
    with_code: int = 150,
    without_code: int = 50,
    seed: int = 1,
    texts: Sequence[str] | None = None,
) -> Iterator[LabelledFrame]:
    """A realistic frame set: codes of varied size (2.6 pixels per module up to 60 % of the
    frame's height), place, angle, tilt, blur and noise, then frames with nothing."""
    width, height = size
    rng = np.random.default_rng(seed)
    texts = list(texts) if texts else [sample_personal_code(i) for i in range(10)]
    short = min(width, height)
    for i in range(with_code):
        text = texts[i % len(texts)]
        modules = len(_qr_matrix(text, 4))
        # 2.6 pixels per module is about the least a 1-pixel blur leaves readable; a phone
        # held close fills ~60 % of the frame's height.
        side = int(rng.uniform(2.6, max(2.6, 0.62 * short / modules)) * modules)
        margin = int(side * 0.75) + 2  # half the diagonal plus the tilt: the code stays in view
        centre = (int(rng.integers(margin, width - margin)), int(rng.integers(margin, height - margin)))
        placement = Placement(
            side=side,
            centre=centre,
            rotation_deg=float(rng.choice([0.0, rng.uniform(-20, 20), rng.uniform(0, 360)])),
            perspective=float(rng.uniform(0.0, 0.05)),
        )
        blur = float(rng.choice([0.0, 0.6, 1.0]))
        noise = float(rng.choice([0.0, 4.0, 8.0]))
        image = make_frame(
            text, size=size, placement=placement, blur_sigma=blur, noise_sigma=noise, seed=seed * 1000 + i
        )
        label = f"side={side} rot={placement.rotation_deg:.0f} tilt={placement.perspective:.2f} blur={blur} noise={noise}"
        yield LabelledFrame(image, text, label)
    for i in range(without_code):
        noise = float(rng.choice([0.0, 8.0]))
        yield LabelledFrame(
            make_frame(None, size=size, noise_sigma=noise, seed=seed * 1000 + 500 + i), None, "none"
        )


def write_test_video(
    path: Path,
    texts: Sequence[str | None],
    fps: float = 10,
    size: tuple[int, int] = SIZE_480P,
    seconds_each: float = 1.5,
    *,
    side: int | None = None,
    noise_sigma: float = 2.0,
) -> int:
    """An mp4v video showing each text's code for ``seconds_each`` (None: an empty scene).

    The code drifts a little from frame to frame, like a hand-held phone. Returns the number
    of frames written. (H.264 is not in the OpenCV wheel; mp4v is.)
    """
    width, height = size
    side = side or int(min(width, height) * 0.6)
    per_text = max(1, round(fps * seconds_each))
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"mp4v"), fps, size)
    if not writer.isOpened():
        raise OSError(f"cannot write video {path}")
    count = 0
    try:
        for number, text in enumerate(texts):
            for i in range(per_text):
                drift = (int(6 * math.sin(i / 3)), int(4 * math.cos(i / 4)))
                placement = Placement(side=side, centre=(width // 2 + drift[0], height // 2 + drift[1]))
                writer.write(
                    make_frame(text, size=size, placement=placement, noise_sigma=noise_sigma, seed=number)
                )
                count += 1
    finally:
        writer.release()
    return count


def write_test_images(
    folder: Path, texts: Sequence[str | None], size: tuple[int, int] = SIZE_480P
) -> list[Path]:
    """One PNG per text, named 000.png, 001.png, ... in ``folder`` (created)."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for number, text in enumerate(texts):
        path = folder / f"{number:03d}.png"
        ok, encoded = cv2.imencode(".png", make_frame(text, size=size, seed=number))
        if not ok:
            raise OSError(f"cannot encode {path}")
        path.write_bytes(encoded.tobytes())
        paths.append(path)
    return paths
