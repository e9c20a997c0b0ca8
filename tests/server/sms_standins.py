"""Local stand-ins of the SMS providers' HTTP APIs, for the official SDKs to talk to.

Each one checks the request's signature with the secret it was given (as the provider does:
a wrong secret gets the provider's signature error), records what the SDK sent (action,
phone, template, parameters), and answers as the provider answers: a success, or the error
the test scripted for the next request (`fail_next`), or no answer for a while (`stall_next`).
The answers' shapes follow the providers' API references (Alibaba Cloud dysmsapi 2017-05-25
SendSms, RPC style with ACS3-HMAC-SHA256; Tencent Cloud sms 2021-01-11 SendSms, TC3-HMAC-SHA256).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
import urllib.parse
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Recorded:
    action: str
    phone: str
    sign_name: str
    template: str
    params: list[str]
    raw: dict[str, Any] = field(default_factory=dict)


class _StandIn(ABC):
    content_type = "application/json;charset=utf-8"

    def __init__(self, key_id: str, key_secret: str) -> None:
        self.key_id = key_id
        self.key_secret = key_secret
        self.requests: list[Recorded] = []
        self.hits = 0  # every request, signed right or not
        self._fail: list[str] = []
        self._stall = 0.0
        self._lock = threading.Lock()
        handler = type("Handler", (_Handler,), {"standin": self})
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.server.daemon_threads = True
        self.port = int(self.server.server_address[1])
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    def fail_next(self, provider_code: str) -> None:
        with self._lock:
            self._fail.append(provider_code)

    def stall_next(self, seconds: float) -> None:
        self._stall = seconds

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _take_failure(self) -> str | None:
        with self._lock:
            return self._fail.pop(0) if self._fail else None

    @abstractmethod
    def handle(self, handler: _Handler, body: bytes) -> tuple[int, dict[str, Any]]:
        """(HTTP status, JSON answer) in the provider's own shape."""


