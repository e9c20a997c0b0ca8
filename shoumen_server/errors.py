"""API errors: every non-2xx answer is `{"error": {"code", "message"}}` with a stable code
and a Chinese message."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy import exc as sa_exc
from starlette.exceptions import HTTPException as StarletteHTTPException

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
    ) -> None:
        self.message = message or type(self).message
        self.code = code or type(self).code
        self.status = status or type(self).status
        self.detail = detail
        super().__init__(self.message)


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


def _validation_message(exc: RequestValidationError) -> tuple[str, str, dict[str, object]]:
    """(code, Chinese message, detail) for a request that failed schema validation."""
    errors = exc.errors()
    fields: list[str] = []
    for err in errors:
        loc = [str(part) for part in err.get("loc", ()) if part not in ("body", "query", "path")]
        fields.append(".".join(loc))
    first = fields[0].split(".")[-1] if fields else ""
    label = _FIELD_NAMES.get(first, first)
    message = f"请求参数有误：{label}" if label else "请求参数有误"
    code = "invalid_request"
    batch_fields = ("checks", "anomalies")
    if any(
        err.get("type") == "too_long" and any(f in err.get("loc", ()) for f in batch_fields) for err in errors
    ):
        code, message = "batch_too_large", "一次提交的记录过多（最多 500 条）"
    return code, message, {"fields": fields[:20]}


def database_unavailable_response() -> JSONResponse:
    return JSONResponse(
        _body(DatabaseUnavailable.code, DatabaseUnavailable.message),
        status_code=DatabaseUnavailable.status,
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


def install_error_handlers(app: FastAPI, outage: OutageLog) -> None:
    # Registered for these classes (not only under `Exception`) so Starlette's
    # ExceptionMiddleware answers them: the catch-all handler runs in ServerErrorMiddleware,
    # which re-raises after answering — uvicorn then logs a traceback and drops the
    # keep-alive connection, once per request during an outage.
    async def _database(_request: Request, exc: Exception) -> JSONResponse:
        if is_database_unavailable(exc):
            outage.failed(exc)
            return database_unavailable_response()
        log.exception("database error: %s", type(exc).__name__)
        return JSONResponse(_body("internal_error", "服务器内部错误，请稍后重试"), status_code=500)

    app.add_exception_handler(sa_exc.DBAPIError, _database)
    app.add_exception_handler(sa_exc.TimeoutError, _database)

    @app.exception_handler(ApiError)
    async def _api_error(_request: Request, exc: ApiError) -> JSONResponse:
        # Said like the outage handler's answer: when to retry.
        headers = {"Retry-After": str(RETRY_AFTER_SECONDS)} if isinstance(exc, DatabaseUnavailable) else None
        return JSONResponse(_body(exc.code, exc.message, exc.detail), status_code=exc.status, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(_request: Request, exc: RequestValidationError) -> JSONResponse:
        code, message, detail = _validation_message(exc)
        return JSONResponse(_body(code, message, detail), status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        messages = {404: "接口不存在", 405: "请求方法不支持", 401: "请先登录"}
        return JSONResponse(
            _body(f"http_{exc.status_code}", messages.get(exc.status_code, "请求有误")),
            status_code=exc.status_code,
            headers=getattr(exc, "headers", None),
        )

    @app.exception_handler(Exception)
    async def _internal(_request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error: %s", type(exc).__name__)
        return JSONResponse(_body("internal_error", "服务器内部错误，请稍后重试"), status_code=500)
