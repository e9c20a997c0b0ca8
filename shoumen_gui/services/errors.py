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


class CertificateUntrusted(OfflineError):
    """The server's TLS certificate did not verify against the CA the app trusts (a wrong or
    missing `--ca`/`ca_file`, a certificate for another name, an expired one, or someone in
    between). Nothing was sent. An OfflineError for the check (no answer: judge offline), but
    no lost packet: the sync engine shows it at once instead of after three failures, and it is
    never retried without verification (services/tls.py)."""

    default_code = "certificate_untrusted"
    default_message = (
        "服务器证书不受信任，已拒绝连接：证书不是由本机配置的证书颁发机构（CA）签发的。"
        "请检查 CA 文件（--ca 或设置中的 CA 文件）和服务器地址，或联系管理员。"
    )


class CaFileError(ServiceError):
    """The CA file named by `--ca` or the `ca_file` setting cannot be used (missing, unreadable,
    no PEM certificate in it): a start-up message, not a traceback (app.py)."""

    default_code = "ca_file_unusable"
    default_message = "证书颁发机构（CA）文件无法使用"

    def __init__(self, message: str | None = None, *, code: str | None = None, path: str = "") -> None:
        super().__init__(message, code=code)
        self.path = path  # the UI words the message in the app's language with it (ui/texts.py)


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


class RateLimited(ServerRejected):
    """429: the server refuses for now because of a rate limit (``code`` = the server's, e.g.
    "lookup_rate_limited"); the station is online and nothing is wrong with the input."""

    default_code = "rate_limited"
    default_message = "操作过于频繁，请稍后再试"


class InputRejected(ServiceError):
    """A scanned or typed text that is not something to check.

    Codes: "empty", "venue_code_given", "web_address", "not_health_code" (a scanned text of
    letters and digits that is no document), "unknown_input", "malformed_code", "too_long",
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


class StorageError(ServiceError):
    """The device's own storage refused a write: nothing was saved, so nothing may be shown as
    decided (DESIGN §2: a check is committed before it is shown). Not a bug: never the crash
    handler. Subclasses name the cause; ``message`` tells the guard what to do."""

    default_code = "storage_error"
    default_message = "无法保存：本机存储出错，请人工核验并联系管理员"
    held = 0  # set by CheckService: checks of this run waiting in memory for the disk


class StorageFull(StorageError):
    default_code = "storage_full"
    default_message = "无法保存：本机存储已满，请人工核验并联系管理员"


class StorageReadOnly(StorageError):
    default_code = "storage_read_only"
    default_message = "无法保存：本机数据目录只读，请人工核验并联系管理员"


class StorageIOError(StorageError):
    default_code = "storage_io_error"
    default_message = "无法保存：本机存储读写故障，请人工核验并联系管理员"


# SQLite's primary result codes (the low byte of an extended code such as SQLITE_IOERR_WRITE).
_SQLITE_READONLY, _SQLITE_IOERR, _SQLITE_FULL = 8, 10, 13
_BY_SQLITE_CODE: dict[int, type[StorageError]] = {
    _SQLITE_FULL: StorageFull,
    _SQLITE_READONLY: StorageReadOnly,
    _SQLITE_IOERR: StorageIOError,
}
# errno values of OSError (and of an sqlite3 error's message on old builds without codes).
_ENOSPC, _EDQUOT, _EROFS, _EIO = 28, 122, 30, 5
_BY_ERRNO: dict[int, type[StorageError]] = {
    _ENOSPC: StorageFull,
    _EDQUOT: StorageFull,
    _EROFS: StorageReadOnly,
    _EIO: StorageIOError,
}
_BY_SQLITE_MESSAGE: tuple[tuple[str, type[StorageError]], ...] = (
    ("database or disk is full", StorageFull),
    ("readonly database", StorageReadOnly),
    ("disk i/o error", StorageIOError),
)


def storage_error(exc: BaseException) -> StorageError | None:
    """The typed storage error behind an sqlite3 error or an OSError, or None when it is
    something else (a damaged file, a locked database, a bug), which keeps its own path.

    SQLite's result code decides (Python 3.11 carries it on the exception); the message is
    matched only when a build gives no code, errno only for OSError."""
    code = getattr(exc, "sqlite_errorcode", None)
    if isinstance(code, int):
        kind = _BY_SQLITE_CODE.get(code & 0xFF)
        return kind() if kind is not None else None
    errno = getattr(exc, "errno", None)
    if isinstance(exc, OSError) and isinstance(errno, int):
        kind = _BY_ERRNO.get(errno)
        return kind() if kind is not None else None
    text = str(exc).lower()
    for needle, kind in _BY_SQLITE_MESSAGE:
        if needle in text:
            return kind()
    return None
