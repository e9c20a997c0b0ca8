"""Hard camera frames: what a gate camera sees when the first read fails (issue 16 §11).

Each class models one way a phone held up at a gate defeats the first decode, at 1280x720 with a
real signed personal code (QR version 13):

- ``tilt``: the phone turned 20-60° away from the camera about a random axis in its plane,
  projected through a pinhole camera (one side of the code nearer, its modules wider);
- ``motion``: a linear motion blur of 3-7 pixels at a random angle (a hand moving);
- ``glare``: a specular highlight of the room's light on the screen glass, saturating part of
  the code;
- ``contrast``: a dim screen in a bright room (25-45 grey levels between dark and light);
- ``moire``: a phone screen photographed: its pixel grid (black matrix between the pixels) is
  sampled by the camera at nearly the same pitch and turned a little, so it aliases into
  bands across the code;
- ``brightness``: screen brightness far off — very dark (the light modules at 45-80) or
  overexposed (the dark modules lifted to 120-190 and the light ones clipped at 255);
- ``jpeg``: a small code (3-3.6 pixels per module) in a frame compressed at quality 8-25, as a
  USB camera's MJPEG stream or a forwarded photo delivers it;
- ``inverted``: a dark-mode phone showing the code light on dark.

Everything is seeded: a set is the same on every run. ``hard_frames`` yields ``LabelledFrame``s
(with ``label`` = the class and its parameters), then frames without any code.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from typing import Final

import cv2
import numpy as np

from shoumen_gui.scanning.frames import Image, as_image
from shoumen_gui.scanning.testframes import (
    SIZE_720P,
    LabelledFrame,
    _background,
    make_frame,
    qr_matrix,
    sample_personal_code,
)

HARD_CLASSES: Final = ("tilt", "motion", "glare", "contrast", "moire", "brightness", "jpeg", "inverted")
FOCAL_PX: Final = 1100.0
"""A 720p webcam's focal length in pixels (about 60° horizontal field of view)."""


def _project_corners(
    side: float, centre: tuple[float, float], tilt_deg: float, axis_deg: float
) -> np.ndarray:
    """The four corners of a ``side``-pixel square (as seen face-on) turned ``tilt_deg`` about
    an in-plane axis at ``axis_deg``, projected through a pinhole camera."""
    distance = FOCAL_PX  # at this distance one unit is one pixel when seen face-on
    axis = np.array([math.cos(math.radians(axis_deg)), math.sin(math.radians(axis_deg)), 0.0])
    theta = math.radians(tilt_deg)
    # Rodrigues' rotation about ``axis``.
    k = np.array([[0, -axis[2], axis[1]], [axis[2], 0, -axis[0]], [-axis[1], axis[0], 0]])
    rotation = np.eye(3) + math.sin(theta) * k + (1 - math.cos(theta)) * (k @ k)
    half = side / 2
    corners = []
    for dx, dy in ((-half, -half), (half, -half), (half, half), (-half, half)):
        x, y, z = rotation @ np.array([dx, dy, 0.0])
        scale = FOCAL_PX / (distance + z)
        corners.append((centre[0] + x * scale, centre[1] + y * scale))
    return np.array(corners, dtype=np.float32)


def _warp_onto(frame: Image, patch: Image, corners: np.ndarray) -> None:
    """Warp a grey ``patch`` onto the BGR ``frame`` at ``corners`` (in place, antialiased)."""
    height, width = frame.shape[:2]
    x0, y0 = np.floor(corners.min(axis=0)).astype(int)
    x1, y1 = np.ceil(corners.max(axis=0)).astype(int) + 1
    x0, y0, x1, y1 = max(x0, 0), max(y0, 0), min(x1, width), min(y1, height)
    ph, pw = patch.shape[:2]
    source = np.array([[0, 0], [pw, 0], [pw, ph], [0, ph]], np.float32)
    warp = cv2.getPerspectiveTransform(source, corners - np.array([x0, y0], np.float32))
    size = (int(x1 - x0), int(y1 - y0))
    # INTER_AREA is not offered by warpPerspective; a patch much larger than its footprint is
    # pre-shrunk so linear interpolation does not alias (the moiré class wants aliasing and
    # brings its own sampling).
    warped = cv2.warpPerspective(patch, warp, size, flags=cv2.INTER_LINEAR, borderValue=0)
    mask = cv2.warpPerspective(np.full(patch.shape[:2], 255, np.uint8), warp, size, flags=cv2.INTER_LINEAR)
    alpha = (mask.astype(np.float32) / 255.0)[:, :, None]
    warped_f = warped.astype(np.float32)
    if warped_f.ndim == 2:
        warped_f = warped_f[:, :, None]
    roi = frame[y0:y1, x0:x1].astype(np.float32)
    frame[y0:y1, x0:x1] = np.clip(roi * (1 - alpha) + warped_f * alpha, 0, 255).astype(np.uint8)


