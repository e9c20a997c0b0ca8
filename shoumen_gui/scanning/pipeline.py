"""Frames in, reads out: grey once, not too large, decoded, stabilised — and never behind.

``ScanPipeline.process(frame)`` is the whole hot path for one frame; ``ScanPipeline.run``
loops over a source. Both are meant for one worker thread (a QThread's ``run`` or a plain
``threading.Thread``); results go to the GUI by signal from there, e.g.::

    pipeline = ScanPipeline(choose_decoder(settings.decoder).decoder)
    for read in pipeline.run(source, stop=stop_event, on_frame=preview.offer):
        bridge.read_found.emit(read)       # ScanRead: text, ascii_ok, frame index
    # CameraLost propagates: close, tell the guard, retry open() later.

When decoding takes longer than the source's frame interval (a slow PC, a 1080p camera),
a realtime source would fall further and further behind. The pipeline measures each decode
and then decodes only every Nth frame, N = ceil(decode time / (budget x frame interval)),
so what is decoded is always the newest picture; ``stats`` tells how many were skipped.
"""

from __future__ import annotations

import logging
import math
import statistics
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Literal

from shoumen_gui.scanning.decoders import DecodedText, Decoder
from shoumen_gui.scanning.errors import BadFrame
from shoumen_gui.scanning.frames import Frame, FrameSource
from shoumen_gui.scanning.preprocess import DEFAULT_MAX_WIDTH, prepare
from shoumen_gui.scanning.stabiliser import ReadStabiliser

log = logging.getLogger("shoumen.gui.scanning")

IDLE_WAIT_S = 0.01
"""How long ``run`` waits after a source had no frame right now (a camera hiccup)."""


@dataclass(frozen=True, slots=True)
class ScanRead:
    """One accepted read. ``ascii_ok`` False: show decoders.NON_ASCII_MESSAGE, do not check."""

    text: str
    ascii_ok: bool
    frame_index: int
    timestamp_ns: int
    decoder: str


@dataclass(slots=True)
class PipelineStats:
    frames: int = 0
    decoded: int = 0
    skipped: int = 0
    bad: int = 0
    reads: int = 0
    stride: int = 1
    decode_ms: deque[float] = field(default_factory=lambda: deque(maxlen=200))

    @property
    def median_decode_ms(self) -> float | None:
        return statistics.median(self.decode_ms) if self.decode_ms else None

    def summary(self) -> str:
        median = self.median_decode_ms
        shown = "-" if median is None else f"{median:.1f}"
        return (
            f"frames={self.frames} decoded={self.decoded} skipped={self.skipped} bad={self.bad} "
            f"reads={self.reads} stride={self.stride} median_decode_ms={shown}"
        )


CAMERA_BLIND_LOOK_INTERVAL_S = 0.2
"""A camera's second look at frames where zxing saw no code runs at most 5 times a second: a
code held up in a dark-mode phone is still read within ~0.2 s, and an empty scene costs ~5 extra
looks a second instead of one per decoded frame."""


class ScanPipeline:
    """See the module docstring. ``frame_interval_s`` None: never skip (``run`` sets it from a
    realtime source's fps, unless the source waits for its reader: a file). ``budget`` is the
    share of a frame interval decoding may use. ``max_width`` "decoder": the width the decoder
    asks for (its ``max_width``: None for zxing, which searches smaller scales itself)."""

    def __init__(
        self,
        decoder: Decoder,
        stabiliser: ReadStabiliser | None = None,
        *,
        max_width: int | Literal["decoder"] | None = "decoder",
        frame_interval_s: float | None = None,
        budget: float = 0.8,
        timer: Callable[[], float] = time.perf_counter,
    ) -> None:
        self.decoder = decoder
        self.stabiliser = stabiliser or ReadStabiliser()
        self.max_width: int | None = (
            getattr(decoder, "max_width", DEFAULT_MAX_WIDTH) if max_width == "decoder" else max_width
        )
        self.frame_interval_s = frame_interval_s
        self.budget = budget
        self._timer = timer
        self._average_s: float | None = None  # moving average of decode time
        self._since_decode = 0
        self.stats = PipelineStats()

    def process(self, frame: Frame) -> list[ScanRead]:
        """Decode ``frame`` (unless skipped to keep up) and return the reads it completes."""
        self.stats.frames += 1
        self._since_decode += 1
        if self._since_decode < self.stats.stride:
            self.stats.skipped += 1
            return []
        self._since_decode = 0
        found = self._decode(frame)
        if found is None:
            return []
        flags = {item.text: item.ascii_ok for item in found}
        accepted = self.stabiliser.observe(flags, now=frame.timestamp_ns / 1e9)
        reads = [
            ScanRead(text, flags[text], frame.index, frame.timestamp_ns, self.decoder.name)
            for text in accepted
        ]
        self.stats.reads += len(reads)
        return reads

    def run(
        self,
        source: FrameSource,
        *,
        stop: threading.Event | None = None,
        on_frame: Callable[[Frame], None] | None = None,
    ) -> Iterator[ScanRead]:
        """Read ``source`` (already open) until it ends or ``stop`` is set; yield the reads.

        ``on_frame`` sees every frame read (the preview), skipped or not. CameraLost and
        other source errors propagate; the source is not closed here.
        """
        # A file waits for its reader (issue 16 §8: skipping dropped whole images of a folder,
        # each shown for two frames); only a camera's frames are lost when not read in time.
        if source.realtime and not getattr(source, "waits", False) and self.frame_interval_s is None:
            self.frame_interval_s = 1.0 / source.fps
            if hasattr(self.decoder, "recovery_interval_s"):  # a camera: pace the blind second looks
                self.decoder.recovery_interval_s = CAMERA_BLIND_LOOK_INTERVAL_S
        stop = stop or threading.Event()
        while not stop.is_set():
            frame = source.read()
            if frame is None:
                if source.at_end:
                    return
                stop.wait(IDLE_WAIT_S)
                continue
            if on_frame is not None:
                on_frame(frame)
            yield from self.process(frame)

    def _decode(self, frame: Frame) -> list[DecodedText] | None:
        started = self._timer()
        try:
            found = self.decoder.decode(prepare(frame.image, self.max_width))
        except BadFrame as exc:
            self.stats.bad += 1
            log.warning("frame %d not decodable: %s", frame.index, exc.message)
            return None
        elapsed = self._timer() - started
        self.stats.decoded += 1
        self.stats.decode_ms.append(elapsed * 1000)
        # The stride follows the plain read: the decoder paces its own second looks, and counting
        # them here would make an empty scene decode ever fewer frames (and read a code later).
        plain = getattr(self.decoder, "plain_s", None)
        self._adapt(plain if isinstance(plain, float) and self.frame_interval_s else elapsed)
        return found

    def _adapt(self, elapsed: float) -> None:
        average = elapsed if self._average_s is None else 0.7 * self._average_s + 0.3 * elapsed
        self._average_s = average
        if not self.frame_interval_s:
            return
        stride = max(1, math.ceil(average / (self.budget * self.frame_interval_s)))
        if stride != self.stats.stride:
            log.info("decoding every %d. frame (decode %.1f ms)", stride, average * 1000)
        self.stats.stride = stride
