"""The gate adapters against real stand-ins: the USB relay on a pseudo-terminal pair (exact
bytes, pulse timing, OFF after any failure), the webhook and the Hikvision door command
against an HTTP server on 127.0.0.1 (JSON body, secret header, digest authentication, errors,
a server that hangs). The controller and the recording of openings: test_gate_controller."""

from __future__ import annotations

import hmac
import json
import threading
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import serial
from pydantic import ValidationError

from shoumen_core.policy import VerdictLevel
from shoumen_gui.services import gate as gate_module
from shoumen_gui.services.gate import (
    AUTH_FAILED,
    DEVICE_ERROR,
    HTTP_ERROR,
    LINK_OK,
    MSG_NO_RESPONSE,
    NO_GATE,
    NOT_CONFIGURED,
    OPENED,
    RESET_FAILED,
    TIMEOUT,
    UNREACHABLE,
    GateConfig,
    GateKind,
    NoGate,
    make_gate,
)
from shoumen_gui.services.gate_http import (
    SECRET_HEADER,
    SIGNATURE_HEADER,
    HikvisionGate,
    WebhookGate,
    webhook_signature,
)
from shoumen_gui.services.gate_serial import SerialRelayGate, open_serial_port, relay_command
from tests.gui.services.gate_devices import GateServer, PtyRelay, parse_digest

CHECK_ID = uuid.UUID("01900000-0000-7000-8000-000000000001")


@pytest.fixture
def relay() -> Iterator[PtyRelay]:
    pty = PtyRelay()
    yield pty
    pty.close()


@pytest.fixture
def device() -> Iterator[GateServer]:
    server = GateServer()
    yield server
    server.close()


def serial_gate(relay: PtyRelay, sleeps: list[float] | None = None, **changes: Any) -> SerialRelayGate:
    config = GateConfig(kind=GateKind.SERIAL, port=relay.port, **changes)
    if sleeps is None:
        return SerialRelayGate(config)
    return SerialRelayGate(config, sleep=sleeps.append)


# ---- configuration ------------------------------------------------------------------------------


def test_config_json_round_trip_leaves_secrets_out() -> None:
    config = GateConfig(
        kind=GateKind.HIKVISION,
        url="http://192.168.1.64",
        username="admin",
        password="Pa55word",
        secret="shared",
        door=2,
        timeout=1.5,
    )
    stored = config.to_json()
    assert "password" not in stored and "secret" not in stored
    assert "Pa55word" not in json.dumps(stored) and "Pa55word" not in repr(config)
    again = GateConfig.from_json(json.dumps(stored))
    assert again == config.model_copy(update={"password": "", "secret": ""})
    assert (again.kind, again.door, again.timeout, again.username) == (GateKind.HIKVISION, 2, 1.5, "admin")
    # A password written into a settings file by hand is not picked up from there.
    assert GateConfig.from_json({**stored, "password": "x"}).password == ""


def test_config_defaults_are_the_issue_s() -> None:
    config = GateConfig.from_json("{}")
    assert (config.kind, config.baud, config.channel, config.pulse_seconds, config.timeout, config.door) == (
        GateKind.NONE,
        9600,
        1,
        1.0,
        2.0,
        1,
    )
    assert isinstance(make_gate(config), NoGate)