def _screen(text: str, module_px: int, dark: float, light: float) -> Image:
    """The code as a phone shows it: ``module_px`` pixels per module, dark/light levels."""
    matrix = qr_matrix(text)
    big = cv2.resize(matrix, None, fx=module_px, fy=module_px, interpolation=cv2.INTER_NEAREST)
    levels = np.where(big > 0, light, dark).astype(np.float32)
    return np.clip(levels, 0, 255).astype(np.uint8)


def _noise(frame: Image, sigma: float, rng: np.random.Generator) -> Image:
    if sigma <= 0:
        return frame
    noisy = frame.astype(np.float32) + rng.normal(0, sigma, size=frame.shape).astype(np.float32)
    return np.clip(noisy, 0, 255).astype(np.uint8)


def _face_on(
    text: str,
    rng: np.random.Generator,
    size: tuple[int, int],
    side: float,
    dark: float,
    light: float,
    rotation_deg: float = 0.0,
    tilt_deg: float = 0.0,
) -> Image:
    width, height = size
    frame = _background(size, rng)
    margin = side * 0.75
    centre = (float(rng.uniform(margin, width - margin)), float(rng.uniform(margin, height - margin)))
    corners = _project_corners(side, centre, tilt_deg, float(rng.uniform(0, 180)))
    if rotation_deg:
        angle = math.radians(rotation_deg)
        rot = np.array([[math.cos(angle), -math.sin(angle)], [math.sin(angle), math.cos(angle)]], np.float32)
        middle = np.array(centre, np.float32)
        corners = (corners - middle) @ rot.T + middle
    modules = len(qr_matrix(text))
    module_px = max(1, min(8, round(side / modules)))
    _warp_onto(frame, _screen(text, module_px, dark, light), corners)
    return frame


def _tilt(text: str, rng: np.random.Generator, size: tuple[int, int]) -> tuple[Image, str]:
    tilt = float(rng.uniform(20, 60))
    side = float(rng.uniform(240, 460))
    frame = _face_on(text, rng, size, side, 12, 215, float(rng.uniform(-25, 25)), tilt)
    return _noise(frame, 3, rng), f"tilt={tilt:.0f} side={side:.0f}"


