"""Which server this is: `server_id` in server_meta, made once (migration 0004) and never changed.

It is not the epoch. The epoch names a generation of the data: a reset or restored database
gets a new one, and devices answer it by pushing every row again — to the same server. The
server_id names the server itself, so a device keeps one local cache per server however its URL
is written (127.0.0.1 or localhost, an IP or a domain, http or https) and across new epochs; if
the two were one value, a reset would look like a different server to every device and strand
their unsynced checks (issue 14 §4).
"""

from __future__ import annotations

import logging
import re
from typing import Final

from sqlalchemy.orm import Session

from shoumen_server.models import ServerMeta

log = logging.getLogger("shoumen.server.identity")

SERVER_ID_KEY: Final = "server_id"
SERVER_ID_SHAPE: Final = re.compile(r"[0-9a-f]{32}")


def server_id(session: Session) -> str:
    """The stored server_id, or "" (a database not migrated to 0004: devices fall back to the
    URL and say nothing is known)."""
    row = session.get(ServerMeta, SERVER_ID_KEY)
    if row is None or not SERVER_ID_SHAPE.fullmatch(row.value):
        log.warning("server_meta has no valid server_id: run `shoumen-server migrate`")
        return ""
    return row.value
