"""The gate link (issue 9): one `Gate` interface, adapters chosen per checkpoint in settings,
and the `GateController` that opens the gate after a verdict and records every opening.

Adapters: none (the default), a USB-serial relay (`gate_serial`), a generic webhook and the
Hikvision ISAPI door command (`gate_http`). Rules the controller keeps:

- Only PASS opens by itself; every other verdict leaves the gate closed.
- A device error or a timeout never opens the gate: the guard reads "闸机未响应" and may use
  手动开闸, which needs a reason.
- Every opening is traceable: the check row is marked ``gate_opened`` (committed) BEFORE the
  command goes out and unmarked if the gate did not open, so even a crash mid-pulse leaves a
  trace; a manual opening without a check becomes its own record (method MANUAL, level REVIEW,
  decision ADMIT) with the reason. Marked rows go to the outbox and sync like any check.
- Commands block for at most about the configured timeout (plus the pulse); call the
  controller from a worker thread, never from the GUI thread. One command at a time.

Secrets (the webhook's shared secret, the Hikvision password) are never part of the stored
configuration: `GateConfig.to_json()` leaves them out and `make_gate` asks a `secret_loader`
("secret" / "password" -> value) at each command, so the app can keep them in the keyring.
"""

from __future__ import annotations

import json
import logging
import threading
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, Final, Protocol

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from shoumen_core.policy import VerdictLevel
from shoumen_core.schemas import MAX_GATE_REASON, CheckMethod, CheckRecordIn, ManualDecision
from shoumen_core.timeutil import utcnow
from shoumen_gui.services.cache import LocalCache
from shoumen_gui.services.checks import CheckContext, CheckResult
from shoumen_gui.services.connectivity import Listeners
from shoumen_gui.services.ids import uuid7

log = logging.getLogger("shoumen.gui.gate")

SecretLoader = Callable[[str], str | None]  # "secret" | "password" -> the value, None if unknown

# Stable result codes (GateResult.code); callers decide on these, never on the message.
OPENED: Final = "opened"
NO_GATE: Final = "no_gate"
NOT_PASS: Final = "not_pass"
LINK_OK: Final = "link_ok"
TIMEOUT: Final = "timeout"
UNREACHABLE: Final = "unreachable"
DEVICE_ERROR: Final = "device_error"
HTTP_ERROR: Final = "http_error"
AUTH_FAILED: Final = "auth_failed"
RESET_FAILED: Final = "reset_failed"  # opened, but the relay could not be switched off again
NOT_CONFIGURED: Final = "not_configured"
REASON_REQUIRED: Final = "reason_required"
REASON_TOO_LONG: Final = "reason_too_long"
UNKNOWN_CHECK: Final = "unknown_check"
NOT_ADMITTED: Final = "not_admitted"  # open_for_admit without a recorded 人工放行

MSG_NO_RESPONSE: Final = "闸机未响应"
MSG_OPENED: Final = "已开闸"


class GateKind(StrEnum):
    NONE = "none"
    SERIAL = "serial"  # LCUS-type USB relay board
    WEBHOOK = "webhook"  # POST JSON to any URL
    HIKVISION = "hikvision"  # ISAPI remote door control


