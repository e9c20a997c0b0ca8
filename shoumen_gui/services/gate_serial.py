"""The USB-serial relay gate: the common LCUS boards (CH340, 9600 baud, 8N1).

Channel n is switched by four bytes: ``A0 0n 01 (A0+n+1)&0xFF`` on, ``A0 0n 00 (A0+n)&0xFF``
off (channel 1: ``A0 01 01 A2`` / ``A0 01 00 A1``). A pulse is ON, wait, OFF. Whatever goes
wrong after ON was attempted, OFF is still tried: a relay left on is a gate left open.

The port is opened for each command and closed after it, so a board unplugged and plugged
in again (same device name) works without restarting the app.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any, Final

import serial

from shoumen_core.policy import VerdictLevel
from shoumen_gui.services.gate import (
    DEVICE_ERROR,
    LINK_OK,
    OPENED_RESULT,
    RESET_FAILED,
    UNREACHABLE,
    GateConfig,
    GateKind,
    GateResult,
)

log = logging.getLogger("shoumen.gui.gate")

_HEADER: Final = 0xA0
_PORT_ERRORS: Final = (serial.SerialException, OSError, ValueError)

PortOpener = Callable[[GateConfig], Any]  # returns an open serial.Serial-like object


def relay_command(channel: int, on: bool) -> bytes:
    """The LCUS frame that switches `channel` (1..255) on or off."""
    if not 1 <= channel <= 0xFF:
        raise ValueError("relay channel out of range")
    state = 1 if on else 0
    return bytes((_HEADER, channel, state, (_HEADER + channel + state) & 0xFF))


def open_serial_port(config: GateConfig) -> Any:
    return serial.Serial(config.port, config.baud, timeout=config.timeout, write_timeout=config.timeout)


class SerialRelayGate:
    kind = GateKind.SERIAL

    def __init__(
        self,
        config: GateConfig,
        *,
        sleep: Callable[[float], None] = time.sleep,
        open_port: PortOpener = open_serial_port,
    ) -> None:
        self.config = config
        self._sleep = sleep
        self._open_port = open_port
        self._lock = threading.Lock()
        self._on = relay_command(config.channel, True)
        self._off = relay_command(config.channel, False)

    def open_for(
        self,
        check_id: uuid.UUID | None,
        checkpoint_id: int | None,
        level: VerdictLevel,
        *,
        manual: bool = False,
    ) -> GateResult:
        with self._lock:
            return self._pulse()

    def test(self) -> GateResult:
        """Open the port and send OFF: proves the board answers to writes, opens nothing."""
        with self._lock:
            port = self._connect()
            if isinstance(port, GateResult):
                return port
            try:
                self._send(port, self._off)
            except _PORT_ERRORS as exc:
                log.warning("relay test write failed (%s)", type(exc).__name__)
                return GateResult.no_response(DEVICE_ERROR, "串口写入失败")
            finally:
                _close(port)
            return GateResult(False, True, LINK_OK, "闸机连接正常")

    def close(self) -> None:
        pass  # no port is held between commands

    def _pulse(self) -> GateResult:
        port = self._connect()
        if isinstance(port, GateResult):
            return port
        switched_on = False
        try:
            try:
                self._send(port, self._on)
                switched_on = True
            except _PORT_ERRORS as exc:
                log.warning("relay ON failed (%s)", type(exc).__name__)
            if switched_on:
                self._sleep(self.config.pulse_seconds)
        finally:
            # Also after a failed ON (part of the frame may have gone out) or an interrupted wait.
            switched_off = self._switch_off(port)
            _close(port)
        if not switched_on:
            return GateResult.no_response(DEVICE_ERROR, "串口写入失败")
        if not switched_off:
            return GateResult(True, False, RESET_FAILED, "已开闸，但闸机未能复位，请立即检查闸机")
        return OPENED_RESULT

    def _switch_off(self, port: Any) -> bool:
        try:
            self._send(port, self._off)
        except _PORT_ERRORS as exc:
            log.error("relay OFF failed (%s): the gate may stay open", type(exc).__name__)
            return False
        return True

    def _connect(self) -> Any:
        try:
            return self._open_port(self.config)
        except _PORT_ERRORS as exc:
            log.warning("relay port cannot be opened (%s)", type(exc).__name__)
            return GateResult.no_response(UNREACHABLE, "串口无法打开")

    @staticmethod
    def _send(port: Any, frame: bytes) -> None:
        written = port.write(frame)
        if written is not None and written != len(frame):
            raise serial.SerialException("short write")
        port.flush()  # the frame has left before the pulse is timed


def _close(port: Any) -> None:
    try:
        port.close()
    except _PORT_ERRORS:
        log.debug("closing the relay port failed", exc_info=True)
