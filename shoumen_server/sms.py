"""SMS delivery behind one interface (DESIGN §5): the development gateway here, the real
providers (Alibaba Cloud, Tencent Cloud, a government platform's webhook) in sms_providers.

A gateway sends one login or visitor code. It raises SmsSendError (an ApiError, so the API
answers with its code and Chinese message) when the provider refuses or cannot be reached;
it never logs a phone number in full, a code (except the explicit `log` test gateway) or a
credential.
"""

from __future__ import annotations

import logging
import threading
from typing import Protocol

from shoumen_server.errors import ApiError

log = logging.getLogger("shoumen.server.sms")

# What a code is for: a staff login, or a visitor's self check-in on the venue page. Each has
# its own template at the provider (and its own quota here).
PURPOSES = ("login", "visitor")


class SmsGateway(Protocol):
    def send_code(self, phone: str, code: str, purpose: str = "login") -> None: ...


class SmsSendError(ApiError):
    """The provider did not take the message. `retryable`: nothing was sent, so sending again
    cannot give the person a second message."""

    status = 502
    code = "sms_provider_error"
    message = "短信发送失败，请稍后再试"

    def __init__(self, message: str | None = None, *, code: str | None = None, status: int | None = None,
                 retryable: bool = False, provider_code: str = "") -> None:  # fmt: skip
        super().__init__(message, code=code, status=status)
        self.retryable = retryable
        self.provider_code = provider_code


def masked(phone: str) -> str:
    return f"{phone[:3]}****{phone[-4:]}"


class DevSmsGateway:
    """Development gateway: logs that a code was sent (never the phone or code in full) and
    keeps the latest code per phone in memory, so demo mode can show it and tests can read it.

    With `log_codes` (provider `log`, for a test environment without a real provider) the code
    itself is written to the log, so testers can read it there."""

    name = "dev"

    def __init__(self, *, log_codes: bool = False) -> None:
        self._latest: dict[str, str] = {}
        self._lock = threading.Lock()
        self.sent_count = 0
        self.log_codes = log_codes
        if log_codes:
            self.name = "log"

    def send_code(self, phone: str, code: str, purpose: str = "login") -> None:
        with self._lock:
            self._latest[phone] = code
            self.sent_count += 1
        if self.log_codes:
            log.warning("test SMS gateway: %s code for %s is %s", purpose, masked(phone), code)
        else:
            log.info("dev SMS gateway: %s code sent to %s", purpose, masked(phone))

    def latest_code(self, phone: str) -> str | None:
        with self._lock:
            return self._latest.get(phone)
