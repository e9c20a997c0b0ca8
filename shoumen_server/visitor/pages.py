"""The visitor pages' plumbing: templates, strict headers, CSRF, and errors as HTML pages.

`PageRoute` turns every error of a visitor route into a page with a stable code (the app's own
handlers answer JSON), after rolling back the request's session (`deps.Db`, the one session
dependency: it would otherwise commit, as the route then returns normally).

Pages speak the request's language (shoumen_server.i18n: the phone's Accept-Language, or the
visitor's own choice from the page's language link, kept in a cookie): the templates wrap every
text in `_()`, whose Chinese is the message id of shoumen_server.english.
"""

from __future__ import annotations

import functools
import logging
import secrets
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import Form, Request
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from starlette.responses import RedirectResponse, Response

from shoumen_server.deps import ServerContext, rollback_request_session
from shoumen_server.errors import ApiError, BadInput, PermissionDenied
from shoumen_server.i18n import LANG_COOKIE, LANG_PARAM, Language, current_language, parse_language, translate
from shoumen_server.visitor.cookies import COOKIE_PATH, secure_cookies
from shoumen_server.visitor.csrf import CSRF_COOKIE, form_token, new_nonce, token_matches, valid_nonce

if TYPE_CHECKING:
    from fastapi.templating import Jinja2Templates

log = logging.getLogger("shoumen.server.visitor")


@functools.cache
def templates() -> Jinja2Templates:
    """The visitor pages' templates, made at the first page: Jinja2's import is ~40 ms of the
    embedded backend's start, which the app waits for (issue 18 §3)."""
    from fastapi.templating import Jinja2Templates

    return Jinja2Templates(directory=Path(__file__).resolve().parent.parent / "templates")


SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
}
LANG_COOKIE_SECONDS = 365 * 24 * 3600  # a preference, not personal data: kept a year


class PageRoute(APIRoute):
    """Turns every error of a visitor route into an HTML page (the app's handlers answer JSON)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def page_handler(request: Request) -> Response:
            try:
                return await handler(request)
            except ApiError as exc:
                rollback_request_session(request)
                return error_page(request, exc)
            except RequestValidationError:
                rollback_request_session(request)
                return error_page(request, BadInput("提交的内容有误，请返回重试", code="invalid_request"))
            except Exception:
                rollback_request_session(request)
                log.exception("visitor page failed")
                failure = ApiError(
                    "系统繁忙，请稍后再试，或向工作人员出示健康码", code="internal_error", status=500
                )
                return error_page(request, failure)

        return page_handler


CsrfField = Annotated[str, Form()]


# ---- rendering ------------------------------------------------------------------------------


def _switch_url(request: Request, other: Language) -> str:
    """The page itself in the other language (a GET); after a POST (to /v/<token>/<step>),
    the venue code's page, /v/<token>."""
    path = request.url.path if request.method == "GET" else "/".join(request.url.path.split("/")[:3])
    return f"{path}?{LANG_PARAM}={other.value}"


def render(request: Request, name: str, *, status: int = 200, **context: Any) -> Response:
    """A visitor page in the request's language, with a CSRF token for its forms and strict
    headers."""
    ctx: ServerContext = request.app.state.ctx
    language = current_language()
    other = Language.EN if language is Language.ZH else Language.ZH

    def gettext(text: str, **params: object) -> str:
        return translate(text, params, language=language)

    context = {"_": gettext, "lang": language, "switch_url": _switch_url(request, other), **context}
    nonce = request.cookies.get(CSRF_COOKIE)
    fresh = not valid_nonce(nonce)
    if fresh or nonce is None:
        nonce = new_nonce()
    script_nonce = secrets.token_urlsafe(12)
    response = templates().TemplateResponse(
        request,
        f"visitor/{name}",
        {"csrf": form_token(ctx.keys, nonce), "csp_nonce": script_nonce, **context},
        status_code=status,
    )
    response.headers.update(SECURITY_HEADERS)
    response.headers["Content-Security-Policy"] = (
        f"default-src 'none'; style-src 'nonce-{script_nonce}'; script-src 'nonce-{script_nonce}'; "
        "img-src data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    )
    if parse_language(request.query_params.get(LANG_PARAM)) is not None:
        # The visitor chose (the language link): the rest of the flow, POSTs and redirects
        # included, keeps the choice.
        response.set_cookie(
            LANG_COOKIE,
            language.value,
            max_age=LANG_COOKIE_SECONDS,
            path=COOKIE_PATH,
            secure=secure_cookies(ctx.settings.public_base_url),
            httponly=True,
            samesite="lax",
        )
    if fresh:
        response.set_cookie(
            CSRF_COOKIE,
            nonce,
            path=COOKIE_PATH,
            secure=secure_cookies(ctx.settings.public_base_url),
            httponly=True,
            samesite="lax",
        )
    return response


def error_page(request: Request, error: ApiError) -> Response:
    return render(request, "error.html", status=error.status, message=error.message_in(), code=error.code)


def redirect(url: str) -> RedirectResponse:
    response = RedirectResponse(url, status_code=303)
    response.headers.update(SECURITY_HEADERS)
    return response


def require_csrf(request: Request, ctx: ServerContext, token: str) -> None:
    if not token_matches(ctx.keys, request.cookies.get(CSRF_COOKIE), token):
        raise PermissionDenied("页面已过期，请重新扫描场所码后再试", code="csrf_failed")