@pytest.mark.parametrize(
    "bad", [{"channel": 0}, {"kind": "door_bell"}, {"pulse_seconds": -1}, {"timeout": 0}]
)
def test_config_refuses_bad_values(bad: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        GateConfig.from_json(bad)


@pytest.mark.parametrize(
    "config",
    [
        GateConfig(kind=GateKind.SERIAL),
        GateConfig(kind=GateKind.WEBHOOK, url="ftp://x"),
        GateConfig(kind=GateKind.HIKVISION, url="http://10.0.0.2"),  # no user name
    ],
)
def test_incomplete_config_never_opens(config: GateConfig) -> None:
    assert config.problem() is not None
    gate = make_gate(config)
    result = gate.open_for(CHECK_ID, 1, VerdictLevel.PASS)
    assert (result.opened, result.ok, result.code) == (False, False, NOT_CONFIGURED)
    assert result.message.startswith(MSG_NO_RESPONSE)


def test_none_gate_never_opens_and_is_fine() -> None:
    gate = make_gate(GateConfig())
    for level in VerdictLevel:
        result = gate.open_for(CHECK_ID, 1, level)
        assert (result.opened, result.ok, result.code) == (False, True, NO_GATE)
    assert gate.test().ok


# ---- serial relay -------------------------------------------------------------------------------


def test_relay_frames_follow_the_lcus_formula() -> None:
    assert relay_command(1, True) == bytes.fromhex("A00101A2")
    assert relay_command(1, False) == bytes.fromhex("A00100A1")
    assert relay_command(2, True) == bytes.fromhex("A00201A3")
    assert relay_command(2, False) == bytes.fromhex("A00200A2")
    for n in range(1, 9):
        on, off = relay_command(n, True), relay_command(n, False)
        assert on[:3] == bytes((0xA0, n, 1)) and on[3] == sum(on[:3]) & 0xFF
        assert off[:3] == bytes((0xA0, n, 0)) and off[3] == sum(off[:3]) & 0xFF
    with pytest.raises(ValueError):
        relay_command(0, True)


@pytest.mark.parametrize(("channel", "expected"), [(1, "A00101A2A00100A1"), (2, "A00201A3A00200A2")])
def test_serial_pulse_writes_exact_bytes_on_a_pty(relay: PtyRelay, channel: int, expected: str) -> None:
    sleeps: list[float] = []
    gate = serial_gate(relay, sleeps, channel=channel, pulse_seconds=1.5)
    result = gate.open_for(CHECK_ID, 3, VerdictLevel.PASS)
    assert (result.opened, result.ok, result.code, result.message) == (True, True, OPENED, "已开闸")
    data, _ = relay.read(8)
    assert data == bytes.fromhex(expected)
    assert sleeps == [1.5]  # ON, then the pulse, then OFF


def test_serial_pulse_timing_on_the_real_clock(relay: PtyRelay) -> None:
    pulse = 0.4
    gate = serial_gate(relay, pulse_seconds=pulse)
    results: list[Any] = []
    worker = threading.Thread(target=lambda: results.append(gate.open_for(CHECK_ID, 3, VerdictLevel.PASS)))
    worker.start()
    on, on_at = relay.read(4)
    off, off_at = relay.read(4)
    worker.join(5)
    assert (on, off) == (relay_command(1, True), relay_command(1, False))
    # Both arrival times are seen by a woken reader: allow its scheduling delay either way.
    assert pulse - 0.1 <= off_at - on_at <= pulse + 0.3
    assert results[0].opened


def test_serial_device_missing_does_not_open() -> None:
    gate = make_gate(GateConfig(kind=GateKind.SERIAL, port="/dev/shoumen-no-such-relay"))
    started = time.monotonic()
    result = gate.open_for(CHECK_ID, 3, VerdictLevel.PASS)
    assert time.monotonic() - started < 1.0
    assert (result.opened, result.ok, result.code) == (False, False, UNREACHABLE)
    assert result.message.startswith("闸机未响应")


class FailingWrites:
    """The real pty port, with the n-th write (1-based) failing like an unplugged board."""

    def __init__(self, config: GateConfig, fail_on: int) -> None:
        self.port = open_serial_port(config)
        self.fail_on = fail_on
        self.writes = 0

    def write(self, data: bytes) -> int:
        self.writes += 1
        if self.writes == self.fail_on:
            raise serial.SerialException("device reports readiness to read but returned no data")
        return int(self.port.write(data))

    def flush(self) -> None:
        self.port.flush()

    def close(self) -> None:
        self.port.close()


def test_serial_off_failure_reports_the_open_gate(relay: PtyRelay) -> None:
    config = GateConfig(kind=GateKind.SERIAL, port=relay.port)
    gate = SerialRelayGate(config, sleep=lambda _s: None, open_port=lambda c: FailingWrites(c, fail_on=2))
    result = gate.open_for(CHECK_ID, 3, VerdictLevel.PASS)
    assert (result.opened, result.ok, result.code) == (True, False, RESET_FAILED)
    assert relay.read(4)[0] == relay_command(1, True)


def test_serial_on_failure_still_sends_off(relay: PtyRelay) -> None:
    config = GateConfig(kind=GateKind.SERIAL, port=relay.port)
    sleeps: list[float] = []
    gate = SerialRelayGate(config, sleep=sleeps.append, open_port=lambda c: FailingWrites(c, fail_on=1))
    result = gate.open_for(CHECK_ID, 3, VerdictLevel.PASS)
    assert (result.opened, result.ok, result.code) == (False, False, DEVICE_ERROR)
    assert result.message.startswith(MSG_NO_RESPONSE)
    assert relay.read(4)[0] == relay_command(1, False)
    assert sleeps == []  # no pulse without ON


def test_serial_off_is_sent_when_the_wait_is_interrupted(relay: PtyRelay) -> None:
    def interrupted(_seconds: float) -> None:
        raise KeyboardInterrupt

    gate = SerialRelayGate(GateConfig(kind=GateKind.SERIAL, port=relay.port, channel=2), sleep=interrupted)
    with pytest.raises(KeyboardInterrupt):
        gate.open_for(CHECK_ID, 3, VerdictLevel.PASS)
    assert relay.read(8)[0] == relay_command(2, True) + relay_command(2, False)


def test_serial_test_opens_nothing(relay: PtyRelay) -> None:
    result = serial_gate(relay, []).test()
    assert (result.opened, result.ok, result.code) == (False, True, LINK_OK)
    assert relay.read(4)[0] == relay_command(1, False)


# ---- webhook ------------------------------------------------------------------------------------


def webhook(device: GateServer, secret: str | None = None, timeout: float = 2.0) -> WebhookGate:
    config = GateConfig(kind=GateKind.WEBHOOK, url=device.url + "/hooks/gate", timeout=timeout)
    gate = make_gate(config, lambda name: secret if name == "secret" else None)
    assert isinstance(gate, WebhookGate)
    return gate


def test_webhook_posts_the_check_with_the_secret(device: GateServer) -> None:
    gate = webhook(device, secret="gate-s3cret")
    try:
        result = gate.open_for(CHECK_ID, 70, VerdictLevel.PASS)
    finally:
        gate.close()
    assert (result.opened, result.ok, result.code) == (True, True, OPENED)
    (seen,) = device.requests
    assert (seen.method, seen.path) == ("POST", "/hooks/gate")
    assert seen.headers["Content-Type"] == "application/json"
    body = json.loads(seen.body)
    assert (body["event"], body["check_id"], body["checkpoint_id"], body["verdict"], body["manual"]) == (
        "open",
        str(CHECK_ID),
        70,
        "pass",
        False,
    )
    assert body["pulse_seconds"] == 1.0
    assert seen.headers[SECRET_HEADER] == "gate-s3cret"
    assert hmac.compare_digest(seen.headers[SIGNATURE_HEADER], webhook_signature("gate-s3cret", seen.body))


def test_webhook_without_secret_sends_no_secret_headers(device: GateServer) -> None:
    gate = webhook(device)
    try:
        assert gate.open_for(None, None, VerdictLevel.REVIEW, manual=True).opened
    finally:
        gate.close()
    (seen,) = device.requests
    assert SECRET_HEADER not in seen.headers and SIGNATURE_HEADER not in seen.headers
    body = json.loads(seen.body)
    assert (body["check_id"], body["verdict"], body["manual"]) == (None, "review", True)


@pytest.mark.parametrize("status", [500, 404, 302])
def test_webhook_error_answer_does_not_open(device: GateServer, status: int) -> None:
    device.status = status
    gate = webhook(device)
    try:
        result = gate.open_for(CHECK_ID, 70, VerdictLevel.PASS)
    finally:
        gate.close()
    assert (result.opened, result.ok, result.code) == (False, False, HTTP_ERROR)
    assert result.message == f"闸机未响应（HTTP {status}）"


def test_webhook_hanging_server_does_not_open_nor_freeze(device: GateServer) -> None:
    device.hang = True
    timeout = 0.5
    gate = webhook(device, timeout=timeout)
    try:
        started = time.monotonic()
        result = gate.open_for(CHECK_ID, 70, VerdictLevel.PASS)
        elapsed = time.monotonic() - started
    finally:
        gate.close()
    assert (result.opened, result.code, result.message) == (False, TIMEOUT, "闸机未响应（超时）")
    assert timeout - 0.05 <= elapsed <= timeout + 0.5
    assert len(device.requests) == 1  # it did reach the server, which never answered


def test_webhook_nobody_listening_does_not_open(device: GateServer) -> None:
    url = device.url
    device.close()  # the port is free now: connection refused
    gate = make_gate(GateConfig(kind=GateKind.WEBHOOK, url=url, timeout=1.0))
    try:
        result = gate.open_for(CHECK_ID, 70, VerdictLevel.PASS)
    finally:
        gate.close()
    assert (result.opened, result.code) == (False, UNREACHABLE)


def test_webhook_test_sends_a_test_event(device: GateServer) -> None:
    gate = webhook(device)
    try:
        result = gate.test()
    finally:
        gate.close()
    assert (result.opened, result.ok, result.code) == (False, True, LINK_OK)
    assert json.loads(device.requests[0].body)["event"] == "test"


# ---- Hikvision ISAPI ----------------------------------------------------------------------------

ISAPI_OK = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n<ResponseStatus version="2.0">'
    b"<requestURL>/ISAPI/AccessControl/RemoteControl/door/2</requestURL>"
    b"<statusCode>1</statusCode><statusString>OK</statusString><subStatusCode>ok</subStatusCode>"
    b"</ResponseStatus>"
)


