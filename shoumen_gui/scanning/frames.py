"""What a frame is, and the one interface every frame source offers."""

from __future__ import annotations

from dataclasses import dataclass
from types import TracebackType
from typing import Protocol, Self, TypeAlias, cast

import numpy as np
import numpy.typing as npt

Image: TypeAlias = npt.NDArray[np.uint8]
"""An OpenCV image: H x W (grey) or H x W x 3 (BGR), uint8."""


def as_image(array: object) -> Image:
    """An OpenCV result as an Image: cv2's stubs type every result as "any number array"."""
    return cast(Image, array)


@dataclass(frozen=True, slots=True, eq=False)
class Frame:
    """One picture from a source.

    ``timestamp_ns`` is when the frame was taken, on the source's own clock: the monotonic
    clock for a camera, the position in the media for a video file or an image folder. The
    pipeline feeds it to the read stabiliser, so a file read faster than real time still
    keeps its 5-second repeat window in media time.
    """

    image: Image
    index: int
    timestamp_ns: int


class FrameSource(Protocol):
    """A camera, a video file or a folder of images. Use all methods from one thread.

    ``open()`` raises ``SourceUnavailable`` (``CameraUnavailable`` for a camera, message
    "未检测到摄像头"); ``read()`` returns the next frame, or None when there is no frame right
    now (a camera hiccup) or the source is finished (then ``at_end`` is True); a camera that
    keeps failing raises ``CameraLost`` from ``read()``. ``close()`` may be called any number
    of times. Sources are also context managers (open on enter, close on exit).
    """

    @property
    def description(self) -> str:
        """For the guard, e.g. "摄像头 0" or "视频 gate.mp4"."""
        ...

    @property
    def fps(self) -> float:
        """Nominal frames per second (the camera's or the file's)."""
        ...

    @property
    def realtime(self) -> bool:
        """True when frames come at the pace of the world (a camera, a paced video): a
        consumer that falls behind must skip work, not queue it."""
        ...

    @property
    def at_end(self) -> bool:
        """True once a finite source has delivered its last frame; never for a camera."""
        ...

    def open(self) -> None: ...

    def read(self) -> Frame | None: ...

    def close(self) -> None: ...


class SourceBase:
    """Context-manager support shared by the sources: open on enter, close on exit.

    ``waits``: True when the source holds its next frame until it is read, however late (an
    image folder): the pipeline then never skips its frames to keep up. A camera's frames are
    gone when not read in time (False). Sources without the attribute count as False.
    """

    waits: bool = False

    def open(self) -> None:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        self.open()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
