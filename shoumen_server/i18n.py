"""The language of an answer: negotiated from the request's Accept-Language, Chinese by default.

Messages are written in Chinese where they are raised (the house style) and looked up in one
English catalogue (`shoumen_server.english`) by their Chinese template when the answer is
English: the Chinese is the message id, as in gettext. A message with values in it is a
template with named fields (`"天数应在 1 到 {max_days} 之间"` + `{"max_days": 31}`), so both
languages format the same values. A message the catalogue lacks falls back to its code's
English (`CODES_EN`: the errors that shoumen_core words in Chinese with values of its own)
and then to the Chinese — never to nothing; tests/server/test_i18n.py keeps the catalogue
complete.

`NegotiateLanguage` (pure ASGI middleware) decides once per request and keeps the answer in a
context variable, so code that builds a message deep in a route (a pushed row's rejection)
and the error handlers agree. The visitor pages (`/v/...`) also honour `?lang=` and the
`shoumen_lang` cookie the page's language link sets: a visitor whose phone asks for the other
language can switch.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable, Mapping, MutableMapping
from contextvars import ContextVar
from enum import StrEnum
from http.cookies import CookieError, SimpleCookie
from typing import Any
from urllib.parse import parse_qsl

from shoumen_server.english import CODES_EN, MESSAGES_EN

log = logging.getLogger("shoumen.server.i18n")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class Language(StrEnum):
    ZH = "zh"
    EN = "en"

    @property
    def tag(self) -> str:
        """The BCP 47 tag for `<html lang>` and Content-Language."""
        return "zh-CN" if self is Language.ZH else "en"


DEFAULT = Language.ZH
LANG_COOKIE = "shoumen_lang"
LANG_PARAM = "lang"
VISITOR_PREFIX = "/v/"

# Accept-Language is client input: only its first 256 characters and 16 ranges are read (a
# browser sends a handful), each range must look like a language range, and a q-value must be
# the RFC 9110 form (0, 0.5, 1.000) — no floats like "nan", "1e3" or "-1".
MAX_HEADER_CHARS = 256
MAX_RANGES = 16
_RANGE = re.compile(r"(?:\*|[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*)")
_QVALUE = re.compile(r"(?:0(?:\.\d{0,3})?|1(?:\.0{0,3})?)")


def _language_of(tag: str) -> Language | None:
    """zh, zh-CN, zh-Hans-CN ... -> ZH; en, en-US ... -> EN; `*` -> the default; else None."""
    primary = tag.split("-", 1)[0].lower()
    if primary == "*":
        return DEFAULT
    for language in Language:
        if primary == language.value:
            return language
    return None


def negotiate(header: str | None) -> Language:
    """The language to answer in, by the ranges' q-values (the earlier range wins a tie)."""
    if not header:
        return DEFAULT
    best: Language | None = None
    best_q = 0.0
    for item in header[:MAX_HEADER_CHARS].split(",")[:MAX_RANGES]:
        tag, *params = (part.strip() for part in item.split(";"))
        if not _RANGE.fullmatch(tag):
            continue
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                value = value.strip()
                q = float(value) if _QVALUE.fullmatch(value) else 0.0
        language = _language_of(tag)
        if language is not None and q > best_q:
            best, best_q = language, q
    return best or DEFAULT


def parse_language(value: str | None) -> Language | None:
    """An explicit choice (`?lang=en`, the cookie): exactly "zh" or "en", else None."""
    if value in ("zh", "en"):
        return Language(value)
    return None


_current: ContextVar[Language] = ContextVar("shoumen_language", default=DEFAULT)


def current_language() -> Language:
    """The language of the request being answered (Chinese outside a request)."""
    return _current.get()


def _header(scope: Scope, wanted: bytes) -> str | None:
    for name, value in scope.get("headers", ()):
        if name == wanted:
            return bytes(value).decode("latin-1")
    return None


def visitor_choice(scope: Scope) -> Language | None:
    """The visitor page's own choice: `?lang=` first, then the cookie the switch link set."""
    query = bytes(scope.get("query_string", b""))[:MAX_HEADER_CHARS].decode("latin-1")
    for name, value in parse_qsl(query):
        chosen = parse_language(value) if name == LANG_PARAM else None
        if chosen is not None:
            return chosen
    cookie = _header(scope, b"cookie")
    if cookie:
        try:
            jar = SimpleCookie(cookie[:4096])
        except CookieError:
            return None
        morsel = jar.get(LANG_COOKIE)
        return parse_language(morsel.value if morsel is not None else None)
    return None


def scope_language(scope: Scope) -> Language:
    if str(scope.get("path", "")).startswith(VISITOR_PREFIX):
        chosen = visitor_choice(scope)
        if chosen is not None:
            return chosen
    return negotiate(_header(scope, b"accept-language"))


class NegotiateLanguage:
    """Decides the request's language before anything else answers (the 413 too), and says it:
    `Content-Language`, and `Vary: Accept-Language` for any cache between (none should keep
    these answers: NoStore)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        language = scope_language(scope)

        async def send_language(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                if not any(name.lower() == b"content-language" for name, _ in headers):
                    headers.append((b"content-language", language.tag.encode("ascii")))
                vary = [i for i, (name, _) in enumerate(headers) if name.lower() == b"vary"]
                if not vary:
                    headers.append((b"vary", b"Accept-Language"))
                elif b"accept-language" not in bytes(headers[vary[0]][1]).lower():
                    name, value = headers[vary[0]]
                    headers[vary[0]] = (name, bytes(value) + b", Accept-Language")
                message["headers"] = headers
            await send(message)

        token = _current.set(language)
        try:
            await self.app(scope, receive, send_language)
        finally:
            _current.reset(token)


# ---- messages -------------------------------------------------------------------------------


def translate(
    template: str,
    params: Mapping[str, object] | None = None,
    *,
    language: Language | None = None,
    code: str | None = None,
) -> str:
    """`template` (Chinese, the message id) in `language` (the request's when None), with
    `params` formatted in. English: the catalogue's, else the code's, else the Chinese."""
    language = language or current_language()
    if language is Language.EN:
        english = MESSAGES_EN.get(template)
        if english is None and code is not None:
            english = CODES_EN.get(code)
            if english is not None:
                return english  # a core message's values are in its Chinese only
        if english is not None:
            return english.format_map(params) if params else english
        log.warning("no English for a message of code %s", code)  # the text may carry values
    return template.format_map(params) if params else template
