"""The real SMS providers, through their official SDKs, and a webhook for a government platform.

Chosen by SHOUMEN_SMS_PROVIDER (dev | log | aliyun | tencent | webhook); see SmsSettings for the
rest. Credentials come from the environment or from a file in the key directory, never from
the database and never into a log.

Error answers are mapped to our codes (each an SmsSendError with a Chinese message):

| what the provider said                          | our code                     | HTTP |
|-------------------------------------------------|------------------------------|------|
| throttled (per-number or account flow control)  | sms_provider_throttled       | 429  |
| the number cannot receive / is invalid          | sms_invalid_phone            | 422  |
| bad signature, unknown key, sign/template wrong | sms_provider_misconfigured   | 503  |
| no answer in time                               | sms_provider_timeout         | 503  |
| could not connect                               | sms_provider_unreachable     | 503  |
| anything else                                   | sms_provider_error           | 502  |

Retries: at most SmsSettings.attempts tries in all, and only when the request cannot have
reached the provider (the connection was refused or failed before sending). A time-out after
the request went out, a throttle or a refusal is never retried: the person could get two
messages, and a throttled provider is only made angrier.
"""

from __future__ import annotations

import errno
import hashlib
import hmac
import json
import logging
import os
import socket
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from shoumen_server.sms import PURPOSES, DevSmsGateway, SmsGateway, SmsSendError, masked

if TYPE_CHECKING:
    import httpx

# httpx is imported where a webhook gateway is configured or used, not with this module: every
# server imports this module (app.py), and httpx is ~30 ms of the embedded backend's start.

log = logging.getLogger("shoumen.server.sms")

PROVIDERS = ("dev", "log", "aliyun", "tencent", "webhook")
CREDENTIALS_FILE = "sms_credentials.json"


class SmsConfigError(Exception):
    """The SMS settings cannot work; the message names the setting (English, for the operator)."""


@dataclass(frozen=True)
class SmsSettings:
    provider: str = "dev"
    sign_name: str = ""
    templates: Mapping[str, str] = field(default_factory=dict)  # purpose -> template id/code
    region: str = ""  # Tencent: ap-guangzhou ...; Alibaba: cn-hangzhou ...
    endpoint: str = ""  # provider host (or the webhook URL); empty: the provider's default
    app_id: str = ""  # Tencent's SmsSdkAppId
    timeout_seconds: float = 5.0
    attempts: int = 2
    key_id: str = field(default="", repr=False)
    key_secret: str = field(default="", repr=False)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, key_dir: str | Path | None = None) -> SmsSettings:
        env = os.environ if env is None else env
        provider = env.get("SHOUMEN_SMS_PROVIDER", "dev").strip().lower()
        if provider not in PROVIDERS:
            raise SmsConfigError(f"SHOUMEN_SMS_PROVIDER={provider!r}: choose one of {', '.join(PROVIDERS)}")
        templates = {
            p: env[f"SHOUMEN_SMS_TEMPLATE_{p.upper()}"]
            for p in PURPOSES
            if env.get(f"SHOUMEN_SMS_TEMPLATE_{p.upper()}")
        }
        key_id = env.get("SHOUMEN_SMS_KEY_ID", "")
        key_secret = env.get("SHOUMEN_SMS_KEY_SECRET", "")
        key_dir = key_dir or env.get("SHOUMEN_KEY_DIR")
        if not (key_id and key_secret) and key_dir and (Path(key_dir) / CREDENTIALS_FILE).exists():
            key_id, key_secret = _read_credentials(Path(key_dir) / CREDENTIALS_FILE)
        settings = cls(
            provider=provider,
            sign_name=env.get("SHOUMEN_SMS_SIGN_NAME", ""),
            templates=templates,
            region=env.get("SHOUMEN_SMS_REGION", ""),
            endpoint=env.get("SHOUMEN_SMS_ENDPOINT", ""),
            app_id=env.get("SHOUMEN_SMS_APP_ID", ""),
            timeout_seconds=float(env.get("SHOUMEN_SMS_TIMEOUT", "5")),
            attempts=max(1, min(3, int(env.get("SHOUMEN_SMS_ATTEMPTS", "2")))),
            key_id=key_id,
            key_secret=key_secret,
        )
        settings.check()
        return settings

    @property
    def is_real(self) -> bool:
        return self.provider not in ("dev", "log")

    def check(self) -> None:
        """Every setting the chosen provider needs is there."""
        if not self.is_real:
            return
        missing = []
        if self.provider in ("aliyun", "tencent"):
            if not self.sign_name:
                missing.append("SHOUMEN_SMS_SIGN_NAME")
            if not (self.key_id and self.key_secret):
                missing.append(
                    f"SHOUMEN_SMS_KEY_ID/SHOUMEN_SMS_KEY_SECRET (or {CREDENTIALS_FILE} in the key directory)"
                )
        if self.provider == "tencent" and not self.app_id:
            missing.append("SHOUMEN_SMS_APP_ID")
        if self.provider == "webhook":
            if not self.endpoint.startswith("https://") and not _loopback_http(self.endpoint):
                missing.append("SHOUMEN_SMS_ENDPOINT (an https:// URL)")
            if not self.key_secret:
                missing.append("SHOUMEN_SMS_KEY_SECRET (the webhook's shared secret)")
        missing += [f"SHOUMEN_SMS_TEMPLATE_{p.upper()}" for p in PURPOSES if p not in self.templates]
        if missing:
            raise SmsConfigError(f"SMS provider {self.provider!r} needs: {'; '.join(missing)}")