class _Handler(BaseHTTPRequestHandler):
    standin: _StandIn

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.standin.hits += 1
        stall, self.standin._stall = self.standin._stall, 0.0
        if stall:
            time.sleep(stall)
        status, answer = self.standin.handle(self, body)
        data = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("Content-Type", self.standin.content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        pass


# ---- Alibaba Cloud ---------------------------------------------------------------------------


def _quote(value: str) -> str:
    return urllib.parse.quote(value, safe="~")


class AliyunStandIn(_StandIn):
    """dysmsapi.aliyuncs.com: POST / with the action in x-acs-action and the parameters in the
    query string; Authorization: ACS3-HMAC-SHA256 Credential=...,SignedHeaders=...,Signature=..."""

    def handle(self, handler: _Handler, body: bytes) -> tuple[int, dict[str, Any]]:
        request_id = f"req-{self.hits}"
        url = urllib.parse.urlsplit(handler.path)
        query = dict(urllib.parse.parse_qsl(url.query, keep_blank_values=True))
        if not self._signature_ok(handler, url.path or "/", query, body):
            return 400, {"Code": "SignatureDoesNotMatch", "Message": "Specified signature is not matched with our calculation.",
                         "RequestId": request_id}  # fmt: skip
        self.requests.append(
            Recorded(
                action=handler.headers.get("x-acs-action", ""),
                phone=query.get("PhoneNumbers", ""),
                sign_name=query.get("SignName", ""),
                template=query.get("TemplateCode", ""),
                params=list(json.loads(query.get("TemplateParam", "{}")).values()),
                raw=query,
            )
        )
        failure = self._take_failure()
        if failure is not None:
            # Business errors come back as 200 with a Code other than OK.
            return 200, {"Code": failure, "Message": failure, "RequestId": request_id}
        return 200, {"Code": "OK", "Message": "OK", "BizId": f"biz-{self.hits}", "RequestId": request_id}

    def _signature_ok(self, handler: _Handler, path: str, query: dict[str, str], body: bytes) -> bool:
        auth = handler.headers.get("Authorization", "")
        algorithm, _, rest = auth.partition(" ")
        parts = dict(item.split("=", 1) for item in rest.split(",") if "=" in item)
        if algorithm != "ACS3-HMAC-SHA256" or parts.get("Credential") != self.key_id:
            return False
        signed = parts.get("SignedHeaders", "").split(";")
        headers = "".join(f"{name}:{(handler.headers.get(name) or '').strip()}\n" for name in signed)
        canonical_query = "&".join(f"{k}={_quote(query[k])}" for k in sorted(query))
        payload = handler.headers.get("x-acs-content-sha256") or hashlib.sha256(body).hexdigest()
        canonical = f"POST\n{path}\n{canonical_query}\n{headers}\n{';'.join(signed)}\n{payload}"
        to_sign = f"ACS3-HMAC-SHA256\n{hashlib.sha256(canonical.encode()).hexdigest()}"
        expected = hmac.new(self.key_secret.encode(), to_sign.encode(), hashlib.sha256).hexdigest()
        return hmac.compare_digest(expected, parts.get("Signature", ""))


# ---- Tencent Cloud ---------------------------------------------------------------------------


def _tc3_key(secret: str, date: str, service: str) -> bytes:
    k_date = hmac.new(("TC3" + secret).encode(), date.encode(), hashlib.sha256).digest()
    k_service = hmac.new(k_date, service.encode(), hashlib.sha256).digest()
    return hmac.new(k_service, b"tc3_request", hashlib.sha256).digest()


class TencentStandIn(_StandIn):
    """sms.tencentcloudapi.com: POST / with a JSON body, X-TC-Action and TC3-HMAC-SHA256."""

    content_type = "application/json"  # exactly: the SDK reads Error answers only under this type

    def handle(self, handler: _Handler, body: bytes) -> tuple[int, dict[str, Any]]:
        request_id = f"req-{self.hits}"

        def error(code: str, message: str) -> tuple[int, dict[str, Any]]:
            return 200, {"Response": {"Error": {"Code": code, "Message": message}, "RequestId": request_id}}

        if not self._signature_ok(handler, body):
            return error("AuthFailure.SignatureFailure", "The provided credentials could not be validated.")
        data = json.loads(body or b"{}")
        phones = data.get("PhoneNumberSet") or [""]
        self.requests.append(
            Recorded(
                action=handler.headers.get("X-TC-Action", ""),
                phone=phones[0],
                sign_name=data.get("SignName", ""),
                template=data.get("TemplateId", ""),
                params=list(data.get("TemplateParamSet") or []),
                raw=data,
            )
        )
        failure = self._take_failure()
        if failure is not None and not failure.startswith("send:"):
            return error(failure, failure)
        code = failure.removeprefix("send:") if failure else "Ok"
        status = {"SerialNo": f"serial-{self.hits}", "PhoneNumber": phones[0], "Fee": 1, "SessionContext": "",
                  "Code": code, "Message": "send success" if code == "Ok" else code, "IsoCode": "CN"}  # fmt: skip
        return 200, {"Response": {"SendStatusSet": [status], "RequestId": request_id}}

    def _signature_ok(self, handler: _Handler, body: bytes) -> bool:
        auth = handler.headers.get("Authorization", "")
        algorithm, _, rest = auth.partition(" ")
        parts = dict(item.strip().split("=", 1) for item in rest.split(",") if "=" in item)
        key_id, date, service, _ = (parts.get("Credential", "") + "///").split("/", 3)
        if algorithm != "TC3-HMAC-SHA256" or key_id != self.key_id:
            return False
        signed = parts.get("SignedHeaders", "")
        headers = "".join(
            f"{name}:{(handler.headers.get(name) or '').strip()}\n" for name in signed.split(";")
        )
        canonical = f"POST\n/\n\n{headers}\n{signed}\n{hashlib.sha256(body).hexdigest()}"
        to_sign = (
            f"TC3-HMAC-SHA256\n{handler.headers.get('X-TC-Timestamp', '')}\n{date}/{service}/tc3_request\n"
            f"{hashlib.sha256(canonical.encode()).hexdigest()}"
        )
        expected = hmac.new(
            _tc3_key(self.key_secret, date, service), to_sign.encode(), hashlib.sha256
        ).hexdigest()
        return hmac.compare_digest(expected, parts.get("Signature", ""))
