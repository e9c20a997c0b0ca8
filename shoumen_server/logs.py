"""The server's log format: readable text (the default) or JSON, one object per line.

`SHOUMEN_LOG_FORMAT=json` or `shoumen-server --log-format json ...`: every record — ours,
uvicorn's and gunicorn's — becomes one line `{"time", "level", "logger", "pid", "message"}` (plus
`exception` with the traceback when there is one), for a collector (journald, Loki, ELK) that
parses lines. A traceback or a message with a newline stays on its line (JSON escapes it), so a
log line can never be forged by text a client sent. What is logged does not change with the
format: no PII either way (tests/server/test_no_pii_in_logs.py, test_workers.py).
"""

from __future__ import annotations

import json
import logging
import os
import sys
from datetime import UTC, datetime
from typing import Final

LOG_FORMATS: Final = ("text", "json")
TEXT_FORMAT: Final = "%(asctime)s %(levelname)s %(name)s: %(message)s"
_HANDLER_NAME: Final = "shoumen-server"


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "pid": record.process,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def log_format(arg: str | None) -> str:
    """The format asked for (argument over environment), or ValueError naming the setting."""
    chosen = (arg or os.environ.get("SHOUMEN_LOG_FORMAT") or "text").strip().lower()
    if chosen not in LOG_FORMATS:
        raise ValueError(
            f"SHOUMEN_LOG_FORMAT / --log-format: {chosen!r} is not one of {', '.join(LOG_FORMATS)}"
        )
    return chosen


def formatter(fmt: str) -> logging.Formatter:
    return JsonFormatter() if fmt == "json" else logging.Formatter(TEXT_FORMAT)


def configure_logging(fmt: str, level: int = logging.INFO) -> None:
    """One stderr handler on the root logger in the chosen format (replacing the one an earlier
    call added; others, such as a test's capture, stay)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter(fmt))
    handler.set_name(_HANDLER_NAME)
    root = logging.getLogger()
    for old in list(root.handlers):
        if old.get_name() == _HANDLER_NAME:
            root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