def hikvision(device: GateServer, password: str, door: int = 2) -> HikvisionGate:
    config = GateConfig(kind=GateKind.HIKVISION, url=device.url + "/", username="admin", door=door)
    gate = make_gate(config, {"password": password}.get)
    assert isinstance(gate, HikvisionGate)
    return gate


def test_hikvision_door_open_with_digest_auth(device: GateServer) -> None:
    device.digest = ("admin", "Hik12345")
    device.reply = ISAPI_OK
    gate = hikvision(device, "Hik12345")
    try:
        first = gate.open_for(CHECK_ID, 70, VerdictLevel.PASS)
        second = gate.open_for(CHECK_ID, 70, VerdictLevel.PASS)
    finally:
        gate.close()
    assert (first.opened, first.ok, first.code) == (True, True, OPENED) and second.opened
    challenge, answered, again = device.requests
    assert not challenge.authorised and "Authorization" not in challenge.headers
    assert answered.authorised and again.authorised  # the nonce is reused: one request later on
    assert (answered.method, answered.path) == ("PUT", "/ISAPI/AccessControl/RemoteControl/door/2")
    assert b"<RemoteControlDoor><cmd>open</cmd></RemoteControlDoor>" in answered.body
    params = parse_digest(answered.headers["Authorization"])
    assert (params["username"], params["uri"]) == ("admin", "/ISAPI/AccessControl/RemoteControl/door/2")


