"""Typed errors of the services layer.

Callers decide on the type and on ``code`` (stable, English), never on ``message`` (Chinese,
for the guard). Errors from the server carry its ``error.code`` in ``code`` (and in
``server_code``) and the HTTP status in ``status``.
"""

from __future__ import annotations


class ServiceError(Exception):
    """Something the user can act on; shown as a calm message, never as a crash."""

    default_code = "service_error"
    default_message = "操作失败，请稍后重试"

    def __init__(
        self,
        message: str | None = None,
        *,
        code: str | None = None,
        status: int | None = None,
        server_code: str | None = None,
    ) -> None:
        self.code: str = code or self.default_code
        self.message: str = message or self.default_message
        self.status: int | None = status
        self.server_code: str | None = server_code
        super().__init__(self.message)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, status={self.status!r})"


class OfflineError(ServiceError):
    """The server cannot be reached (connection refused, DNS, timeout)."""

    default_code = "offline"
    default_message = "无法连接服务器，已切换到离线模式"


class ServerBusy(OfflineError):
    """503: the server is up but cannot serve now (its database is away); retry soon.

    An OfflineError for the check (no answer: judge offline this time), but the sync engine
    neither counts it as the station being offline nor shows it as an error: it retries after
    ``retry_after`` seconds (the server's Retry-After, bounded).
    """

    default_code = "server_busy"
    default_message = "服务器繁忙，稍后自动重试"

    def __init__(
        self,
        message: str | None = None,
        *,
        retry_after: float,
        status: int | None = 503,
        server_code: str | None = None,
    ) -> None:
        super().__init__(message, code=self.default_code, status=status, server_code=server_code)
        self.retry_after = retry_after


class SessionExpired(ServiceError):
    """401: the token is missing, expired or revoked; the guard must log in again.

    ``code`` is always "session_expired"; the server's own code is in ``server_code``.
    """

    default_code = "session_expired"
    default_message = "登录已失效，请重新登录"

    def __init__(
        self, message: str | None = None, *, status: int | None = 401, server_code: str | None = None
    ) -> None:
        super().__init__(message, code=self.default_code, status=status, server_code=server_code)


class PermissionDenied(ServiceError):
    """403. ``code`` is the server's reason, e.g. "staff_revoked", "owner_only" ("forbidden" if none)."""

    default_code = "forbidden"
    default_message = "没有权限执行此操作"


class ServerRejected(ServiceError):
    """Any other 4xx (``code`` = the server's), or a 5xx (``code`` = "server_error")."""

    default_code = "server_error"
    default_message = "服务器暂时无法处理请求，请稍后重试"


class InputRejected(ServiceError):
    """A scanned or typed text that is not something to check.

    Codes: "empty", "venue_code_given", "unknown_input", "malformed_code", "too_long",
    "not_ascii", the shoumen_core.identity DocumentErrorCode values (bad_format, bad_length,
    bad_region, bad_birth_date, bad_checksum), and the shoumen_core.codes CodeError codes that
    concern the text itself (bad_signature, unknown_key).
    """

    default_code = "unknown_input"
    default_message = "无法识别的内容，请扫描个人健康码或输入证件号码"

    def __init__(self, message: str | None = None, *, code: str | None = None) -> None:
        super().__init__(message, code=code)


class CacheError(ServiceError):
    """The cache file cannot be used (made by a newer app version, or damaged)."""

    default_code = "cache_error"
    default_message = "本机数据文件无法使用，请联系管理员"
