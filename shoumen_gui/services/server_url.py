"""The backend URL a station may use (DESIGN §3): https, or plain http on this machine only.

Over plain http the login token, the SMS code and the trust list would cross the network in
clear; a trust list is signed (services.trust), but the token is not. Loopback (127.0.0.0/8,
::1, localhost) is allowed: the embedded backend and a reverse proxy on the same machine.

Test labs without certificates may set ``SHOUMEN_ALLOW_PLAIN_HTTP=1`` (docs/SECURITY.md); the
app then logs a warning at every start. Never set it on a station at a venue.
"""

from __future__ import annotations

import ipaddress
import logging
import os
from collections.abc import Mapping
from typing import Final
from urllib.parse import urlsplit

from shoumen_gui.services.errors import ServiceError

log = logging.getLogger("shoumen.gui.server_url")

ALLOW_PLAIN_HTTP_ENV: Final = "SHOUMEN_ALLOW_PLAIN_HTTP"


class InsecureServerUrl(ServiceError):
    default_code = "insecure_server_url"
    default_message = (
        "服务器地址必须以 https:// 开头（本机 127.0.0.1 / localhost 除外），"
        "否则登录凭据和信任列表会在网络上明文传输。请改用 https 地址。"
    )


class BadServerUrl(ServiceError):
    default_code = "bad_server_url"
    default_message = "服务器地址无效，应形如 https://example.gov.cn"


def is_loopback(host: str) -> bool:
    host = host.strip("[]").lower().rstrip(".")
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_server_url(url: str, env: Mapping[str, str] | None = None) -> str:
    """Return the URL if a station may use it; raise InsecureServerUrl / BadServerUrl if not."""
    try:
        parts = urlsplit(url.strip())
        host = parts.hostname or ""
    except ValueError as exc:
        raise BadServerUrl() from exc
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not host:
        raise BadServerUrl()
    if scheme == "http" and not is_loopback(host):
        if (os.environ if env is None else env).get(ALLOW_PLAIN_HTTP_ENV) == "1":
            log.warning(
                "plain http to a remote server allowed by %s=1 (test labs only)", ALLOW_PLAIN_HTTP_ENV
            )
        else:
            raise InsecureServerUrl()
    return url.strip()
