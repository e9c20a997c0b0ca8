"""The real SMS providers: each official SDK against a local stand-in of its provider's HTTP API
(tests/server/sms_standins.py), and the webhook against a local HTTPS-less receiver.

Checked: what the SDK sends (action, phone, sign name, the template of the purpose, the code as
the template's parameter); that a code sent through the provider logs a guard in through the
API; that the provider's error answers (throttled, invalid number, bad signature, time-out) map
to our codes and Chinese messages; that only what cannot have been sent is retried; and that a
non-demo server refuses to start on the development gateway.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from threading import Thread
from typing import Any

import pytest
from fastapi.testclient import TestClient

from shoumen_server.app import create_app
from shoumen_server.settings import ServerSettings
from shoumen_server.sms import SmsSendError
from shoumen_server.sms_providers import (
    AliyunSmsGateway,
    SmsConfigError,
    SmsSettings,
    TencentSmsGateway,
    WebhookSmsGateway,
)
from tests.ports import free_port
from tests.server.conftest import FakeClock, key_provider
from tests.server.sms_standins import AliyunStandIn, TencentStandIn

GUARD = "13900000002"
TEMPLATES = {"login": "SMS_LOGIN_1", "visitor": "SMS_VISIT_2"}


@pytest.fixture
def aliyun() -> Iterator[AliyunStandIn]:
    standin = AliyunStandIn("LTAI-test-id", "aliyun-test-secret")
    yield standin
    standin.close()


@pytest.fixture
def tencent() -> Iterator[TencentStandIn]:
    standin = TencentStandIn("AKID-test-id", "tencent-test-secret")
    yield standin
    standin.close()


def aliyun_settings(standin: AliyunStandIn, **changes: Any) -> SmsSettings:
    fields: dict[str, Any] = {
        "provider": "aliyun", "sign_name": "守小门", "templates": TEMPLATES, "endpoint": standin.endpoint,
        "key_id": standin.key_id, "key_secret": standin.key_secret, "timeout_seconds": 2.0,
    }  # fmt: skip
    return SmsSettings(**(fields | changes))


def tencent_settings(standin: TencentStandIn, **changes: Any) -> SmsSettings:
    fields: dict[str, Any] = {
        "provider": "tencent", "sign_name": "守小门", "templates": {"login": "1001", "visitor": "1002"},
        "endpoint": standin.endpoint, "app_id": "1400000001", "region": "ap-guangzhou",
        "key_id": standin.key_id, "key_secret": standin.key_secret, "timeout_seconds": 1.0,
    }  # fmt: skip
    return SmsSettings(**(fields | changes))


# ---- what the SDKs send ------------------------------------------------------------------------


def test_aliyun_sdk_sends_sendsms_with_the_purpose_template_and_the_code(aliyun: AliyunStandIn) -> None:
    gateway = AliyunSmsGateway(aliyun_settings(aliyun))
    gateway.send_code(GUARD, "123456", "login")
    gateway.send_code(GUARD, "654321", "visitor")
    first, second = aliyun.requests
    assert (first.action, first.phone, first.sign_name, first.template) == (
        "SendSms",
        GUARD,
        "守小门",
        "SMS_LOGIN_1",
    )
    assert json.loads(first.raw["TemplateParam"]) == {"code": "123456"}
    assert (second.template, second.params) == ("SMS_VISIT_2", ["654321"])


def test_tencent_sdk_sends_sendsms_with_the_app_template_and_the_code(tencent: TencentStandIn) -> None:
    TencentSmsGateway(tencent_settings(tencent)).send_code(GUARD, "123456", "visitor")
    [sent] = tencent.requests
    assert (sent.action, sent.phone, sent.sign_name, sent.template) == (
        "SendSms",
        "+8613900000002",
        "守小门",
        "1002",
    )
    assert sent.params == ["123456"]
    assert sent.raw["SmsSdkAppId"] == "1400000001"


@pytest.mark.parametrize("provider", ["aliyun", "tencent"])
def test_a_code_sent_through_the_provider_logs_the_guard_in(
    provider: str, aliyun: AliyunStandIn, tencent: TencentStandIn, database_url: str
) -> None:
    gateway = (
        AliyunSmsGateway(aliyun_settings(aliyun))
        if provider == "aliyun"
        else TencentSmsGateway(tencent_settings(tencent))
    )
    standin = aliyun if provider == "aliyun" else tencent
    settings = ServerSettings(
        database_url=database_url,
        key_dir=str(key_provider(database_url).directory),
        public_base_url="https://shoumen.test",
    )
    app = create_app(settings, sms=gateway, clock=FakeClock())
    with TestClient(app) as client:
        answer = client.post("/api/v1/auth/sms-code", json={"phone": GUARD})
        assert answer.status_code == 200, answer.text
        assert answer.json()["demo_code"] is None  # a real provider never reveals the code
        [sent] = standin.requests
        login = client.post(
            "/api/v1/auth/login", json={"phone": GUARD, "code": sent.params[0], "device_name": "t"}
        )
        assert login.status_code == 200, login.text
    app.state.engine.dispose()


# ---- the providers' error answers --------------------------------------------------------------


@pytest.mark.parametrize(
    ("provider_code", "our_code", "status"),
    [
        ("isv.BUSINESS_LIMIT_CONTROL", "sms_provider_throttled", 429),
        ("isv.MOBILE_NUMBER_ILLEGAL", "sms_invalid_phone", 422),
        ("isv.SMS_TEMPLATE_ILLEGAL", "sms_provider_misconfigured", 503),
        ("isp.SYSTEM_ERROR", "sms_provider_error", 502),
    ],
)
def test_aliyun_error_answers_map_to_our_codes(
    aliyun: AliyunStandIn, provider_code: str, our_code: str, status: int
) -> None:
    gateway = AliyunSmsGateway(aliyun_settings(aliyun))
    aliyun.fail_next(provider_code)
    with pytest.raises(SmsSendError) as caught:
        gateway.send_code(GUARD, "123456")
    assert (caught.value.code, caught.value.status, caught.value.provider_code) == (
        our_code,
        status,
        provider_code,
    )
    assert gateway.attempts_made == 1  # a refusal is never retried
    assert any("\u4e00" <= ch <= "\u9fff" for ch in caught.value.message)


@pytest.mark.parametrize(
    ("provider_code", "our_code"),
    [
        ("LimitExceeded.PhoneNumberThirtySecondLimit", "sms_provider_throttled"),
        ("InvalidParameterValue.IncorrectPhoneNumber", "sms_invalid_phone"),
        ("FailedOperation.TemplateIncorrectOrUnapproved", "sms_provider_misconfigured"),
        ("send:LimitExceeded.PhoneNumberDailyLimit", "sms_provider_throttled"),  # per-number status
        ("send:InvalidParameterValue.IncorrectPhoneNumber", "sms_invalid_phone"),
    ],
)
def test_tencent_error_answers_map_to_our_codes(
    tencent: TencentStandIn, provider_code: str, our_code: str
) -> None:
    gateway = TencentSmsGateway(tencent_settings(tencent))
    tencent.fail_next(provider_code)
    with pytest.raises(SmsSendError) as caught:
        gateway.send_code(GUARD, "123456")
    assert caught.value.code == our_code
    assert gateway.attempts_made == 1


def test_a_wrong_secret_is_refused_by_the_providers_signature_check(
    aliyun: AliyunStandIn, tencent: TencentStandIn
) -> None:
    for gateway, standin in (
        (AliyunSmsGateway(aliyun_settings(aliyun, key_secret="not-the-secret")), aliyun),
        (TencentSmsGateway(tencent_settings(tencent, key_secret="not-the-secret")), tencent),
    ):
        with pytest.raises(SmsSendError) as caught:
            gateway.send_code(GUARD, "123456")
        assert caught.value.code == "sms_provider_misconfigured"
        assert not standin.requests  # nothing was accepted for sending


def test_a_provider_that_does_not_answer_in_time_is_a_timeout_and_not_retried(
    tencent: TencentStandIn,
) -> None:
    gateway = TencentSmsGateway(tencent_settings(tencent, timeout_seconds=1.0))
    tencent.stall_next(2.5)
    with pytest.raises(SmsSendError) as caught:
        gateway.send_code(GUARD, "123456")
    assert caught.value.code == "sms_provider_timeout"
    assert tencent.hits == 1 and gateway.attempts_made == 1  # it may have been sent: no second SMS


def test_a_provider_that_cannot_be_reached_is_retried_a_bounded_number_of_times() -> None:
    closed = f"http://127.0.0.1:{free_port()}"  # nothing listens: the request cannot have gone out
    settings = SmsSettings(provider="aliyun", sign_name="守小门", templates=TEMPLATES, endpoint=closed,
                           key_id="id", key_secret="secret", attempts=2, timeout_seconds=1.0)  # fmt: skip
    gateway = AliyunSmsGateway(settings, sleep=lambda _s: None)
    with pytest.raises(SmsSendError) as caught:
        gateway.send_code(GUARD, "123456")
    assert caught.value.code == "sms_provider_unreachable"
    assert gateway.attempts_made == 2


def test_a_failed_send_answers_the_api_with_our_code_and_keeps_no_code(
    aliyun: AliyunStandIn, database_url: str
) -> None:
    settings = ServerSettings(
        database_url=database_url,
        key_dir=str(key_provider(database_url).directory),
        public_base_url="https://shoumen.test",
    )
    app = create_app(settings, sms=AliyunSmsGateway(aliyun_settings(aliyun)), clock=FakeClock())
    with TestClient(app) as client:
        aliyun.fail_next("isv.BUSINESS_LIMIT_CONTROL")
        answer = client.post("/api/v1/auth/sms-code", json={"phone": GUARD})
        assert answer.status_code == 429
        assert answer.json()["error"]["code"] == "sms_provider_throttled"
        # The failed send left no code behind: the next request is not "too frequent".
        again = client.post("/api/v1/auth/sms-code", json={"phone": GUARD})
        assert again.status_code == 200, again.text
    app.state.engine.dispose()


# ---- the webhook ----------------------------------------------------------------------------


class _Receiver(BaseHTTPRequestHandler):
    answers: list[tuple[int, dict[str, Any]]]
    seen: list[tuple[dict[str, str], bytes]]

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.seen.append((dict(self.headers), body))
        status, answer = self.answers.pop(0) if self.answers else (200, {"ok": True})
        data = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        pass


def test_webhook_posts_a_signed_request_and_maps_its_answers() -> None:
    import hashlib
    import hmac

    handler = type("H", (_Receiver,), {"answers": [], "seen": []})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        settings = SmsSettings(provider="webhook", templates=TEMPLATES, sign_name="守小门",
                               endpoint=f"http://127.0.0.1:{httpd.server_address[1]}/sms", key_secret="hook-secret")  # fmt: skip
        settings.check()
        gateway = WebhookSmsGateway(settings)
        gateway.send_code(GUARD, "123456", "visitor")
        headers, body = handler.seen[0]
        assert json.loads(body) == {
            "phone": GUARD,
            "template": "SMS_VISIT_2",
            "sign_name": "守小门",
            "params": {"code": "123456"},
        }
        expected = hmac.new(
            b"hook-secret", headers["X-Shoumen-Timestamp"].encode() + b"." + body, hashlib.sha256
        )
        assert headers["X-Shoumen-Signature"] == expected.hexdigest()
        handler.answers.extend([(429, {}), (422, {"error": "invalid_phone"}), (403, {})])
        codes = []
        for _ in range(3):
            with pytest.raises(SmsSendError) as caught:
                gateway.send_code(GUARD, "123456")
            codes.append(caught.value.code)
        assert codes == ["sms_provider_throttled", "sms_invalid_phone", "sms_provider_misconfigured"]
    finally:
        httpd.shutdown()
        httpd.server_close()


# ---- configuration ---------------------------------------------------------------------------


def test_settings_name_what_a_provider_is_missing() -> None:
    with pytest.raises(
        SmsConfigError, match=r"SHOUMEN_SMS_SIGN_NAME.*SHOUMEN_SMS_KEY_ID.*SHOUMEN_SMS_TEMPLATE_LOGIN"
    ):
        SmsSettings.from_env({"SHOUMEN_SMS_PROVIDER": "aliyun"})
    with pytest.raises(SmsConfigError, match="choose one of"):
        SmsSettings.from_env({"SHOUMEN_SMS_PROVIDER": "carrier-pigeon"})
    with pytest.raises(SmsConfigError, match="https"):
        SmsSettings.from_env({"SHOUMEN_SMS_PROVIDER": "webhook", "SHOUMEN_SMS_ENDPOINT": "http://sms.example.gov/x",
                              "SHOUMEN_SMS_KEY_SECRET": "s", "SHOUMEN_SMS_TEMPLATE_LOGIN": "a",
                              "SHOUMEN_SMS_TEMPLATE_VISITOR": "b"})  # fmt: skip


def test_credentials_come_from_the_key_directory_only_when_private(tmp_path: Path) -> None:
    env = {"SHOUMEN_SMS_PROVIDER": "tencent", "SHOUMEN_SMS_SIGN_NAME": "守小门", "SHOUMEN_SMS_APP_ID": "1400000001",
           "SHOUMEN_SMS_TEMPLATE_LOGIN": "1", "SHOUMEN_SMS_TEMPLATE_VISITOR": "2"}  # fmt: skip
    path = tmp_path / "sms_credentials.json"
    path.write_text(json.dumps({"key_id": "AKID-x", "key_secret": "s3cret"}))
    path.chmod(0o644)
    with pytest.raises(SmsConfigError, match="chmod 600"):
        SmsSettings.from_env(env, key_dir=tmp_path)
    path.chmod(0o600)
    settings = SmsSettings.from_env(env, key_dir=tmp_path)
    assert (settings.key_id, settings.key_secret) == ("AKID-x", "s3cret")
    assert "s3cret" not in repr(settings)


def _serve(env: dict[str, str], tmp_path: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "shoumen_server", "serve", "--port", str(free_port()),
               "--database-url", f"sqlite:///{tmp_path / 'x.db'}", *extra]  # fmt: skip
    clean = {k: v for k, v in os.environ.items() if not k.startswith("SHOUMEN_SMS_")}
    return subprocess.run(command, env=clean | env, capture_output=True, text=True, timeout=60)


def test_a_real_server_refuses_to_start_on_the_development_gateway(tmp_path: Path) -> None:
    refused = _serve({}, tmp_path)
    assert refused.returncode == 2
    assert "SHOUMEN_SMS_PROVIDER" in refused.stderr and "拒绝启动" in refused.stderr
    half = _serve({"SHOUMEN_SMS_PROVIDER": "aliyun"}, tmp_path)
    assert half.returncode == 2 and "SHOUMEN_SMS_SIGN_NAME" in half.stderr
