#!/usr/bin/env python3
"""Writes the verdict sounds to resources/sounds/ (16-bit mono WAV, made with `wave`).

Short, distinct tones so a guard hears the outcome without looking: a rising pair for
通行, a double beep for 人工核验, a low buzz for 禁止通行, a flat tone for 无法核验, and one
neutral beep for stations that must not let the queue hear the result.

    .venv/bin/python scripts/make_sounds.py
"""

from __future__ import annotations

import math
import struct
import sys
import wave
from pathlib import Path

RATE = 22050
VOLUME = 0.45
FADE_S = 0.008  # a few ms of fade in/out, so no click at the edges

# name -> [(frequency Hz or 0 for silence, seconds), ...]
SOUNDS: dict[str, list[tuple[float, float]]] = {
    "pass": [(880.0, 0.09), (1318.5, 0.14)],
    "review": [(987.8, 0.1), (0.0, 0.06), (987.8, 0.1)],
    "deny": [(220.0, 0.38)],
    "cannot_verify": [(523.3, 0.25)],
    "neutral_beep": [(1000.0, 0.12)],
}


def _tone(freq: float, seconds: float, square: bool = False) -> list[int]:
    count = int(RATE * seconds)
    fade = max(1, int(RATE * FADE_S))
    out: list[int] = []
    for i in range(count):
        if freq <= 0:
            out.append(0)
            continue
        phase = math.sin(2 * math.pi * freq * i / RATE)
        value = (1.0 if phase >= 0 else -1.0) * 0.6 if square else phase
        envelope = min(1.0, i / fade, (count - 1 - i) / fade)
        out.append(int(32767 * VOLUME * value * envelope))
    return out


def write_sound(path: Path, parts: list[tuple[float, float]], square: bool = False) -> None:
    samples: list[int] = []
    for freq, seconds in parts:
        samples.extend(_tone(freq, seconds, square))
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(struct.pack(f"<{len(samples)}h", *samples))


def main(argv: list[str]) -> int:
    folder = (
        Path(argv[1]) if len(argv) > 1 else Path(__file__).resolve().parent.parent / "resources" / "sounds"
    )
    folder.mkdir(parents=True, exist_ok=True)
    for name, parts in SOUNDS.items():
        write_sound(folder / f"{name}.wav", parts, square=(name == "deny"))
        print(folder / f"{name}.wav")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