def _motion(text: str, rng: np.random.Generator, size: tuple[int, int]) -> tuple[Image, str]:
    length = int(rng.integers(3, 8))
    angle = float(rng.uniform(0, 180))
    side = float(rng.uniform(300, 420))
    frame = _face_on(text, rng, size, side, 12, 215, float(rng.uniform(-15, 15)), float(rng.uniform(0, 15)))
    kernel = np.zeros((length, length), np.float32)
    kernel[length // 2, :] = 1.0
    turn = cv2.getRotationMatrix2D(((length - 1) / 2, (length - 1) / 2), angle, 1.0)
    kernel = np.asarray(cv2.warpAffine(kernel, turn, (length, length)), np.float32)
    kernel /= max(float(kernel.sum()), 1e-6)
    frame = as_image(cv2.filter2D(frame, -1, kernel))
    return _noise(frame, 3, rng), f"motion={length}px@{angle:.0f} side={side:.0f}"


def _glare(text: str, rng: np.random.Generator, size: tuple[int, int]) -> tuple[Image, str]:
    side = float(rng.uniform(320, 440))
    width, height = size
    frame = _face_on(text, rng, size, side, 15, 210, float(rng.uniform(-15, 15)), float(rng.uniform(0, 15)))
    # Where the code is: the darkest large square region is near the placed centre; find it
    # from the mask of modules instead of re-deriving the placement.
    gray = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
    ys, xs = np.nonzero(gray < 40)
    cx = float(np.median(xs)) if xs.size else width / 2
    cy = float(np.median(ys)) if ys.size else height / 2
    radius = float(rng.uniform(0.10, 0.2)) * side
    spot = (cx + rng.uniform(-0.25, 0.25) * side, cy + rng.uniform(-0.25, 0.25) * side)
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    stretch = float(rng.uniform(1.0, 2.5))  # a lamp's reflection is often an oval or a streak
    angle = float(rng.uniform(0, math.pi))
    dx, dy = xx - spot[0], yy - spot[1]
    u = (dx * math.cos(angle) + dy * math.sin(angle)) / stretch
    v = -dx * math.sin(angle) + dy * math.cos(angle)
    strength = float(rng.uniform(160, 240))
    light = strength * np.exp(-(u * u + v * v) / (2 * radius * radius))
    frame = np.clip(frame.astype(np.float32) + light[:, :, None], 0, 255).astype(np.uint8)
    return _noise(frame, 3, rng), f"glare r={radius:.0f} +{strength:.0f} side={side:.0f}"


def _contrast(text: str, rng: np.random.Generator, size: tuple[int, int]) -> tuple[Image, str]:
    dark = float(rng.uniform(85, 115))
    spread = float(rng.uniform(25, 45))
    side = float(rng.uniform(300, 440))
    frame = _face_on(
        text, rng, size, side, dark, dark + spread, float(rng.uniform(-20, 20)), float(rng.uniform(0, 15))
    )
    return _noise(frame, float(rng.uniform(2, 5)), rng), f"contrast={spread:.0f} side={side:.0f}"


def _moire(text: str, rng: np.random.Generator, size: tuple[int, int]) -> tuple[Image, str]:
    """A screen of ``pixels`` per module, each screen pixel drawn as a lit square in a black
    matrix, then sampled by the camera at ``pitch`` camera pixels per screen pixel (near 1:
    the worst aliasing) after a small turn."""
    width, height = size
    modules = len(qr_matrix(text))
    pixels = int(rng.integers(3, 5))  # screen pixels per module
    pitch = float(rng.uniform(0.9, 1.25))  # camera pixels per screen pixel
    sub = 5  # subsamples per screen pixel, to draw the black matrix
    screen = _screen(text, pixels, 14, 225).astype(np.float32)
    lit = np.zeros((sub, sub), np.float32)
    lit[1:, 1:] = 1.0  # a one-subsample black gap at each pixel's top and left edges
    fine = np.kron(screen, lit)
    turn = float(rng.uniform(-8, 8))
    side = modules * pixels * pitch
    frame = _background(size, rng)
    margin = side * 0.72
    centre = (float(rng.uniform(margin, width - margin)), float(rng.uniform(margin, height - margin)))
    # Sample the fine screen at the camera's pixel centres (nearest: a sensor integrates over
    # little more than its own pixel, and the gaps are sharp): that is what makes moiré.
    scale = pitch / sub
    angle = math.radians(turn)
    fh, fw = fine.shape
    to_fine = np.array(
        [
            [math.cos(angle) / scale, math.sin(angle) / scale, 0.0],
            [-math.sin(angle) / scale, math.cos(angle) / scale, 0.0],
        ],
        np.float32,
    )
    x0, y0 = int(centre[0] - side * 0.72), int(centre[1] - side * 0.72)
    span = int(side * 1.44)
    x0, y0 = max(0, x0), max(0, y0)
    x1, y1 = min(width, x0 + span), min(height, y0 + span)
    # camera (x, y) -> fine coordinates around the fine image's centre
    cxr, cyr = centre[0] - x0, centre[1] - y0
    to_fine[0, 2] = fw / 2 - (to_fine[0, 0] * cxr + to_fine[0, 1] * cyr)
    to_fine[1, 2] = fh / 2 - (to_fine[1, 0] * cxr + to_fine[1, 1] * cyr)
    roi_size = (x1 - x0, y1 - y0)
    sampled = cv2.warpAffine(
        cv2.GaussianBlur(fine, (0, 0), 0.6 * sub / pitch / 2),
        to_fine,
        roi_size,
        flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=-1,
    )
    inside = sampled >= 0
    roi = frame[y0:y1, x0:x1].astype(np.float32)
    # Sensor colour: the screen's white is bluish, the camera's gain lifts it a little.
    tint = np.array([1.05, 1.0, 0.92], np.float32)
    shown = np.clip(sampled[:, :, None] * tint * 1.1, 0, 255)
    roi = np.where(inside[:, :, None], shown, roi)
    frame[y0:y1, x0:x1] = roi.astype(np.uint8)
    frame = as_image(cv2.GaussianBlur(frame, (0, 0), 0.5))
    return _noise(frame, 3, rng), f"moire pitch={pitch:.2f} px/module={pixels} turn={turn:.0f}"


def _brightness(text: str, rng: np.random.Generator, size: tuple[int, int]) -> tuple[Image, str]:
    side = float(rng.uniform(300, 440))
    if rng.random() < 0.5:
        light = float(rng.uniform(45, 80))
        frame = _face_on(
            text, rng, size, side, 8, light, float(rng.uniform(-20, 20)), float(rng.uniform(0, 15))
        )
        frame = np.clip(frame.astype(np.float32) * 0.45, 0, 255).astype(np.uint8)  # a dim room
        frame = _face_on_dim_fix(frame)
        label = f"dim light={light:.0f}"
    else:
        dark = float(rng.uniform(120, 190))
        frame = _face_on(
            text, rng, size, side, dark, 255, float(rng.uniform(-20, 20)), float(rng.uniform(0, 15))
        )
        frame = np.clip(frame.astype(np.float32) * 1.25, 0, 255).astype(np.uint8)  # overexposed
        label = f"overexposed dark={dark:.0f}"
    return _noise(frame, 3, rng), f"{label} side={side:.0f}"


def _face_on_dim_fix(frame: Image) -> Image:
    """A dim room darkens everything, but the screen is its own light: the camera's auto
    exposure lifts the whole frame a little again."""
    return as_image(np.clip(frame.astype(np.float32) * 1.6 + 4, 0, 255).astype(np.uint8))


def _jpeg(text: str, rng: np.random.Generator, size: tuple[int, int]) -> tuple[Image, str]:
    modules = len(qr_matrix(text))
    side = float(rng.uniform(3.0, 3.6)) * modules
    frame = _face_on(text, rng, size, side, 14, 215, float(rng.uniform(-20, 20)), float(rng.uniform(0, 12)))
    frame = _noise(as_image(cv2.GaussianBlur(frame, (0, 0), 0.5)), 3, rng)
    quality = int(rng.integers(8, 26))
    ok, encoded = cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, quality])
    assert ok
    decoded = cv2.imdecode(encoded, cv2.IMREAD_COLOR)
    return as_image(decoded), f"jpeg q={quality} px/module={side / modules:.1f}"


