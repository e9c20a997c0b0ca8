"""Which certificates the app trusts for its server, and what a refused certificate means.

A county's server usually carries a certificate from the government's own CA, which no
station trusts out of the box. `shoumen --ca FILE` (or the `ca_file` setting) names that CA's
PEM bundle; it then *replaces* the default roots for every connection to the server (API,
sync, probes, export, kiosk unlock), so a certificate from any other CA — a public one
included — is refused. Without it the default roots (certifi) are used.

There is no "continue anyway": a certificate that does not verify is a typed error with words
for the guard (errors.CertificateUntrusted), never a retry without verification.
"""

from __future__ import annotations

import ssl
from functools import cache
from pathlib import Path
from typing import Final

from shoumen_gui.services.errors import CaFileError, CertificateUntrusted

# What httpx's `verify=` takes: True (the default roots) or a context holding our CA.
Verify = ssl.SSLContext | bool

# OpenSSL's X509_V_ERR_* values on ssl.SSLCertVerificationError.verify_code.
_CERT_NOT_YET_VALID: Final = 9
_CERT_HAS_EXPIRED: Final = 10
_HOSTNAME_MISMATCH: Final = 62
_IP_ADDRESS_MISMATCH: Final = 64


def server_verify(ca_file: str | Path | None) -> Verify:
    """The `verify=` for clients of the server: the default roots, or only the CA in `ca_file`.

    Raises CaFileError (words naming the file and what is wrong) when the file is missing,
    unreadable or holds no certificate: the app says so at start-up instead of failing every
    request later with a handshake error."""
    if ca_file is None or str(ca_file) == "":
        return True
    path = Path(ca_file).expanduser()
    if not path.exists():
        raise CaFileError(f"找不到证书颁发机构（CA）文件：{path}", code="ca_file_missing", path=str(path))
    if not path.is_file():
        raise CaFileError(
            f"证书颁发机构（CA）文件不是普通文件：{path}", code="ca_file_unreadable", path=str(path)
        )
    try:
        return ssl.create_default_context(cafile=str(path))
    except OSError as exc:  # PermissionError and the like (ssl.SSLError is an OSError: below)
        if isinstance(exc, ssl.SSLError):
            raise CaFileError(
                f"证书颁发机构（CA）文件中没有可用的 PEM 证书：{path}", code="ca_file_invalid", path=str(path)
            ) from exc
        raise CaFileError(
            f"无法读取证书颁发机构（CA）文件：{path}", code="ca_file_unreadable", path=str(path)
        ) from exc


def for_url(base_url: str, verify: Verify) -> Verify:
    """What a client of `base_url` passes as httpx's `verify=`: `verify` for an https server.

    A plain-http server (the embedded backend on loopback, a gate relay on the LAN) asks for no
    certificate, yet httpx would read and parse the whole default bundle (certifi: 50–85 ms
    here) for every client it makes — the session's client is made on the GUI thread, on the
    start's path. Such a client gets a context that trusts no CA instead: building it reads
    nothing, and should TLS turn up on that connection after all, nothing verifies (refused,
    never trusted by default)."""
    if base_url.lower().startswith("http://"):
        return _trusts_nothing()
    return verify


@cache
def _trusts_nothing() -> ssl.SSLContext:
    return ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # verifies certificates and names; no roots


def certificate_error(exc: BaseException) -> CertificateUntrusted | None:
    """The typed error when `exc` (an httpx transport error) was a refused server certificate,
    else None. httpx wraps httpcore's error, which wraps the ssl module's: walk the chain."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, ssl.SSLCertVerificationError):
            return _untrusted(current.verify_code)
        current = current.__cause__ or current.__context__
    return None


def _untrusted(verify_code: int) -> CertificateUntrusted:
    if verify_code in (_HOSTNAME_MISMATCH, _IP_ADDRESS_MISMATCH):
        return CertificateUntrusted(
            "服务器证书与服务器地址不符，已拒绝连接。请核对服务器地址，或联系管理员。",
            code="certificate_name_mismatch",
        )
    if verify_code in (_CERT_HAS_EXPIRED, _CERT_NOT_YET_VALID):
        return CertificateUntrusted(
            "服务器证书已过期或尚未生效，已拒绝连接。请检查本机日期时间，或联系管理员。",
            code="certificate_expired",
        )
    return CertificateUntrusted()
