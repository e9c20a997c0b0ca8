"""API errors: every non-2xx answer is `{"error": {"code", "message"}}` with a stable code
and a message in the request's language (shoumen_server.i18n: Chinese unless Accept-Language
asks for English). Errors are raised with their Chinese message; a message with values is a
template with named fields and `params`, so the English (shoumen_server.english) formats the
same values."""

from __future__ import annotations

import logging
from collections.abc import Mapping

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy import exc as sa_exc
from starlette.exceptions import HTTPException as StarletteHTTPException

from shoumen_server.i18n import Language, scope_language, translate
from shoumen_server.outage import RETRY_AFTER_SECONDS, OutageLog, is_database_unavailable

log = logging.getLogger("shoumen.server.errors")


class ApiError(Exception):
    status = 400
    code = "bad_request"
    message = "请求有误"

    def __init__(
        self,
        message: str | None = None,
        *,
        code: str | None = None,
        status: int | None = None,
        detail: dict[str, object] | None = None,
        params: Mapping[str, object] | None = None,
    ) -> None:
        self.template = message or type(self).message
        self.params = dict(params) if params else None
        self.message = translate(self.template, self.params, language=Language.ZH)  # for logs and code
        self.code = code or type(self).code
        self.status = status or type(self).status
        self.detail = detail
        super().__init__(self.message)

    def message_in(self, language: Language | None = None) -> str:
        """The message in `language` (the request's when None)."""
        return translate(self.template, self.params, language=language, code=self.code)


class BadInput(ApiError):
    status = 422
    code = "invalid_request"
    message = "请求参数有误"


class NotAuthenticated(ApiError):
    status = 401
    code = "not_authenticated"
    message = "请先登录"


class PermissionDenied(ApiError):
    status = 403
    code = "forbidden"
    message = "没有权限执行此操作"


class NotFound(ApiError):
    status = 404
    code = "not_found"
    message = "未找到"


class Conflict(ApiError):
    status = 409
    code = "conflict"
    message = "数据已被他人修改，请刷新后重试"


class RateLimited(ApiError):
    status = 429
    code = "rate_limited"
    message = "操作过于频繁，请稍后再试"


class DatabaseUnavailable(ApiError):
    status = 503
    code = "database_unavailable"
    message = "服务器数据库暂时不可用，请稍后重试"


class ReplicaLost(DatabaseUnavailable):
    """The read replica failed in the middle of a read (shoumen_server.replica): answered as a
    database outage is, but the primary is fine, so it is not counted as one."""


def _body(code: str, message: str, detail: dict[str, object] | None = None) -> dict[str, object]:
    error: dict[str, object] = {"code": code, "message": message}
    if detail:
        error["detail"] = detail
    return {"error": error}


_FIELD_NAMES = {
    "phone": "手机号码",
    "code": "验证码",
    "name": "名称",
    "address": "地址",
    "region_code": "行政区划代码",
    "unit_type": "场所类型",
    "contact_phone": "联系电话",
    "number": "证件号码",
    "checks": "检测记录",
    "anomalies": "登记记录",
    "date": "日期",
}


def _validation_message(
    exc: RequestValidationError, language: Language = Language.ZH
) -> tuple[str, str, dict[str, object]]:
    """(code, message, detail) for a request that failed schema validation."""
    errors = exc.errors()
    fields: list[str] = []
    for err in errors:
        loc = [str(part) for part in err.get("loc", ()) if part not in ("body", "query", "path")]
        fields.append(".".join(loc))
    first = fields[0].split(".")[-1] if fields else ""
    label = translate(_FIELD_NAMES[first], language=language) if first in _FIELD_NAMES else first
    if label:
        message = translate("请求参数有误：{field}", {"field": label}, language=language)
    else:
        message = translate(BadInput.message, language=language)
    code = "invalid_request"
    batch_fields = ("checks", "anomalies")
    if any(
        err.get("type") == "too_long" and any(f in err.get("loc", ()) for f in batch_fields) for err in errors
    ):
        code, message = "batch_too_large", translate("一次提交的记录过多（最多 500 条）", language=language)
    return code, message, {"fields": fields[:20]}


INTERNAL_ERROR = "服务器内部错误，请稍后重试"
HTTP_MESSAGES = {404: "接口不存在", 405: "请求方法不支持", 401: "请先登录"}


def database_unavailable_response(language: Language | None = None) -> JSONResponse:
    return JSONResponse(
        _body(DatabaseUnavailable.code, translate(DatabaseUnavailable.message, language=language)),
        status_code=DatabaseUnavailable.status,
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


def install_error_handlers(app: FastAPI, outage: OutageLog) -> None:
    # Registered for these classes (not only under `Exception`) so Starlette's
    # ExceptionMiddleware answers them: the catch-all handler runs in ServerErrorMiddleware,
    # which re-raises after answering — uvicorn then logs a traceback and drops the
    # keep-alive connection, once per request during an outage.
    async def _database(request: Request, exc: Exception) -> JSONResponse:
        language = scope_language(request.scope)
        if is_database_unavailable(exc):
            outage.failed(exc)
            return database_unavailable_response(language)
        log.exception("database error: %s", type(exc).__name__)
        return JSONResponse(
            _body("internal_error", translate(INTERNAL_ERROR, language=language)), status_code=500
        )

    app.add_exception_handler(sa_exc.DBAPIError, _database)
    app.add_exception_handler(sa_exc.TimeoutError, _database)

    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError) -> JSONResponse:
        # Said like the outage handler's answer: when to retry.
        headers = {"Retry-After": str(RETRY_AFTER_SECONDS)} if isinstance(exc, DatabaseUnavailable) else None
        message = exc.message_in(scope_language(request.scope))
        return JSONResponse(_body(exc.code, message, exc.detail), status_code=exc.status, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        code, message, detail = _validation_message(exc, scope_language(request.scope))
        return JSONResponse(_body(code, message, detail), status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        message = HTTP_MESSAGES.get(exc.status_code, ApiError.message)
        return JSONResponse(
            _body(f"http_{exc.status_code}", translate(message, language=scope_language(request.scope))),
            status_code=exc.status_code,
            headers=getattr(exc, "headers", None),
        )

    @app.exception_handler(Exception)
    async def _internal(request: Request, exc: Exception) -> JSONResponse:
        # Runs in ServerErrorMiddleware, outside NegotiateLanguage: the language comes from the
        # request itself.
        log.exception("unhandled error: %s", type(exc).__name__)
        message = translate(INTERNAL_ERROR, language=scope_language(request.scope))
        return JSONResponse(_body("internal_error", message), status_code=500)