class GateConfig(BaseModel):
    """One checkpoint's gate, as stored in the settings (JSON; secrets excluded)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    kind: GateKind = GateKind.NONE
    port: str = ""  # serial: e.g. /dev/ttyUSB0 or COM3
    baud: int = Field(default=9600, ge=300, le=921_600)
    channel: int = Field(default=1, ge=1, le=8)  # relay channel on the board
    pulse_seconds: float = Field(default=1.0, ge=0.1, le=30.0)
    url: str = ""  # webhook: the full URL; hikvision: the device's base URL (http://192.168.1.64)
    timeout: float = Field(default=2.0, gt=0.0, le=30.0)
    username: str = ""  # hikvision
    door: int = Field(default=1, ge=1, le=256)  # hikvision door number
    # Runtime only, never stored: prefer a secret_loader (keyring) to these.
    secret: str = Field(default="", exclude=True, repr=False)
    password: str = Field(default="", exclude=True, repr=False)
    # Runtime only: why a stored configuration could not be read (see stored_gate_config).
    defect: str = Field(default="", exclude=True, repr=False)

    def to_json(self) -> dict[str, Any]:
        """For the settings file: no secret, no password."""
        return self.model_dump(mode="json")

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | str) -> GateConfig:
        """Raises pydantic.ValidationError on bad values. Secrets in the data are ignored."""
        values = dict(json.loads(data) if isinstance(data, str) else data)
        values.pop("secret", None)
        values.pop("password", None)
        values.pop("defect", None)
        return cls.model_validate(values)

    def problem(self) -> str | None:
        """What is missing for this kind of gate (Chinese, for the settings page), or None."""
        if self.defect:
            return self.defect
        if self.kind is GateKind.SERIAL and not self.port.strip():
            return "请填写串口（例如 /dev/ttyUSB0 或 COM3）"
        if self.kind in (GateKind.WEBHOOK, GateKind.HIKVISION) and not self.url.startswith(
            ("http://", "https://")
        ):
            return "请填写以 http:// 或 https:// 开头的地址"
        if self.kind is GateKind.HIKVISION and not self.username.strip():
            return "请填写海康设备的用户名"
        return None


MSG_BAD_STORED_CONFIG: Final = "保存的设置无法读取，请在设置中重新填写"


def stored_gate_config(data: Mapping[str, Any]) -> GateConfig:
    """A post's gate from the settings file; never raises. A configuration that cannot be read
    keeps its kind (webhook when even that is unreadable: a gate was meant to be there) but
    carries a defect, so `make_gate` gives a gate that never opens and the guard is told."""
    try:
        return GateConfig.from_json(data)
    except (ValidationError, ValueError, TypeError) as exc:
        fields = (
            sorted({_error_field(error) for error in exc.errors()})
            if isinstance(exc, ValidationError)
            else []
        )
        log.warning("stored gate configuration is invalid (%s)", ", ".join(fields) or type(exc).__name__)
    try:
        kind = GateKind(data.get("kind", GateKind.NONE.value))
    except (ValueError, TypeError):
        kind = GateKind.WEBHOOK
    if kind is GateKind.NONE:
        return GateConfig()  # no gate meant: nothing to open, nothing to warn about
    return GateConfig(kind=kind, defect=MSG_BAD_STORED_CONFIG)


def _error_field(error: Mapping[str, Any]) -> str:
    """The field name and error type only: the values may hold addresses or user names."""
    location = ".".join(str(part) for part in error.get("loc", ()))
    return f"{location or '?'}:{error.get('type', '?')}"


@dataclass(frozen=True)
class GateResult:
    opened: bool  # the gate was opened (the relay switched on / the device accepted)
    ok: bool  # the command went as intended (False: the guard must be told)
    code: str
    message: str  # Chinese, for the guard

    @classmethod
    def no_response(cls, code: str, detail: str = "") -> GateResult:
        return cls(False, False, code, f"{MSG_NO_RESPONSE}（{detail}）" if detail else MSG_NO_RESPONSE)


OPENED_RESULT: Final = GateResult(True, True, OPENED, MSG_OPENED)
NO_GATE_RESULT: Final = GateResult(False, True, NO_GATE, "未配置闸机")
NOT_PASS_RESULT: Final = GateResult(False, True, NOT_PASS, "未通行，闸机保持关闭")


class Gate(Protocol):
    kind: GateKind

    def open_for(
        self,
        check_id: uuid.UUID | None,
        checkpoint_id: int | None,
        level: VerdictLevel,
        *,
        manual: bool = False,
    ) -> GateResult:
        """Open (pulse) the gate once. Never raises; a failure is a result with opened False."""
        ...

    def test(self) -> GateResult:
        """Check the link without opening the gate (测试闸机): LINK_OK or a failure."""
        ...

    def close(self) -> None: ...


class NoGate:
    """No gate at this checkpoint (the default): nothing ever opens, and that is fine."""

    kind = GateKind.NONE

    def open_for(
        self,
        check_id: uuid.UUID | None,
        checkpoint_id: int | None,
        level: VerdictLevel,
        *,
        manual: bool = False,
    ) -> GateResult:
        return NO_GATE_RESULT

    def test(self) -> GateResult:
        return NO_GATE_RESULT

    def close(self) -> None:
        pass


class MisconfiguredGate:
    """A gate whose settings are incomplete: every command fails, nothing opens."""

    def __init__(self, kind: GateKind, problem: str) -> None:
        self.kind = kind
        self.problem = problem

    def open_for(
        self,
        check_id: uuid.UUID | None,
        checkpoint_id: int | None,
        level: VerdictLevel,
        *,
        manual: bool = False,
    ) -> GateResult:
        return GateResult.no_response(NOT_CONFIGURED, f"闸机设置不完整：{self.problem}")

    def test(self) -> GateResult:
        return self.open_for(None, None, VerdictLevel.PASS)

    def close(self) -> None:
        pass


def make_gate(config: GateConfig, secret_loader: SecretLoader | None = None) -> Gate:
    """The adapter for a checkpoint's configuration. Never raises: an incomplete configuration
    gives a gate that always answers "闸机未响应（闸机设置不完整…）"."""
    problem = config.problem()
    if problem is not None:
        return MisconfiguredGate(config.kind, problem)
    if config.kind is GateKind.SERIAL:
        from shoumen_gui.services.gate_serial import SerialRelayGate

        return SerialRelayGate(config)
    if config.kind is GateKind.WEBHOOK:
        from shoumen_gui.services.gate_http import WebhookGate

        return WebhookGate(config, secret_loader)
    if config.kind is GateKind.HIKVISION:
        from shoumen_gui.services.gate_http import HikvisionGate

        return HikvisionGate(config, secret_loader)
    return NoGate()


def load_secret(config_value: str, loader: SecretLoader | None, name: str) -> str:
    """The runtime value given in the config, else the loader's; "" if neither (a loader that
    fails counts as none: the command then fails on the device, it never opens by accident)."""
    if config_value:
        return config_value
    if loader is None:
        return ""
    try:
        return loader(name) or ""
    except Exception as exc:  # keyring backends raise many types; the gate must stay usable
        log.warning("gate %s could not be loaded (%s)", name, type(exc).__name__)
        return ""


class GateController:
    """Opens the gate after a verdict or by hand, and records every opening in the cache.

    Wire ``on_recorded`` to ``SyncEngine.nudge`` so the change is pushed soon.
    """

    def __init__(self, gate: Gate, cache: LocalCache, *, clock: Callable[[], datetime] = utcnow) -> None:
        self._gate = gate
        self.cache = cache
        self.clock = clock
        self.on_recorded: Listeners[uuid.UUID] = Listeners()
        self._lock = threading.Lock()  # one gate command at a time (a pulse is not interleaved)

    @property
    def gate(self) -> Gate:
        return self._gate

    def set_gate(self, gate: Gate) -> None:
        """Use another adapter (the checkpoint or its settings changed); closes the old one."""
        with self._lock:
            old, self._gate = self._gate, gate
        if old is not gate:
            old.close()

    def close(self) -> None:
        with self._lock:
            self._gate.close()

    def test(self) -> GateResult:
        """测试闸机: the link only; the gate does not open."""
        with self._lock:
            return self._gate.test()

    def on_verdict(self, result: CheckResult) -> GateResult:
        """After a committed check: PASS opens (and is recorded); anything else stays closed."""
        if result.level is not VerdictLevel.PASS:
            return NOT_PASS_RESULT
        return self._open_check(result.record_id, None)

    def open_for_admit(self, check_id: uuid.UUID) -> GateResult:
        """人工放行 of a REVIEW or grey check: opens once, recorded on the check's row with the
        decision (which is its reason: no typed reason). Refused unless the stored decision is
        ADMIT; a second call for a check whose gate already opened sends nothing."""
        local = self.cache.check(check_id)
        if local is None or local.record.manual_decision is not ManualDecision.ADMIT:
            log.warning("gate not opened: no recorded 人工放行 for the check")
            return GateResult(False, False, NOT_ADMITTED, "未记录人工放行，闸机未开")
        if local.record.gate_opened:
            return OPENED_RESULT  # already opened for this visitor: once is enough
        return self._open_check(check_id, None, manual=True)

    def manual_open(self, check_id: uuid.UUID | None, reason: str, context: CheckContext) -> GateResult:
        """手动开闸 for a check (any verdict), or for a visitor without one (a new MANUAL record
        at the context's venue and checkpoint). The reason is required and recorded."""
        reason = " ".join(reason.split())
        if not reason:
            return GateResult(False, False, REASON_REQUIRED, "请填写手动开闸的原因")
        if len(reason) > MAX_GATE_REASON:
            return GateResult(False, False, REASON_TOO_LONG, f"原因过长（最多 {MAX_GATE_REASON} 字）")
        if check_id is not None:
            return self._open_check(check_id, reason)
        if self._gate.kind is GateKind.NONE:
            return NO_GATE_RESULT
        record = CheckRecordIn(
            id=uuid7(),
            venue_id=context.venue_id,
            checkpoint_id=context.checkpoint_id,
            method=CheckMethod.MANUAL,
            checked_at=self.clock(),
            level=VerdictLevel.REVIEW,
            manual_decision=ManualDecision.ADMIT,
            device_id=context.device_id,
            gate_opened=True,  # marked before the command (see the module notes)
            gate_reason=reason,
        )
        with self._lock:
            self.cache.add_check(record, context.user_id)
            outcome = self._command(record.id, context.checkpoint_id, record.level, manual=True)
        self.on_recorded.emit(record.id)
        return outcome

    def _open_check(self, check_id: uuid.UUID, reason: str | None, *, manual: bool = False) -> GateResult:
        local = self.cache.check(check_id)
        if local is None:  # an opening nobody could trace: refuse
            log.warning("gate not opened: the check is not in the cache")
            return GateResult(False, False, UNKNOWN_CHECK, "找不到该核验记录，闸机未开")
        with self._lock:
            if self._gate.kind is GateKind.NONE:
                return NO_GATE_RESULT
            self.cache.set_gate_opening(check_id, True, reason)
            outcome = self._command(
                check_id, local.record.checkpoint_id, local.record.level, manual=manual or reason is not None
            )
        self.on_recorded.emit(check_id)
        return outcome

    def _command(
        self, record_id: uuid.UUID, checkpoint_id: int | None, level: VerdictLevel, *, manual: bool
    ) -> GateResult:
        """Send the command for a row already marked opened; unmark it if the gate stayed shut.
        Called with the lock held."""
        try:
            outcome = self._gate.open_for(record_id, checkpoint_id, level, manual=manual)
        except Exception:  # an adapter bug must not open the gate nor kill the worker
            log.exception("gate adapter failed")
            outcome = GateResult.no_response(DEVICE_ERROR)
        if not outcome.opened:
            self.cache.set_gate_opening(record_id, False)
        log.info("gate %s for a %s check: %s", self._gate.kind.value, level.value, outcome.code)
        return outcome
