"""Frame sources: a camera, a video file, a folder of images — one interface (``FrameSource``).

The camera is the real thing at the gate; the video file and the image folder stand in for it
in demos and tests (a paced video behaves like a camera: ``realtime=True``). All three are
plain objects used from the one worker thread that reads them; none imports Qt.
"""

from __future__ import annotations

from pathlib import Path

from shoumen_gui.scanning.camera import CameraSource, Capture
from shoumen_gui.scanning.files import IMAGE_SUFFIXES, ImageFolderSource, VideoFileSource, read_image
from shoumen_gui.scanning.frames import FrameSource

__all__ = [
    "IMAGE_SUFFIXES",
    "CameraSource",
    "Capture",
    "FrameSource",
    "ImageFolderSource",
    "VideoFileSource",
    "open_source",
    "read_image",
]


def open_source(
    camera: int | None = None,
    video: Path | None = None,
    images: Path | None = None,
    *,
    loop: bool = False,
    realtime: bool = True,
) -> FrameSource:
    """Open exactly one of a camera index, a video file or an image folder.

    Raises ValueError unless exactly one is given, and SourceUnavailable (CameraUnavailable
    for a camera) when it cannot be opened.
    """
    given = [x for x in (camera, video, images) if x is not None]
    if len(given) != 1:
        raise ValueError("give exactly one of camera, video or images")
    source: CameraSource | VideoFileSource | ImageFolderSource
    if camera is not None:
        source = CameraSource(camera)
    elif video is not None:
        source = VideoFileSource(video, loop=loop, realtime=realtime)
    else:
        assert images is not None
        source = ImageFolderSource(images, loop=loop, realtime=realtime)
    source.open()
    return source
