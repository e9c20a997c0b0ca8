"""Real decoders (zxing-cpp and pyzbar with the system libzbar) on generated frames."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from shoumen_gui.scanning.decoders import (
    NON_ASCII_MESSAGE,
    ZBAR_MISSING_MESSAGE,
    DecodedText,
    Decoder,
    PyzbarDecoder,
    ZxingDecoder,
    choose_decoder,
    make_decoder,
)
from shoumen_gui.scanning.errors import BadFrame, DecoderUnavailable
from shoumen_gui.scanning.preprocess import prepare
from shoumen_gui.scanning.testframes import SIZE_480P, SIZE_720P, Placement, make_frame, varied_frames


@pytest.mark.parametrize("size", [SIZE_720P, SIZE_480P])
def test_a_code_on_the_frame_is_read(decoder: Decoder, codes: list[str], size: tuple[int, int]) -> None:
    frame = make_frame(codes[0], size=size, placement=Placement(side=300, rotation_deg=12), noise_sigma=3)
    assert decoder.decode(prepare(frame)) == [DecodedText(codes[0], ascii_ok=True)]


@pytest.mark.parametrize("size", [SIZE_720P, SIZE_480P])
def test_a_frame_without_a_code_reads_nothing(decoder: Decoder, size: tuple[int, int]) -> None:
    assert decoder.decode(prepare(make_frame(None, size=size, noise_sigma=6, seed=4))) == []


def test_both_decoders_read_the_same_text(zxing: ZxingDecoder, pyzbar: PyzbarDecoder) -> None:
    texts = ["SMHC1.short", "110101199003074514", "https://example.org/v/abc"]
    frames = list(varied_frames(SIZE_480P, with_code=6, without_code=2, seed=7, texts=texts))
    agreed = 0
    for labelled in frames:
        gray = prepare(labelled.image)
        from_zxing, from_zbar = zxing.decode(gray), pyzbar.decode(gray)
        if from_zxing and from_zbar:
            assert from_zxing == from_zbar, labelled.label
            agreed += 1
        expected = [] if labelled.text is None else [labelled.text]
        assert [d.text for d in from_zxing] in ([], expected), labelled.label
    assert agreed >= 5  # short texts at these sizes: both read nearly every one


def test_two_codes_on_one_frame_are_both_read(zxing: ZxingDecoder) -> None:
    frame = make_frame("SMHC1.left", placement=Placement(side=260, centre=(320, 360)))
    right = make_frame("SMHC1.right", placement=Placement(side=260, centre=(960, 360)))
    frame[:, 640:] = right[:, 640:]
    assert sorted(d.text for d in zxing.decode(prepare(frame))) == ["SMHC1.left", "SMHC1.right"]


# --- bad frames: never a crash, always a clear answer ----------------------------------------------


def test_black_and_noise_frames_read_nothing(decoder: Decoder) -> None:
    rng = np.random.default_rng(3)
    assert decoder.decode(np.zeros((720, 1280), np.uint8)) == []
    assert decoder.decode(rng.integers(0, 256, size=(720, 1280), dtype=np.uint8)) == []


def test_a_code_filling_the_frame_is_read(decoder: Decoder) -> None:
    frame = make_frame("SMHC1.close-up", size=SIZE_480P, placement=Placement(side=476))
    assert [d.text for d in decoder.decode(prepare(frame))] == ["SMHC1.close-up"]


def test_a_code_overflowing_the_frame_reads_nothing(decoder: Decoder) -> None:
    frame = make_frame("SMHC1.too-close", size=SIZE_480P, placement=Placement(side=900))
    assert decoder.decode(prepare(frame)) == []


def test_a_utf8_payload_is_flagged_not_ascii(zxing: ZxingDecoder, pyzbar: PyzbarDecoder) -> None:
    gray = prepare(make_frame("健康码 张三 ok", size=SIZE_480P))
    assert zxing.decode(gray) == [DecodedText("健康码 张三 ok", ascii_ok=False)]
    (from_zbar,) = pyzbar.decode(gray)
    assert from_zbar.ascii_ok is False
    assert NON_ASCII_MESSAGE == "扫到的不是个人健康码（二维码含中文等字符），请访客出示本人的个人健康码"


def test_zbar_big5_garbling_is_flagged_not_raised(pyzbar: PyzbarDecoder) -> None:
    # zbar guesses Big5 for short Latin-1-looking UTF-8 and garbles it: flagged, no exception.
    (read,) = pyzbar.decode(prepare(make_frame("héllo wörld", size=SIZE_480P)))
    assert read.ascii_ok is False
    assert read.text != ""


def test_undecodable_bytes_become_replacement_characters() -> None:
    assert DecodedText.from_bytes(b"SMHC1.ok") == DecodedText("SMHC1.ok", True)
    assert DecodedText.from_bytes(b"\xff\xfe bad") == DecodedText("\ufffd\ufffd bad", False)


@pytest.mark.parametrize("shape", [(0, 0), (0, 640), (480, 0)])
def test_an_empty_array_reads_nothing(decoder: Decoder, shape: tuple[int, int]) -> None:
    assert decoder.decode(np.zeros(shape, np.uint8)) == []
    assert decoder.decode(prepare(np.zeros((*shape, 3), np.uint8))) == []


@pytest.mark.parametrize(
    "array",
    [np.zeros((480, 640), np.float32), np.zeros((480, 640), np.uint16), np.zeros((480, 640, 3), np.uint8)],
    ids=["float32", "uint16", "colour"],
)
def test_a_wrong_dtype_or_shape_is_a_bad_frame(decoder: Decoder, array: np.ndarray) -> None:
    with pytest.raises(BadFrame) as caught:
        decoder.decode(array)
    assert caught.value.code == "bad_frame"
    assert "uint8" in caught.value.message


def test_a_non_contiguous_view_is_read(decoder: Decoder) -> None:
    gray = prepare(make_frame("SMHC1.view", size=SIZE_720P, placement=Placement(side=300)))
    crop = gray[100:620, 300:980]  # a crop is a strided view of the frame, not a copy
    assert not crop.flags.c_contiguous
    assert [d.text for d in decoder.decode(crop)] == ["SMHC1.view"]


# --- choosing a decoder, and libzbar missing -------------------------------------------------------


def test_make_decoder_by_name() -> None:
    assert make_decoder("zxing").name == "zxing"
    assert make_decoder("pyzbar").name == "pyzbar"
    with pytest.raises(ValueError, match="unknown decoder"):
        make_decoder("opencv")


@pytest.fixture
def libzbar_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    """As on a machine without Debian's libzbar0: loading the shared library fails."""
    import pyzbar.zbar_library

    def no_library() -> None:
        raise ImportError("Unable to find zbar shared library")

    monkeypatch.setattr(pyzbar.zbar_library, "load", no_library)
    # Make the next import of pyzbar.pyzbar load the library again (restored afterwards).
    for name in ("pyzbar.pyzbar", "pyzbar.wrapper"):
        if name in sys.modules:
            monkeypatch.delitem(sys.modules, name)


