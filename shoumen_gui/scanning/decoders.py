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
import time
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import Any, Final, Literal, Protocol, TypeAlias

import cv2
import numpy as np

from shoumen_gui.scanning.errors import BadFrame, DecoderUnavailable
from shoumen_gui.scanning.frames import Image

log = logging.getLogger("shoumen.gui.scanning")

DecoderName: TypeAlias = Literal["zxing", "pyzbar"]
DECODER_NAMES: Final[tuple[DecoderName, ...]] = ("zxing", "pyzbar")
DEFAULT_DECODER: Final[DecoderName] = "zxing"

NON_ASCII_MESSAGE: Final = "扫到的不是个人健康码（二维码含中文等字符），请访客出示本人的个人健康码"
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


RECOVERY_BUDGET_S: Final = 0.030
"""The most a frame without a read may spend on variants: a safety cap (a 30 fps camera's frame
interval), not the plan. Which variants run is fixed by measurement (bench/bench_hard_frames.py):
the cheap three cost about as much as two plain reads at 720p and run on every frame without a
read; the costly ones (an upscaled copy alone ~3 plain reads) only after zxing saw a code it
could not decode. A variant starts only before the deadline, so one may overrun it."""

_SHARPEN: Final = np.array([[0, -1, 0], [-1, 5, -1], [0, -1, 0]], np.float32)
_BRIGHTEN: Final = np.clip((np.arange(256) / 255.0) ** 0.5 * 255.0, 0, 255).astype(np.uint8)


@dataclass(frozen=True, slots=True)
class Variant:
    """Another look at a frame the plain read missed. ``costly`` ones run only when zxing saw a
    code it could not decode (a finder pattern and a grid, but too many errors)."""

    name: str
    make: Callable[[Image], Image]
    binarizer: str = "LocalAverage"
    costly: bool = False


def _upscale(gray: Image) -> Image:
    # 1.5x linear: blurred, tilted or dim modules get more pixels for the local binarizer.
    return np.asarray(cv2.resize(gray, None, fx=1.5, fy=1.5, interpolation=cv2.INTER_LINEAR), np.uint8)


def _downscale(gray: Image) -> Image:
    # Half size by area: averages a screen's moire pattern and a noisy sensor away.
    return np.asarray(cv2.resize(gray, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA), np.uint8)


# In the order of codes recovered per millisecond on the hard set (bench/bench_hard_frames.py).
RECOVERY_VARIANTS: Final[tuple[Variant, ...]] = (
    Variant("inverted", lambda g: np.asarray(cv2.bitwise_not(g), np.uint8)),  # a dark-mode phone
    Variant("brightened", lambda g: np.asarray(cv2.LUT(g, _BRIGHTEN), np.uint8)),  # a dim screen
    Variant("global_binarizer", lambda g: g, binarizer="GlobalHistogram"),  # glare-free, even light
    Variant("upscaled", _upscale, costly=True),
    Variant("downscaled", _downscale, costly=True),
    Variant("sharpened", lambda g: np.asarray(cv2.filter2D(g, -1, _SHARPEN), np.uint8), costly=True),
)


class ZxingDecoder:
    """zxing-cpp limited to QR codes: self-contained and fast (~1-3 ms on a 720p frame).

    On a frame without a read it looks again (``recover``): an inverted and a brightened copy
    and the other binarizer, and when zxing saw a code it could not decode, an upscaled, a
    downscaled and a sharpened copy — until one reads, within ``recovery_budget_s`` (or three
    times the plain read, for large photos). QR's error correction makes a wrong read from a variant as unlikely as
    from the plain frame; the bench counts them.

    ``max_width`` None: the pipeline gives zxing the full frame. zxing-cpp searches downscaled
    copies itself; an OpenCV INTER_AREA downscale before it cost more than the decode it saved
    (~16 ms for 1080p -> 720p) and lost codes of small modules in large photos.
    """

    max_width: int | None = None

    def __init__(
        self,
        *,
        try_invert: bool = False,
        recover: bool = True,
        recovery_budget_s: float = RECOVERY_BUDGET_S,
        variants: tuple[Variant, ...] = RECOVERY_VARIANTS,
        module: ModuleType | None = None,
        timer: Callable[[], float] = time.perf_counter,
    ) -> None:
        self._zx: Any = module if module is not None else _load_zxing()
        # QRCode is the QR family (model 2, plus micro and rMQR in zxing-cpp 3): still a small
        # fraction of the time "all formats" costs.
        self._formats = self._zx.BarcodeFormat.QRCode
        # Phones in dark mode show our code dark on light too; inverted search doubles the cost.
        self._try_invert = try_invert
        self._recover = recover
        self.recovery_budget_s = recovery_budget_s
        self.variants = variants
        self._timer = timer
        self.recovered: dict[str, int] = {}
        """Reads per variant since start (for the log and the bench)."""
        self.recovery_interval_s = 0.0
        """A camera sets this (ScanPipeline.run): the cheap second look on a frame where zxing
        saw no code at all runs at most this often. An empty scene is most frames at a gate; a
        second look on each made an idle frame ~4x dearer (bench_hard_frames), so the camera's
        adaptive stride decoded fewer frames and an easy code was read later."""
        self.plain_s: float | None = None
        """How long the last plain read took (the pipeline paces frames on it, not on the
        second looks, which are paced here)."""
        self._last_blind_look: float | None = None

    @property
    def name(self) -> DecoderName:
        return "zxing"

    def decode(self, gray: Image) -> list[DecodedText]:
        if not check_gray(gray):
            return []
        gray = np.ascontiguousarray(gray)
        started = self._timer()
        found = self._read(gray, "LocalAverage", errors=self._recover)
        self.plain_s = self._timer() - started
        valid = [barcode for barcode in found if barcode.valid]
        if valid or not self._recover:
            return _texts(valid)
        saw_code = bool(found)  # only invalid ones came back: a code zxing could not decode
        if not saw_code and self.recovery_interval_s > 0:
            now = started + self.plain_s
            if self._last_blind_look is not None and now - self._last_blind_look < self.recovery_interval_s:
                return []
            self._last_blind_look = now
        deadline = started + max(self.recovery_budget_s, 3 * (self._timer() - started))
        for variant in self.variants:
            if (variant.costly and not saw_code) or self._timer() >= deadline:
                continue
            valid = [b for b in self._read(variant.make(gray), variant.binarizer) if b.valid]
            if valid:
                self.recovered[variant.name] = self.recovered.get(variant.name, 0) + 1
                return _texts(valid)
        return []

    def _read(self, gray: Image, binarizer: str, *, errors: bool = False) -> list[Any]:
        options: dict[str, Any] = {
            "formats": self._formats,
            "try_rotate": False,
            "try_invert": self._try_invert,
        }
        if binarizer != "LocalAverage":
            options["binarizer"] = getattr(self._zx.Binarizer, binarizer)
        if errors:
            options["return_errors"] = True
        return list(self._zx.read_barcodes(gray, **options))


def _texts(found: list[Any]) -> list[DecodedText]:
    # zxing has already turned the bytes into text using the code's ECI / a guess.
    return [DecodedText.from_text(barcode.text) for barcode in found]


class PyzbarDecoder:
    """pyzbar (the system libzbar) limited to QR codes; slower, kept as the alternative.

    ``max_width``: zbar has no downscaled search of its own; the pipeline hands it frames no
    wider than this."""

    max_width: int | None = 1280

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
