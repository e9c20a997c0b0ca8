"""Preprocessing: grey once, never wider than needed, and clear about what it cannot take."""

from __future__ import annotations

import numpy as np
import pytest

from shoumen_gui.scanning.errors import BadFrame
from shoumen_gui.scanning.preprocess import limit_width, prepare, to_gray


def test_colour_frames_become_grey() -> None:
    bgr = np.zeros((4, 6, 3), np.uint8)
    bgr[:, :, 2] = 255  # pure red: luma 0.299 * 255
    gray = to_gray(bgr)
    assert gray.shape == (4, 6)
    assert gray.dtype == np.uint8
    assert int(gray[0, 0]) == 76
    bgra = np.dstack([bgr, np.full((4, 6), 255, np.uint8)])
    assert np.array_equal(to_gray(bgra), gray)


def test_grey_frames_are_kept() -> None:
    gray = np.arange(24, dtype=np.uint8).reshape(4, 6)
    assert np.array_equal(to_gray(gray), gray)
    assert np.array_equal(to_gray(gray[:, :, None]), gray)
    assert to_gray(gray[:, ::2]).flags.c_contiguous


@pytest.mark.parametrize(
    "image",
    [np.zeros((4, 6), np.float32), np.zeros((4, 6, 2), np.uint8), np.zeros((2, 4, 6, 3), np.uint8), "frame"],
    ids=["float", "two-channels", "four-dims", "not-an-array"],
)
def test_what_cannot_be_a_grey_image_is_a_bad_frame(image: object) -> None:
    with pytest.raises(BadFrame):
        to_gray(image)


def test_an_empty_frame_stays_empty() -> None:
    assert to_gray(np.zeros((0, 640, 3), np.uint8)).size == 0


def test_wide_frames_are_downscaled_keeping_the_aspect_ratio() -> None:
    assert limit_width(np.zeros((1080, 1920), np.uint8)).shape == (720, 1280)
    assert limit_width(np.zeros((1080, 1920), np.uint8), 640).shape == (360, 640)
    narrow = np.zeros((720, 1280), np.uint8)
    assert limit_width(narrow) is narrow
    assert limit_width(np.zeros((1080, 1920), np.uint8), None).shape == (1080, 1920)


def test_prepare_is_grey_then_limited() -> None:
    assert prepare(np.zeros((1440, 2560, 3), np.uint8)).shape == (720, 1280)
