"""Writes resources/selftest/sample_code.png: the camera-like frame `shoumen --self-test` decodes.

    .venv/bin/python packaging/make_selftest_frame.py

A 640x480 frame with the signed sample personal code `testframes.sample_personal_code(0)`,
slightly turned, tilted and blurred, as a phone held up to a webcam looks. Everything is seeded:
running it again writes the same picture. The self-test expects exactly that text back.
"""

from __future__ import annotations

import sys
from pathlib import Path

import cv2

from shoumen_gui.scanning.testframes import SIZE_480P, Placement, make_frame, sample_personal_code

OUT = Path(__file__).resolve().parent.parent / "resources" / "selftest" / "sample_code.png"


def main() -> int:
    frame = make_frame(
        sample_personal_code(0),
        size=SIZE_480P,
        placement=Placement(side=330, rotation_deg=8.0, perspective=0.02),
        blur_sigma=0.6,
        seed=7,
    )
    gray = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)  # a smaller file; the decoders read grey anyway
    OUT.parent.mkdir(parents=True, exist_ok=True)
    if not cv2.imwrite(str(OUT), gray, [cv2.IMWRITE_PNG_COMPRESSION, 9]):
        print(f"cannot write {OUT}", file=sys.stderr)
        return 1
    print(f"{OUT} ({OUT.stat().st_size // 1024} KiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