def test_hikvision_wrong_password_does_not_open(device: GateServer) -> None:
    device.digest = ("admin", "Hik12345")
    device.reply = ISAPI_OK
    gate = hikvision(device, "guess")
    try:
        result = gate.open_for(CHECK_ID, 70, VerdictLevel.PASS)
    finally:
        gate.close()
    assert (result.opened, result.ok, result.code) == (False, False, AUTH_FAILED)
    assert result.message.startswith(MSG_NO_RESPONSE)
    assert not any(seen.authorised for seen in device.requests)


def test_hikvision_refusing_device_does_not_open(device: GateServer) -> None:
    device.reply = ISAPI_OK.replace(b"<statusCode>1</statusCode>", b"<statusCode>4</statusCode>")
    gate = hikvision(device, "x")
    try:
        result = gate.open_for(CHECK_ID, 70, VerdictLevel.PASS)
    finally:
        gate.close()
    assert (result.opened, result.code) == (False, DEVICE_ERROR)


def test_hikvision_hanging_device_does_not_open(device: GateServer) -> None:
    device.hang = True
    config = GateConfig(kind=GateKind.HIKVISION, url=device.url, username="admin", timeout=0.4)
    gate = make_gate(config, lambda _name: "pw")
    try:
        started = time.monotonic()
        result = gate.open_for(CHECK_ID, 70, VerdictLevel.PASS)
        elapsed = time.monotonic() - started
    finally:
        gate.close()
    assert (result.opened, result.code) == (False, TIMEOUT)
    assert elapsed <= 0.4 + 0.5


def test_hikvision_test_checks_credentials_without_opening(device: GateServer) -> None:
    device.digest = ("admin", "Hik12345")
    gate = hikvision(device, "Hik12345")
    try:
        result = gate.test()
    finally:
        gate.close()
    assert (result.opened, result.ok, result.code) == (False, True, LINK_OK)
    assert {(seen.method, seen.path) for seen in device.requests} == {("GET", "/ISAPI/System/deviceInfo")}


def test_a_failing_secret_loader_never_opens(device: GateServer) -> None:
    device.digest = ("admin", "Hik12345")

    def broken(_name: str) -> str:
        raise RuntimeError("keyring locked")

    gate = make_gate(GateConfig(kind=GateKind.HIKVISION, url=device.url, username="admin"), broken)
    try:
        result = gate.open_for(CHECK_ID, 70, VerdictLevel.PASS)
    finally:
        gate.close()
    assert (result.opened, result.code) == (False, AUTH_FAILED)
    assert gate_module.load_secret("given", broken, "password") == "given"