def _inverted(text: str, rng: np.random.Generator, size: tuple[int, int]) -> tuple[Image, str]:
    side = float(rng.uniform(300, 440))
    frame = _face_on(text, rng, size, side, 220, 20, float(rng.uniform(-20, 20)), float(rng.uniform(0, 20)))
    return _noise(frame, 3, rng), f"dark mode side={side:.0f}"


_MAKERS = {
    "tilt": _tilt,
    "motion": _motion,
    "glare": _glare,
    "contrast": _contrast,
    "moire": _moire,
    "brightness": _brightness,
    "jpeg": _jpeg,
    "inverted": _inverted,
}


PHOTO_SIZE: Final = (4032, 3024)


def photo_frames(
    count: int = 6, *, seed: int = 16, texts: Sequence[str] | None = None
) -> Iterator[LabelledFrame]:
    """Phone photos (12 MP, JPEG quality 85) of a code a few metres away: 2.2-3 pixels per
    module at full size, under one after a downscale to 1280 pixels wide."""
    texts = list(texts) if texts else [sample_personal_code(i) for i in range(10)]
    for i in range(count):
        rng = np.random.default_rng(seed * 100_000 + 98_000 + i)
        text = texts[i % len(texts)]
        modules = len(qr_matrix(text))
        side = float(rng.uniform(2.2, 3.0)) * modules
        frame = _face_on(
            text, rng, PHOTO_SIZE, side, 14, 215, float(rng.uniform(-20, 20)), float(rng.uniform(0, 15))
        )
        frame = _noise(as_image(cv2.GaussianBlur(frame, (0, 0), 0.5)), 2, rng)
        ok, encoded = cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, 85])
        assert ok
        image = as_image(cv2.imdecode(encoded, cv2.IMREAD_COLOR))
        yield LabelledFrame(image, text, f"photo: px/module={side / modules:.1f}")


def hard_frame(kind: str, text: str, seed: int, size: tuple[int, int] = SIZE_720P) -> LabelledFrame:
    """One hard frame of class ``kind`` (see HARD_CLASSES) showing ``text``."""
    rng = np.random.default_rng(seed)
    image, label = _MAKERS[kind](text, rng, size)
    return LabelledFrame(np.ascontiguousarray(image), text, f"{kind}: {label}")


def hard_frames(
    per_class: int = 30,
    *,
    without_code: int = 30,
    seed: int = 16,
    classes: Sequence[str] = HARD_CLASSES,
    texts: Sequence[str] | None = None,
    size: tuple[int, int] = SIZE_720P,
) -> Iterator[LabelledFrame]:
    """``per_class`` frames of every class (each its own seed), then frames with no code."""
    texts = list(texts) if texts else [sample_personal_code(i) for i in range(10)]
    for class_index, kind in enumerate(classes):
        for i in range(per_class):
            yield hard_frame(kind, texts[i % len(texts)], seed * 100_000 + class_index * 1000 + i, size)
    for i in range(without_code):
        noise = 8.0 if i % 2 else 3.0
        image = make_frame(None, size=size, noise_sigma=noise, seed=seed * 100_000 + 99_000 + i)
        yield LabelledFrame(image, None, "none")
