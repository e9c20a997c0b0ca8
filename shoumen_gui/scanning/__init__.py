"""Qt-free scanning: frame sources, QR decoders, the read stabiliser and wedge detection.

Nothing here imports Qt or widgets; the preview widget and the workbench call it from a
worker thread (see ``pipeline`` for the loop and ``wedge`` for the keyboard event filter).

- ``frames``: Frame, the FrameSource protocol
- ``sources``: open_source, and the sources of ``camera`` (CameraSource) and ``files``
  (VideoFileSource, ImageFolderSource)
- ``decoders``: ZxingDecoder (default), PyzbarDecoder, make_decoder, choose_decoder
- ``preprocess``: grey once, limit the width
- ``stabiliser``: ReadStabiliser (N identical decodes -> one read; repeats ignored)
- ``pipeline``: ScanPipeline (frames -> reads, skipping frames when decoding falls behind)
- ``wedge``: WedgeDetector (USB scanner bursts vs a person typing)
- ``testframes``: generated QR frames and videos for tests, the bench and demos
"""

from __future__ import annotations

from shoumen_gui.scanning.decoders import (
    DEFAULT_DECODER,
    NON_ASCII_MESSAGE,
    DecodedText,
    Decoder,
    DecoderChoice,
    PyzbarDecoder,
    ZxingDecoder,
    choose_decoder,
    make_decoder,
)
from shoumen_gui.scanning.errors import (
    BadFrame,
    CameraLost,
    CameraUnavailable,
    DecoderUnavailable,
    ScanningError,
    SourceUnavailable,
)
from shoumen_gui.scanning.frames import Frame, FrameSource
from shoumen_gui.scanning.pipeline import PipelineStats, ScanPipeline, ScanRead
from shoumen_gui.scanning.sources import CameraSource, ImageFolderSource, VideoFileSource, open_source
from shoumen_gui.scanning.stabiliser import ReadStabiliser
from shoumen_gui.scanning.wedge import ENTER, WedgeDecision, WedgeDetector

__all__ = [
    "DEFAULT_DECODER",
    "ENTER",
    "NON_ASCII_MESSAGE",
    "BadFrame",
    "CameraLost",
    "CameraSource",
    "CameraUnavailable",
    "DecodedText",
    "Decoder",
    "DecoderChoice",
    "DecoderUnavailable",
    "Frame",
    "FrameSource",
    "ImageFolderSource",
    "PipelineStats",
    "PyzbarDecoder",
    "ReadStabiliser",
    "ScanPipeline",
    "ScanRead",
    "ScanningError",
    "SourceUnavailable",
    "VideoFileSource",
    "WedgeDecision",
    "WedgeDetector",
    "ZxingDecoder",
    "choose_decoder",
    "make_decoder",
    "open_source",
]
