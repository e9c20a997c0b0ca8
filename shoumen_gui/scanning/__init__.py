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
- ``loop``: ScanLoop, the camera loop (open, decode, retry a lost camera) with callbacks and a
  stop event; ui/scan_worker.py runs it on a thread and turns the callbacks into signals
- ``wedge``: WedgeDetector (USB scanner bursts vs a person typing)
- ``testframes``: generated QR frames and videos for tests, the bench and demos
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

# The names below load their module on first use (PEP 562): the app imports scanning.loop at
# start, and OpenCV, numpy and the decoders (~1 s) must wait for the worker that needs them.
_WHERE = {
    "DEFAULT_DECODER": "decoders",
    "NON_ASCII_MESSAGE": "decoders",
    "DecodedText": "decoders",
    "Decoder": "decoders",
    "DecoderChoice": "decoders",
    "PyzbarDecoder": "decoders",
    "ZxingDecoder": "decoders",
    "choose_decoder": "decoders",
    "make_decoder": "decoders",
    "BadFrame": "errors",
    "CameraLost": "errors",
    "CameraUnavailable": "errors",
    "DecoderUnavailable": "errors",
    "ScanningError": "errors",
    "SourceUnavailable": "errors",
    "Frame": "frames",
    "FrameSource": "frames",
    "ScanConfig": "loop",
    "ScanEvent": "loop",
    "ScanHit": "loop",
    "ScanLoop": "loop",
    "ScanState": "loop",
    "PipelineStats": "pipeline",
    "ScanPipeline": "pipeline",
    "ScanRead": "pipeline",
    "CameraSource": "sources",
    "ImageFolderSource": "sources",
    "VideoFileSource": "sources",
    "open_source": "sources",
    "ReadStabiliser": "stabiliser",
    "ENTER": "wedge",
    "WedgeDecision": "wedge",
    "WedgeDetector": "wedge",
}

if TYPE_CHECKING:
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
    from shoumen_gui.scanning.loop import ScanConfig, ScanEvent, ScanHit, ScanLoop, ScanState
    from shoumen_gui.scanning.pipeline import PipelineStats, ScanPipeline, ScanRead
    from shoumen_gui.scanning.sources import CameraSource, ImageFolderSource, VideoFileSource, open_source
    from shoumen_gui.scanning.stabiliser import ReadStabiliser
    from shoumen_gui.scanning.wedge import ENTER, WedgeDecision, WedgeDetector


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value  # once: later lookups do not come here
    return value


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
    "ScanConfig",
    "ScanEvent",
    "ScanHit",
    "ScanLoop",
    "ScanPipeline",
    "ScanRead",
    "ScanState",
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
