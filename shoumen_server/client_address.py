"""The client's address for per-address limits: the TCP peer, or — only when the peer is a
configured trusted proxy — what that proxy says in its header. A header from anyone else is
ignored: it is whatever the client wanted to write."""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from fastapi import Request

from shoumen_server.settings import ServerSettings

_Network = ipaddress.IPv4Network | ipaddress.IPv6Network
_Address = ipaddress.IPv4Address | ipaddress.IPv6Address


@lru_cache(maxsize=16)
def _networks(proxies: tuple[str, ...]) -> tuple[_Network, ...]:
    return tuple(ipaddress.ip_network(item, strict=False) for item in proxies)


def _address(text: str) -> _Address | None:
    try:
        address = ipaddress.ip_address(text.strip())
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _trusted(address: _Address | None, proxies: tuple[str, ...]) -> bool:
    return address is not None and any(address in net for net in _networks(proxies))


def _from_header(request: Request, settings: ServerSettings) -> _Address | None:
    name = settings.client_ip_header
    if name != "x-forwarded-for":  # x-real-ip and the like: one address, set by the proxy
        return _address(request.headers.get(name, ""))
    # Each proxy appends the address it received from; entries left of a trusted proxy's own
    # entry may be anything the client sent. The right-most entry that is not one of our
    # proxies is the client as our outermost proxy saw it.
    entries = [item for value in request.headers.getlist(name) for item in value.split(",")]
    for entry in reversed(entries):
        address = _address(entry)
        if address is None:
            return None
        if not _trusted(address, settings.trusted_proxies):
            return address
    return None


def client_address(request: Request, settings: ServerSettings) -> str:
    """The client's address as text; an IPv6 client is its /64 (one household or phone gets a
    whole /64, so single addresses would make a per-address limit meaningless)."""
    peer_text = request.client.host if request.client else ""
    peer = _address(peer_text)
    address = peer
    if _trusted(peer, settings.trusted_proxies):
        address = _from_header(request, settings) or peer
    if address is None:
        return peer_text
    if isinstance(address, ipaddress.IPv6Address):
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)
