"""CSRF protection for the visitor page's forms: a signed double-submit token.

A random nonce lives in an HttpOnly cookie for the browser session; every form carries
HMAC(key, nonce) in a hidden field, the key being derived from the venue-code secret. A POST
is accepted only when the field matches the cookie's nonce. Another site can make the browser
send the cookie (SameSite=Lax already stops cross-site POSTs) but can read neither the cookie
nor the page, so it cannot know the token.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from shoumen_server.keys import KeyStore
from shoumen_server.visitor.cookies import derived_key

CSRF_COOKIE = "shoumen_csrf"
CSRF_FIELD = "csrf"
_NONCE_BYTES = 16


def new_nonce() -> str:
    return secrets.token_urlsafe(_NONCE_BYTES)


def valid_nonce(nonce: str | None) -> bool:
    return nonce is not None and 16 <= len(nonce) <= 64 and nonce.isascii()


def form_token(keys: KeyStore, nonce: str) -> str:
    digest = hmac.new(derived_key(keys, "visitor-csrf"), nonce.encode("ascii"), hashlib.sha256)
    return digest.hexdigest()[:32]


def token_matches(keys: KeyStore, nonce: str | None, token: str | None) -> bool:
    if nonce is None or not valid_nonce(nonce) or not token or not token.isascii():
        return False
    return hmac.compare_digest(form_token(keys, nonce), token)
