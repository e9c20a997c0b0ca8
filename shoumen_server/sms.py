"""SMS delivery behind one interface, so a real provider can replace the development one."""

from __future__ import annotations

import logging
import threading
from typing import Protocol

log = logging.getLogger("shoumen.server.sms")


class SmsGateway(Protocol):
    def send_code(self, phone: str, code: str) -> None: ...


class DevSmsGateway:
    """Development gateway: logs that a code was sent (never the phone or code in full) and
    keeps the latest code per phone in memory, so demo mode can show it and tests can read it."""

    def __init__(self) -> None:
        self._latest: dict[str, str] = {}
        self._lock = threading.Lock()
        self.sent_count = 0

    def send_code(self, phone: str, code: str) -> None:
        with self._lock:
            self._latest[phone] = code
            self.sent_count += 1
        log.info("dev SMS gateway: code sent to %s****%s", phone[:3], phone[-4:])

    def latest_code(self, phone: str) -> str | None:
        with self._lock:
            return self._latest.get(phone)