@pytest.mark.usefixtures("libzbar_missing")
def test_missing_libzbar_is_decoder_unavailable_with_a_fallback() -> None:
    with pytest.raises(DecoderUnavailable) as caught:
        make_decoder("pyzbar")
    assert caught.value.code == "zbar_missing"
    assert caught.value.message == ZBAR_MISSING_MESSAGE == "未找到 zbar 解码库（libzbar0），已改用 zxing 解码"
    assert caught.value.fallback == "zxing"


@pytest.mark.usefixtures("libzbar_missing")
def test_choose_decoder_falls_back_to_zxing_which_still_reads(codes: list[str]) -> None:
    choice = choose_decoder("pyzbar")
    assert choice.decoder.name == "zxing"
    assert choice.notice == ZBAR_MISSING_MESSAGE
    assert choice.notice_code == "zbar_missing"
    frame = make_frame(codes[1], size=SIZE_480P, placement=Placement(side=320))
    assert [d.text for d in choice.decoder.decode(prepare(frame))] == [codes[1]]


def test_choose_decoder_without_trouble_has_no_notice() -> None:
    choice = choose_decoder("pyzbar")
    assert choice.decoder.name == "pyzbar"
    assert choice.notice is None


def test_missing_zxing_has_no_fallback(monkeypatch: pytest.MonkeyPatch) -> None:
    import shoumen_gui.scanning.decoders as decoders

    def no_module() -> None:
        raise ImportError("No module named 'zxingcpp'")

    monkeypatch.setattr(decoders, "_load_zxing", no_module)
    with pytest.raises(DecoderUnavailable) as caught:
        choose_decoder("zxing")
    assert caught.value.code == "zxing_missing"
    assert caught.value.fallback is None
