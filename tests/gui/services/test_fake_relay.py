"""scripts/fake_relay.py: the relay stand-in a person uses to watch the gate link without a board."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from shoumen_core.policy import VerdictLevel
from shoumen_gui.services.gate import GateConfig, GateKind, make_gate

SCRIPT = Path(__file__).resolve().parents[3] / "scripts" / "fake_relay.py"


def test_fake_relay_prints_each_frame_the_gate_sends() -> None:
    relay = subprocess.Popen(
        [sys.executable, "-u", str(SCRIPT)], stdout=subprocess.PIPE, text=True, encoding="utf-8"
    )
    try:
        assert relay.stdout is not None
        first = relay.stdout.readline()
        assert first.startswith("relay listening on /dev/")
        port = first.split()[3]
        gate = make_gate(GateConfig(kind=GateKind.SERIAL, port=port, channel=2, pulse_seconds=0.2))
        assert gate.open_for(None, None, VerdictLevel.PASS).opened
        on, off = relay.stdout.readline(), relay.stdout.readline()
        assert "channel 2: 开 (on)  [a0 02 01 a3]" in on
        assert "channel 2: 关 (off)  [a0 02 00 a2]" in off
        assert float(off.rsplit("(+", 1)[1].split(" s)")[0]) >= 0.19  # the pulse, as the relay saw it
    finally:
        relay.terminate()
        relay.wait(5)
        if relay.stdout is not None:
            relay.stdout.close()
