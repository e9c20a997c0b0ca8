"""Logging: one file in the user log folder, named loggers, Qt's own messages routed in.

Every handler carries a PiiFilter: whatever a caller passed, ID numbers, phone numbers,
personal codes and tokens are replaced before a line is written (DESIGN §7: no PII in logs).
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # Qt is imported when Qt's messages are routed: the backend process has no Qt
    from PySide6.QtCore import QMessageLogContext, QtMsgType

log = logging.getLogger("shoumen.gui")
qt_log = logging.getLogger("shoumen.qt")

_FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"
_MAX_BYTES = 1_000_000
_BACKUPS = 5

# Order matters: personal codes and tokens first (they may contain digit runs), then IDs, phones.
_REDACTIONS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"SMHC1\.[A-Za-z0-9_\-.=]+"), "SMHC1.<code>"),
    (re.compile(r"(?i)\b(bearer)\s+[A-Za-z0-9_\-.~+/=]+"), r"\1 <token>"),
    (
        re.compile(r"(?i)\b(token|code|sms_code|password)(\"?\s*[=:]\s*\"?)[A-Za-z0-9_\-.~+/=]+"),
        r"\1\2<redacted>",
    ),
    (re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])"), "<id-number>"),
    (re.compile(r"(?<![0-9A-Za-z])\d{15}(?![0-9A-Za-z])"), "<id-number>"),
    (re.compile(r"(?<![0-9])(?:\+?86[ -]?)?1[3-9]\d[ -]?\d{4}[ -]?\d{4}(?![0-9])"), "<phone>"),
)


def redact(text: str) -> str:
    for pattern, replacement in _REDACTIONS:
        text = pattern.sub(replacement, text)
    return text


class PiiFilter(logging.Filter):
    """Rewrites each record's final message (and traceback) with PII replaced."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string must not lose the line
            message = f"{record.msg!r} {record.args!r}"
        record.msg = redact(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


_handlers: list[logging.Handler] = []


def setup_logging(
    log_dir: Path, *, level: int = logging.INFO, to_stderr: bool | None = None, qt_messages: bool = True
) -> Path:
    """Configure the root logger; safe to call again (earlier handlers are replaced).

    qt_messages=False leaves Qt unimported (start-up logs before Qt is loaded, app.main); call
    install_qt_message_handler() once it is."""
    shutdown_logging()
    log_dir.mkdir(parents=True, exist_ok=True)
    path = log_dir / "shoumen.log"
    file_handler = logging.handlers.RotatingFileHandler(
        path, maxBytes=_MAX_BYTES, backupCount=_BACKUPS, encoding="utf-8"
    )
    handlers: list[logging.Handler] = [file_handler]
    if to_stderr is None:
        to_stderr = os.environ.get("SHOUMEN_LOG_TO_STDERR", "1") != "0"
    if to_stderr:
        handlers.append(logging.StreamHandler(sys.stderr))
    root = logging.getLogger()
    for handler in handlers:
        handler.setFormatter(logging.Formatter(_FORMAT))
        handler.addFilter(PiiFilter())
        root.addHandler(handler)
        _handlers.append(handler)
    root.setLevel(level)
    # Third-party chatter that would drown our own lines.
    for noisy in ("uvicorn.access", "httpx", "httpcore", "alembic.runtime.migration"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    if qt_messages:
        install_qt_message_handler()
    log.info("logging to %s", path)
    return path


def shutdown_logging() -> None:
    root = logging.getLogger()
    while _handlers:
        handler = _handlers.pop()
        root.removeHandler(handler)
        handler.close()


def _qt_level(msg_type: QtMsgType) -> int:
    from PySide6.QtCore import QtMsgType

    levels = {
        QtMsgType.QtDebugMsg: logging.DEBUG,
        QtMsgType.QtInfoMsg: logging.INFO,
        QtMsgType.QtWarningMsg: logging.WARNING,
        QtMsgType.QtCriticalMsg: logging.ERROR,
        QtMsgType.QtFatalMsg: logging.CRITICAL,
    }
    return levels.get(msg_type, logging.WARNING)


# Qt messages that say nothing actionable on the machines we run on.
_QT_QUIET = ("Couldn't load pipewire", "Couldn't resolve pipewire", "propagateSizeHints")


def qt_message_handler(msg_type: QtMsgType, context: QMessageLogContext, message: str) -> None:
    level = _qt_level(msg_type)
    if level == logging.WARNING and any(part in message for part in _QT_QUIET):
        level = logging.DEBUG
    category = context.category if context is not None and context.category else "qt"
    qt_log.log(level, "[%s] %s", category, message)


def install_qt_message_handler() -> None:
    from PySide6.QtCore import qInstallMessageHandler

    qInstallMessageHandler(qt_message_handler)
