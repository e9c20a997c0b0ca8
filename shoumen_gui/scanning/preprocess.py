"""Frame -> the grey image the decoders want: converted once, and not larger than needed."""

from __future__ import annotations

import cv2
import numpy as np

from shoumen_gui.scanning.errors import BadFrame
from shoumen_gui.scanning.frames import Image, as_image

DEFAULT_MAX_WIDTH = 1280
"""A personal code shown at a gate is a few hundred pixels wide; more only costs time."""


def to_gray(image: object) -> Image:
    """A 2-D, C-contiguous uint8 array from a grey, BGR or BGRA uint8 image.

    Raises BadFrame for anything else (float or 16-bit arrays, odd channel counts, not an
    array). A zero-size array is returned as it is: it holds no code, and decoders say so.
    """
    if not isinstance(image, np.ndarray):
        raise BadFrame(f"图像格式不受支持：{type(image).__name__}")
    if image.dtype != np.uint8:
        raise BadFrame(f"图像格式不受支持：dtype={image.dtype}，需要 uint8")
    if image.size == 0:
        return np.zeros((0, 0), dtype=np.uint8)
    if image.ndim == 2:
        return np.ascontiguousarray(image)
    if image.ndim == 3 and image.shape[2] == 1:
        return np.ascontiguousarray(image[:, :, 0])
    if image.ndim == 3 and image.shape[2] == 3:
        return as_image(cv2.cvtColor(image, cv2.COLOR_BGR2GRAY))
    if image.ndim == 3 and image.shape[2] == 4:
        return as_image(cv2.cvtColor(image, cv2.COLOR_BGRA2GRAY))
    raise BadFrame(f"图像格式不受支持：shape={image.shape}")


def limit_width(gray: Image, max_width: int | None = DEFAULT_MAX_WIDTH) -> Image:
    """Downscale (keeping the aspect ratio) when wider than ``max_width``; None = never."""
    if max_width is None or gray.ndim != 2 or gray.shape[1] <= max_width:
        return gray
    height, width = gray.shape
    new_height = max(1, round(height * max_width / width))
    # INTER_AREA averages the pixels it merges: QR modules stay crisp instead of aliasing.
    return as_image(cv2.resize(gray, (max_width, new_height), interpolation=cv2.INTER_AREA))


def prepare(image: object, max_width: int | None = DEFAULT_MAX_WIDTH) -> Image:
    """``to_gray`` then ``limit_width``: what the pipeline does to every decoded frame."""
    return limit_width(to_gray(image), max_width)
