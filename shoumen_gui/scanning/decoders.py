"""QR decoders behind one interface: zxing-cpp (the default) and pyzbar (the alternative).

Both take a grey uint8 image (``preprocess.prepare`` makes one) and return every QR code
found as a ``DecodedText``. Our codes are ASCII by design; a text that is not pure ASCII is
returned anyway, flagged ``ascii_ok=False``, so the UI can say ``NON_ASCII_MESSAGE`` instead
of treating it as unknown input — zbar in particular reads UTF-8 as Big5 and garbles it.

The native libraries are loaded defensively, after Electrum's ``qrreader/zbar.py``: when
libzbar is missing, ``make_decoder("pyzbar")`` raises ``DecoderUnavailable`` (with
``fallback="zxing"``) and ``choose_decoder()`` returns zxing with the notice to show.
"""

from __future__ import annotations

import importlib
import logging
from dataclasses import dataclass
from types import ModuleType
from typing import Any, Final, Literal, Protocol, TypeAlias

import numpy as np

from shoumen_gui.scanning.errors import BadFrame, DecoderUnavailable
from shoumen_gui.scanning.frames import Image

log = logging.getLogger("shoumen.gui.scanning")

DecoderName: TypeAlias = Literal["zxing", "pyzbar"]
DECODER_NAMES: Final[tuple[DecoderName, ...]] = ("zxing", "pyzbar")
DEFAULT_DECODER: Final[DecoderName] = "zxing"

NON_ASCII_MESSAGE: Final = "二维码内容无法识别（非 ASCII）"
ZBAR_MISSING_MESSAGE: Final = "未找到 zbar 解码库（libzbar0），已改用 zxing 解码"
ZXING_MISSING_MESSAGE: Final = "未找到 zxing 解码库（zxing-cpp），无法扫码"


@dataclass(frozen=True, slots=True)
class DecodedText:
    """One code's content. ``ascii_ok`` False: not ours, show NON_ASCII_MESSAGE."""

    text: str
    ascii_ok: bool

    @classmethod
    def from_text(cls, text: str) -> DecodedText:
        return cls(text, text.isascii())

    @classmethod
    def from_bytes(cls, raw: bytes) -> DecodedText:
        """Never raises: undecodable bytes become U+FFFD (and the text is flagged anyway)."""
        if raw.isascii():
            return cls(raw.decode("ascii"), True)
        return cls(raw.decode("utf-8", errors="replace"), False)


class Decoder(Protocol):
    """Finds the QR codes in one grey image. Thread-safe; keep one per worker anyway."""

    @property
    def name(self) -> DecoderName: ...

    def decode(self, gray: Image) -> list[DecodedText]:
        """Every QR code in ``gray`` (2-D uint8); [] when none, or when the image is empty.

        Raises BadFrame for an array of another dtype or shape.
        """
        ...


def check_gray(gray: object) -> bool:
    """True when ``gray`` is worth decoding, False when empty; BadFrame when not grey uint8."""
    if not isinstance(gray, np.ndarray):
        raise BadFrame(f"图像格式不受支持：{type(gray).__name__}")
    if gray.dtype != np.uint8 or gray.ndim != 2:
        raise BadFrame(f"解码需要灰度 uint8 图像（dtype={gray.dtype}，shape={gray.shape}）")
    return gray.size > 0


# --- loaders: the boundary with the native libraries ------------------------------------------


def _load_zxing() -> ModuleType:
    return importlib.import_module("zxingcpp")


def _load_pyzbar() -> ModuleType:
    # Importing pyzbar.pyzbar loads libzbar at once and raises ImportError when it is absent.
    return importlib.import_module("pyzbar.pyzbar")


# --- the decoders ------------------------------------------------------------------------------


class ZxingDecoder:
    """zxing-cpp limited to QR codes: self-contained and fast (~1-3 ms on a 720p frame)."""

    def __init__(self, *, try_invert: bool = False, module: ModuleType | None = None) -> None:
        self._zx: Any = module if module is not None else _load_zxing()
        # QRCode is the QR family (model 2, plus micro and rMQR in zxing-cpp 3): still a small
        # fraction of the time "all formats" costs.
        self._formats = self._zx.BarcodeFormat.QRCode
        # Phones in dark mode show our code dark on light too; inverted search doubles the cost.
        self._try_invert = try_invert

    @property
    def name(self) -> DecoderName:
        return "zxing"

    def decode(self, gray: Image) -> list[DecodedText]:
        if not check_gray(gray):
            return []
        found = self._zx.read_barcodes(
            np.ascontiguousarray(gray), formats=self._formats, try_rotate=False, try_invert=self._try_invert
        )
        # zxing has already turned the bytes into text using the code's ECI / a guess.
        return [DecodedText.from_text(barcode.text) for barcode in found if barcode.valid]


class PyzbarDecoder:
    """pyzbar (the system libzbar) limited to QR codes; slower, kept as the alternative."""

    def __init__(self, *, module: ModuleType | None = None) -> None:
        self._zbar: Any = module if module is not None else _load_pyzbar()
        self._symbols = [self._zbar.ZBarSymbol.QRCODE]

    @property
    def name(self) -> DecoderName:
        return "pyzbar"

    def decode(self, gray: Image) -> list[DecodedText]:
        if not check_gray(gray):
            return []
        found = self._zbar.decode(np.ascontiguousarray(gray), symbols=self._symbols)
        # ``data`` is what zbar made of the bytes (UTF-8 read as Big5, re-encoded): from_bytes
        # never raises on it and flags it.
        return [DecodedText.from_bytes(bytes(symbol.data)) for symbol in found]


def make_decoder(name: str = DEFAULT_DECODER) -> Decoder:
    """A decoder by its settings name. Raises DecoderUnavailable when its library is missing,
    ValueError for an unknown name."""
    if name == "zxing":
        try:
            return ZxingDecoder()
        except (ImportError, OSError) as exc:
            log.warning("zxing-cpp unavailable: %s", exc)
            raise DecoderUnavailable(ZXING_MISSING_MESSAGE, code="zxing_missing") from exc
    if name == "pyzbar":
        try:
            return PyzbarDecoder()
        except (ImportError, OSError) as exc:
            log.warning("pyzbar/libzbar unavailable, falling back to zxing: %s", exc)
            raise DecoderUnavailable(ZBAR_MISSING_MESSAGE, code="zbar_missing", fallback="zxing") from exc
    raise ValueError(f"unknown decoder {name!r}; expected one of {DECODER_NAMES}")


@dataclass(frozen=True, slots=True)
class DecoderChoice:
    """The decoder to use, and a notice for the guard when it is not the one asked for."""

    decoder: Decoder
    notice: str | None = None
    notice_code: str | None = None


def choose_decoder(preferred: str = DEFAULT_DECODER) -> DecoderChoice:
    """``make_decoder(preferred)``, falling back once when the error names a fallback.

    Raises DecoderUnavailable only when no decoder works at all (zxing-cpp itself missing).
    """
    try:
        return DecoderChoice(make_decoder(preferred))
    except DecoderUnavailable as exc:
        if exc.fallback is None or exc.fallback == preferred:
            raise
        return DecoderChoice(make_decoder(exc.fallback), notice=exc.message, notice_code=exc.code)