def _loopback_http(url: str) -> bool:
    import httpx

    host = httpx.URL(url).host if url.startswith("http://") else ""
    return host in ("127.0.0.1", "localhost", "::1")


def _read_credentials(path: Path) -> tuple[str, str]:
    if path.stat().st_mode & 0o077:
        raise SmsConfigError(f"{path} is readable by others: chmod 600 {path}")
    data = json.loads(path.read_text("utf-8"))
    return str(data.get("key_id", "")), str(data.get("key_secret", ""))


def build_gateway(settings: SmsSettings) -> SmsGateway:
    if settings.provider == "aliyun":
        return AliyunSmsGateway(settings)
    if settings.provider == "tencent":
        return TencentSmsGateway(settings)
    if settings.provider == "webhook":
        return WebhookSmsGateway(settings)
    return DevSmsGateway(log_codes=settings.provider == "log")


# ---- errors shared by the adapters ------------------------------------------------------------


def throttled(provider_code: str) -> SmsSendError:
    return SmsSendError("短信发送过于频繁，请稍后再试", code="sms_provider_throttled", status=429,
                        provider_code=provider_code)  # fmt: skip


def invalid_phone(provider_code: str) -> SmsSendError:
    return SmsSendError("该手机号码无法接收短信，请核对号码", code="sms_invalid_phone", status=422,
                        provider_code=provider_code)  # fmt: skip


def misconfigured(provider_code: str) -> SmsSendError:
    return SmsSendError("短信服务配置有误，请联系系统管理员", code="sms_provider_misconfigured", status=503,
                        provider_code=provider_code)  # fmt: skip


def timed_out() -> SmsSendError:
    return SmsSendError("短信服务暂时无响应，请稍后再试", code="sms_provider_timeout", status=503)


def unreachable() -> SmsSendError:
    return SmsSendError("暂时无法连接短信服务，请稍后再试", code="sms_provider_unreachable", status=503,
                        retryable=True)  # fmt: skip


def other(provider_code: str) -> SmsSendError:
    return SmsSendError(provider_code=provider_code)


