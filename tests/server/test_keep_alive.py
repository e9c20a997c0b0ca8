"""nginx, not the server, closes an idle upstream connection (deploy/nginx/shoumen.conf,
KEEP_ALIVE_SECONDS): a server closing one as nginx hands it a station's POST would have that
lookup or push answered 502, not retried. The two-worker server is checked in test_workers.py."""

from __future__ import annotations

import re
from pathlib import Path

from shoumen_server.settings import KEEP_ALIVE_SECONDS
from tests.server.keep_alive import IDLE, asked_again_after
from tests.server.serving import demo_serve

SITE_TEMPLATE = Path(__file__).resolve().parents[2] / "deploy" / "nginx" / "shoumen.conf"


def test_nginx_closes_idle_upstream_connections_before_the_server_does() -> None:
    upstream = re.search(
        r"upstream shoumen_backend \{(.*?)\n\}", SITE_TEMPLATE.read_text(encoding="utf-8"), re.S
    )
    assert upstream is not None
    timeout = re.search(r"^\s*keepalive_timeout (\d+)s;", upstream.group(1), re.M)
    assert timeout is not None, "the upstream's keepalive_timeout is not set (nginx's default is 60 s)"
    assert int(timeout.group(1)) + 10 <= KEEP_ALIVE_SECONDS


def test_single_process_serve_keeps_an_idle_connection_open(sqlite_template: Path, tmp_path: Path) -> None:
    with demo_serve(sqlite_template, tmp_path) as (port, _lines):
        assert asked_again_after(port, IDLE) == ("HTTP/1.1 200 OK", "HTTP/1.1 200 OK")
