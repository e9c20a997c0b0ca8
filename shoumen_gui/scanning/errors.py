"""Typed errors of the scanning package.

Callers decide on the type and on ``code`` (stable, English), never on ``message`` (Chinese,
for the guard). Every error here is something the guard can act on (plug the camera in, type
the ID number instead), so the UI shows ``message`` calmly; none of them is a crash.
"""

from __future__ import annotations


class ScanningError(Exception):
    default_code = "scanning_error"
    default_message = "扫码功能暂时不可用"

    def __init__(self, message: str | None = None, *, code: str | None = None) -> None:
        self.code: str = code or self.default_code
        self.message: str = message or self.default_message
        super().__init__(self.message)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r})"


class SourceUnavailable(ScanningError):
    """A frame source could not be opened (no camera, missing or unreadable video or folder)."""

    default_code = "source_unavailable"
    default_message = "无法打开视频来源"


class CameraUnavailable(SourceUnavailable):
    """No camera at that index, or it is busy in another program."""

    default_code = "camera_unavailable"
    default_message = "未检测到摄像头"


class CameraLost(ScanningError):
    """An open camera stopped delivering frames (unplugged mid-shift).

    The source is closed when this is raised; ``open()`` it again to retry.
    """

    default_code = "camera_lost"
    default_message = "摄像头连接已断开，请检查后重试"


class DecoderUnavailable(ScanningError):
    """The decoder's native library is missing. ``fallback`` names the decoder to use instead."""

    default_code = "decoder_unavailable"
    default_message = "二维码解码库不可用"

    def __init__(
        self, message: str | None = None, *, code: str | None = None, fallback: str | None = None
    ) -> None:
        super().__init__(message, code=code)
        self.fallback: str | None = fallback


class BadFrame(ScanningError, ValueError):
    """An image array the decoders cannot take (wrong dtype or shape). A bug in the caller."""

    default_code = "bad_frame"
    default_message = "图像格式不受支持"
