#!/usr/bin/env python3
"""A stand-in LCUS USB relay board on a pseudo-terminal, to watch the gate link without hardware.

    .venv/bin/python scripts/fake_relay.py
    relay listening on /dev/pts/7 (Ctrl+C to stop)

Put the printed port into 设置 → 闸机 (USB 串口继电器) and check a visitor: each frame the app
sends is printed as it arrives, decoded (channel, 开/关), with the time since the last one —
a PASS shows 开 then, one pulse later, 关; any other verdict shows nothing. Linux and macOS.
"""

from __future__ import annotations

import os
import select
import sys
import time
import tty

FRAME = 4
HEADER = 0xA0


def describe(frame: bytes) -> str:
    if len(frame) != FRAME or frame[0] != HEADER or frame[3] != (sum(frame[:3]) & 0xFF):
        return f"unknown bytes {frame.hex(' ')}"
    state = {1: "开 (on)", 0: "关 (off)"}.get(frame[2], f"state {frame[2]}")
    return f"channel {frame[1]}: {state}  [{frame.hex(' ')}]"


def main() -> int:
    master, slave = os.openpty()
    tty.setraw(slave)
    print(f"relay listening on {os.ttyname(slave)} (Ctrl+C to stop)", flush=True)
    buffer, last = b"", None
    try:
        while True:
            ready, _, _ = select.select([master], [], [], 1.0)
            if not ready:
                continue
            buffer += os.read(master, 64)
            while len(buffer) >= FRAME:
                frame, buffer = buffer[:FRAME], buffer[FRAME:]
                now = time.monotonic()
                since = "" if last is None else f"  (+{now - last:.3f} s)"
                last = now
                print(f"{time.strftime('%H:%M:%S')} {describe(frame)}{since}", flush=True)
    except KeyboardInterrupt:
        return 0
    finally:
        os.close(master)
        os.close(slave)


if __name__ == "__main__":
    sys.exit(main())
