"""The visitor page's cookies: the day pass and the pending phone.

- Day pass (`shoumen_visitor`): after a phone is verified by SMS, later scans that day need no
  code. It holds the keyed hash of the phone (the registry's `phone_hash`, so the person is
  found without the phone in clear), the person_ref the phone pointed to, the masked phone for
  display and the local day; it is signed with HMAC-SHA256 under a key derived from the
  venue-code secret (HMAC(venue_secret, "visitor-cookie")). Only valid on the day it names,
  and it expires at local midnight. It never holds the phone in clear.
- Pending phone (`shoumen_pending`): between "获取验证码" and the code being typed the server
  needs the phone itself, which must not appear in a URL: it is kept in this cookie encrypted
  with the server's data key (AES-GCM, so it is also authenticated), for 15 minutes. In demo
  mode it also carries the code, so the page can show it on any server process.

Both are HttpOnly, SameSite=Lax, limited to /v/, and Secure when the public URL is https.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from cryptography.exceptions import InvalidTag
from starlette.responses import Response

from shoumen_core.timeutil import as_utc, local_day, local_day_bounds
from shoumen_server.keys import KeyStore

PASS_COOKIE = "shoumen_visitor"
PENDING_COOKIE = "shoumen_pending"
COOKIE_PATH = "/v/"
PENDING_LIFETIME = timedelta(minutes=15)
_PASS_VERSION = "1"
_PENDING_PREFIX = "visitor-pending|"


def derived_key(keys: KeyStore, purpose: str) -> bytes:
    """A key for one purpose of the visitor page, derived from the venue-code secret."""
    return hmac.new(keys.venue_secret, purpose.encode("ascii"), hashlib.sha256).digest()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(key: bytes, payload: str) -> str:
    return _b64(hmac.new(key, payload.encode("ascii"), hashlib.sha256).digest())


def secure_cookies(public_base_url: str) -> bool:
    return public_base_url.lower().startswith("https:")


def local_midnight_after(now: datetime) -> datetime:
    """The end of `now`'s local day, in UTC."""
    return local_day_bounds(local_day(now))[1]


@dataclass(frozen=True)
class DayPass:
    day: date
    phone_hash: str
    person_ref: str | None
    phone_masked: str


def encode_pass(keys: KeyStore, item: DayPass) -> str:
    body = {"v": _PASS_VERSION, "d": item.day.isoformat(), "h": item.phone_hash, "m": item.phone_masked}
    if item.person_ref:
        body["r"] = item.person_ref
    payload = _b64(json.dumps(body, separators=(",", ":")).encode("utf-8"))
    return f"{payload}.{_mac(derived_key(keys, 'visitor-cookie'), payload)}"


def decode_pass(keys: KeyStore, text: str | None, now: datetime) -> DayPass | None:
    """The pass in the cookie, if it is genuine and of today (local); otherwise None."""
    if not text or len(text) > 1000 or text.count(".") != 1:
        return None
    payload, mac = text.split(".")
    try:
        expected = _mac(derived_key(keys, "visitor-cookie"), payload)
        if not hmac.compare_digest(mac, expected):
            return None
        body = json.loads(_unb64(payload))
        item = DayPass(
            day=date.fromisoformat(body["d"]),
            phone_hash=str(body["h"]),
            person_ref=str(body["r"]) if body.get("r") else None,
            phone_masked=str(body["m"]),
        )
    except (ValueError, KeyError, TypeError, UnicodeEncodeError, binascii.Error):
        return None
    if body.get("v") != _PASS_VERSION or item.day != local_day(now):
        return None
    return item


@dataclass(frozen=True)
class Pending:
    phone: str
    expires_at: datetime
    demo_code: str | None = None


def encode_pending(keys: KeyStore, item: Pending) -> str:
    body = {"p": item.phone, "e": int(item.expires_at.timestamp()), "c": item.demo_code}
    return _b64(keys.encrypt(_PENDING_PREFIX + json.dumps(body, separators=(",", ":"))))


def decode_pending(keys: KeyStore, text: str | None, now: datetime) -> Pending | None:
    if not text or len(text) > 1000:
        return None
    try:
        plain = keys.decrypt(_unb64(text))
        if not plain.startswith(_PENDING_PREFIX):
            return None
        body = json.loads(plain[len(_PENDING_PREFIX) :])
        item = Pending(
            phone=str(body["p"]),
            expires_at=datetime.fromtimestamp(int(body["e"]), tz=UTC),
            demo_code=str(body["c"]) if body.get("c") else None,
        )
    except (ValueError, KeyError, TypeError, UnicodeError, binascii.Error, InvalidTag):
        return None
    return item if item.expires_at > now else None


def set_cookie(
    response: Response, name: str, value: str, *, expires_at: datetime, now: datetime, secure: bool
) -> None:
    # Max-Age is what browsers (and test cookie jars) go by; Expires is for very old browsers.
    response.set_cookie(
        name,
        value,
        max_age=max(1, int((expires_at - now).total_seconds())),
        expires=as_utc(expires_at),
        path=COOKIE_PATH,
        secure=secure,
        httponly=True,
        samesite="lax",
    )


def clear_cookie(response: Response, name: str, *, secure: bool) -> None:
    response.delete_cookie(name, path=COOKIE_PATH, secure=secure, httponly=True, samesite="lax")
