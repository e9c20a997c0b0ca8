"""Can a visitor's phone open this URL? The one classification of the URL a venue code points
at, shared by the server (which refuses to start on a dead one outside demo mode) and the app
(which warns on the 场所码 panel and on the poster).

Pure: it looks at the text only and resolves no names. A host name that a public DNS could
answer is taken as public; an intranet deployment that names its server with a public-looking
name is the operator's explicit choice (the server says so at start). Codes here, words at the
edge.
"""

from __future__ import annotations

import ipaddress
import socket
from enum import StrEnum
from typing import Final
from urllib.parse import urlsplit

MAX_URL_LENGTH: Final = 512  # a base URL plus the ~45-character token still makes a sound QR


class UrlReach(StrEnum):
    """How far a URL reaches, worst first; PUBLIC is the only one a poster may carry."""

    INVALID = "invalid"  # not an http(s) URL a poster can carry (no host, user info, query ...)
    LOOPBACK = "loopback"  # this machine only: 127/8, ::1, localhost, 0.0.0.0
    PRIVATE = "private"  # an intranet: RFC 1918, fc00::/7, link-local, CGNAT, .local, one label
    PLAIN_HTTP = "plain_http"  # reachable, but what visitors type travels in clear text
    PUBLIC = "public"  # https on a public name or address


# Suffixes no public DNS answers (RFC 6761/6762/8375, and the common intranet conventions).
_LOOPBACK_NAMES: Final = ("localhost",)
_PRIVATE_SUFFIXES: Final = ("local", "lan", "internal", "intranet", "home.arpa", "localdomain", "corp")


def classify_url(url: str) -> UrlReach:
    """The reach of `url`, the worst that applies (a loopback http URL is LOOPBACK)."""
    if len(url) > MAX_URL_LENGTH or not url.isascii() or not url.isprintable() or " " in url:
        return UrlReach.INVALID
    try:
        parts = urlsplit(url)
        _ = parts.port  # raises ValueError for a port out of range or not a number
    except ValueError:
        return UrlReach.INVALID
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".")
    if scheme not in ("http", "https") or not host or parts.username is not None:
        return UrlReach.INVALID
    if parts.query or parts.fragment or "\\" in url:
        return UrlReach.INVALID
    reach = _host_reach(host)
    if reach is UrlReach.PUBLIC and scheme == "http":
        return UrlReach.PLAIN_HTTP
    return reach


def _host_reach(host: str) -> UrlReach:
    address = _address(host)
    if address is None:
        return UrlReach.INVALID
    if isinstance(address, str):
        return _name_reach(address)
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if address.is_loopback or address.is_unspecified:
        return UrlReach.LOOPBACK
    # is_global is False for RFC 1918, fc00::/7, link-local, 100.64/10 (CGNAT), documentation
    # and reserved ranges: none of them is a place a visitor's phone reaches from outside.
    return UrlReach.PUBLIC if address.is_global else UrlReach.PRIVATE


def _address(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | str | None:
    """The IP address `host` spells, the lower-cased name when it is a name, None when it is
    neither. Browsers read a host whose last label is a number as IPv4 in any of the old forms
    (127.1, 0x7f.0.0.1, 2130706433), so those are decoded the same way, not taken as names."""
    if ":" in host:
        try:
            return ipaddress.IPv6Address(host.split("%", 1)[0])
        except ValueError:
            return None
    last = host.rsplit(".", 1)[-1].lower()
    if last.isdigit() or (last.startswith("0x") and all(c in "0123456789abcdef" for c in last[2:])):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            return None
    name = host.lower()
    labels = name.split(".")
    if any(not label or len(label) > 63 for label in labels):
        return None
    if not all(c.isalnum() or c in "-_" for label in labels for c in label):
        return None
    return name


def _name_reach(name: str) -> UrlReach:
    if name in _LOOPBACK_NAMES or name.endswith(".localhost"):
        return UrlReach.LOOPBACK
    if "." not in name or any(name.endswith("." + suffix) for suffix in _PRIVATE_SUFFIXES):
        return UrlReach.PRIVATE
    return UrlReach.PUBLIC