def _network_error(exc: BaseException) -> SmsSendError:
    """A transport failure, told apart by what it means for a retry."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        text = f"{type(current).__name__} {current}".lower()
        if isinstance(current, ConnectionRefusedError) or "connection refused" in text or (
            isinstance(current, OSError) and current.errno in (errno.ECONNREFUSED, errno.EHOSTUNREACH, errno.ENETUNREACH)
        ):  # fmt: skip
            return unreachable()
        if isinstance(current, TimeoutError | socket.timeout) or "timed out" in text or "timeout" in text:
            return timed_out()
        current = current.__cause__ or current.__context__
    return other("network")


class _Adapter(ABC):
    """The retry loop and the log line every provider shares."""

    name = ""

    def __init__(self, settings: SmsSettings, sleep: Callable[[float], None] = time.sleep) -> None:
        self.settings = settings
        self.attempts_made = 0  # for tests and metrics: tries of the last send
        self._sleep = sleep

    def send_code(self, phone: str, code: str, purpose: str = "login") -> None:
        template = self.settings.templates.get(purpose)
        if template is None:
            raise misconfigured(f"no template for {purpose}")
        self.attempts_made = 0
        for attempt in range(1, self.settings.attempts + 1):
            self.attempts_made = attempt
            try:
                self._send(phone, code, template)
            except SmsSendError as exc:
                if exc.retryable and attempt < self.settings.attempts:
                    self._sleep(0.2 * attempt)
                    continue
                log.warning("%s SMS to %s failed: %s (provider code %s, try %d)",
                            self.name, masked(phone), exc.code, exc.provider_code or "-", attempt)  # fmt: skip
                raise
            log.info("%s SMS: %s code sent to %s", self.name, purpose, masked(phone))
            return

    @abstractmethod
    def _send(self, phone: str, code: str, template: str) -> None:
        """One try at the provider; raises SmsSendError."""


# ---- Alibaba Cloud (dysmsapi 2017-05-25) ---------------------------------------------------------

_ALIYUN_THROTTLED = {"isv.BUSINESS_LIMIT_CONTROL", "Throttling.User", "Throttling", "isv.DAY_LIMIT_CONTROL"}
_ALIYUN_BAD_PHONE = {
    "isv.MOBILE_NUMBER_ILLEGAL",
    "isv.MOBILE_COUNT_OVER_LIMIT",
    "isv.BLACK_KEY_CONTROL_LIMIT",
}
_ALIYUN_CONFIG = {
    "SignatureDoesNotMatch", "InvalidAccessKeyId.NotFound", "InvalidAccessKeyId.Inactive",
    "isv.SMS_SIGNATURE_ILLEGAL", "isv.SMS_TEMPLATE_ILLEGAL", "isv.SMS_SIGN_ILLEGAL",
    "isv.TEMPLATE_MISSING_PARAMETERS", "Forbidden.RAM", "isp.RAM_PERMISSION_DENY",
}  # fmt: skip


def aliyun_error(provider_code: str) -> SmsSendError:
    if provider_code in _ALIYUN_THROTTLED:
        return throttled(provider_code)
    if provider_code in _ALIYUN_BAD_PHONE:
        return invalid_phone(provider_code)
    if provider_code in _ALIYUN_CONFIG:
        return misconfigured(provider_code)
    return other(provider_code)


class AliyunSmsGateway(_Adapter):
    name = "aliyun"

    def __init__(self, settings: SmsSettings, sleep: Callable[[float], None] = time.sleep) -> None:
        super().__init__(settings, sleep)
        from alibabacloud_dysmsapi20170525.client import Client
        from alibabacloud_tea_openapi.models import Config

        endpoint = settings.endpoint or "dysmsapi.aliyuncs.com"
        protocol = "http" if endpoint.startswith("http://") else "https"
        config = Config(
            access_key_id=settings.key_id,
            access_key_secret=settings.key_secret,
            endpoint=endpoint.removeprefix("http://").removeprefix("https://"),
            protocol=protocol,
            region_id=settings.region or "cn-hangzhou",
            connect_timeout=int(settings.timeout_seconds * 1000),
            read_timeout=int(settings.timeout_seconds * 1000),
        )
        self._client = Client(config)

    def _send(self, phone: str, code: str, template: str) -> None:
        from alibabacloud_dysmsapi20170525.models import SendSmsRequest
        from alibabacloud_tea_util.models import RuntimeOptions

        request = SendSmsRequest(
            phone_numbers=phone,
            sign_name=self.settings.sign_name,
            template_code=template,
            template_param=json.dumps({"code": code}),
        )
        runtime = RuntimeOptions(autoretry=False, max_attempts=1,
                                 connect_timeout=int(self.settings.timeout_seconds * 1000),
                                 read_timeout=int(self.settings.timeout_seconds * 1000))  # fmt: skip
        try:
            response = self._client.send_sms_with_options(request, runtime)
        except Exception as exc:
            provider_code = str(getattr(exc, "code", "") or "")
            if provider_code and not provider_code.lower().startswith(("read", "connect", "timeout")):
                raise aliyun_error(provider_code) from None
            raise _network_error(exc) from None
        body = response.body
        if body is None or body.code != "OK":
            raise aliyun_error(str(getattr(body, "code", "") or "empty"))


# ---- Tencent Cloud (sms 2021-01-11) ------------------------------------------------------------------

_TENCENT_THROTTLED_PREFIXES = ("LimitExceeded.", "RequestLimitExceeded")
_TENCENT_BAD_PHONE = {
    "InvalidParameterValue.IncorrectPhoneNumber", "FailedOperation.PhoneNumberInBlacklist",
    "UnsupportedOperation.ContainDomesticAndInternationalPhoneNumber", "FailedOperation.PhoneNumberParseFail",
}  # fmt: skip
_TENCENT_CONFIG_PREFIXES = ("AuthFailure.", "FailedOperation.SignatureIncorrectOrUnapproved",
                            "FailedOperation.TemplateIncorrectOrUnapproved", "UnauthorizedOperation.",
                            "InvalidParameterValue.TemplateParameterFormatError")  # fmt: skip


def tencent_error(provider_code: str) -> SmsSendError:
    if provider_code.startswith(_TENCENT_THROTTLED_PREFIXES):
        return throttled(provider_code)
    if provider_code in _TENCENT_BAD_PHONE:
        return invalid_phone(provider_code)
    if provider_code.startswith(_TENCENT_CONFIG_PREFIXES):
        return misconfigured(provider_code)
    return other(provider_code)


class TencentSmsGateway(_Adapter):
    name = "tencent"

    def __init__(self, settings: SmsSettings, sleep: Callable[[float], None] = time.sleep) -> None:
        super().__init__(settings, sleep)
        from tencentcloud.common.credential import Credential
        from tencentcloud.common.profile.client_profile import ClientProfile
        from tencentcloud.common.profile.http_profile import HttpProfile
        from tencentcloud.sms.v20210111.sms_client import SmsClient

        endpoint = settings.endpoint or "sms.tencentcloudapi.com"
        http = HttpProfile(
            protocol="http" if endpoint.startswith("http://") else "https",
            endpoint=endpoint.removeprefix("http://").removeprefix("https://"),
            reqTimeout=max(1, round(settings.timeout_seconds)),
        )
        self._client = SmsClient(
            Credential(settings.key_id, settings.key_secret),
            settings.region or "ap-guangzhou",
            ClientProfile(httpProfile=http),
        )

    def _send(self, phone: str, code: str, template: str) -> None:
        from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
        from tencentcloud.sms.v20210111.models import SendSmsRequest

        request = SendSmsRequest()
        request.SmsSdkAppId = self.settings.app_id
        request.SignName = self.settings.sign_name
        request.TemplateId = template
        request.TemplateParamSet = [code]
        request.PhoneNumberSet = [f"+86{phone}"]
        try:
            response = self._client.SendSms(request)
        except TencentCloudSDKException as exc:
            provider_code = str(exc.get_code() or "")
            if provider_code == "ClientNetworkError":
                raise _network_error(exc) from None
            raise tencent_error(provider_code) from None
        except Exception as exc:  # the SDK lets some transport errors through unwrapped
            raise _network_error(exc) from None
        statuses: list[Any] = list(response.SendStatusSet or [])
        status_code = str(statuses[0].Code) if statuses else "empty"
        if status_code != "Ok":
            raise tencent_error(status_code)


# ---- a government SMS platform's webhook ------------------------------------------------------------


class WebhookSmsGateway(_Adapter):
    """POST {"phone", "template", "sign_name", "params": {"code"}} as JSON, signed with the shared
    secret: X-Shoumen-Timestamp and X-Shoumen-Signature = hex HMAC-SHA256(secret, timestamp + "." +
    body). 2xx = sent; 429 = throttled; 422 / 400 with {"error": "invalid_phone"} = bad number;
    401 / 403 = misconfigured."""

    name = "webhook"

    def __init__(self, settings: SmsSettings, sleep: Callable[[float], None] = time.sleep) -> None:
        super().__init__(settings, sleep)
        import httpx

        timeout = httpx.Timeout(settings.timeout_seconds, connect=min(3.0, settings.timeout_seconds))
        self._client = httpx.Client(timeout=timeout)

    def _send(self, phone: str, code: str, template: str) -> None:
        import httpx  # imported by __init__ already

        body = json.dumps(
            {
                "phone": phone,
                "template": template,
                "sign_name": self.settings.sign_name,
                "params": {"code": code},
            },
            ensure_ascii=False,
        ).encode("utf-8")
        stamp = str(int(time.time()))
        signature = hmac.new(self.settings.key_secret.encode(), stamp.encode() + b"." + body, hashlib.sha256)
        headers = {"Content-Type": "application/json", "X-Shoumen-Timestamp": stamp,
                   "X-Shoumen-Signature": signature.hexdigest()}  # fmt: skip
        try:
            response = self._client.post(self.settings.endpoint, content=body, headers=headers)
        except httpx.ConnectError:
            raise unreachable() from None
        except httpx.TimeoutException:
            raise timed_out() from None
        except httpx.HTTPError as exc:
            raise _network_error(exc) from None
        if response.is_success:
            return
        provider_code = f"http_{response.status_code}"
        if response.status_code == 429:
            raise throttled(provider_code)
        if response.status_code in (401, 403):
            raise misconfigured(provider_code)
        if response.status_code in (400, 422) and _json_field(response, "error") == "invalid_phone":
            raise invalid_phone(provider_code)
        raise other(provider_code)


def _json_field(response: httpx.Response, name: str) -> str:
    try:
        data = response.json()
    except ValueError:
        return ""
    return str(data.get(name, "")) if isinstance(data, dict) else ""
