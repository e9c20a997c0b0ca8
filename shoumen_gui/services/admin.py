"""Typed calls for the owner's and the supervisor's screens: venues, checkpoints, policy, the
venue code, staff, region statistics, full details and exports. Qt-free, for worker threads.

One typed client per resource (`VenuesClient`, `CheckpointsClient`, `StaffClient`,
`RegionsClient`, `DetailsClient`, `ExportClient`) over the station's one transport
(`ApiClient`, so errors are the services' typed errors); exports stream a file to disk and
report the bytes received as they come. `AdminService` is what the screens hold: those clients
plus the station's connectivity, which every answer (or its absence) is reported to.
"""

from __future__ import annotations

import contextlib
import logging
import os
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Final, TypeVar

import httpx
from pydantic import BaseModel, ConfigDict, TypeAdapter, ValidationError

from shoumen_core.policy import VenuePolicy
from shoumen_core.schemas import (
    AnomalyOut,
    CheckpointIn,
    CheckpointOut,
    DayCounts,
    ExportFormat,
    LookupAlerts,
    PendingVenueOut,
    RegionAbnormalList,
    RegionStats,
    StaffIn,
    StaffOut,
    StatsScope,
    Trend,
    VenueCodeOut,
    VenueIn,
    VenueOnBehalfIn,
    VenueOut,
    VenueRejectIn,
    VenueUpdate,
)
from shoumen_gui.paths import file_message
from shoumen_gui.services.api import API_PREFIX, ApiClient, error_for
from shoumen_gui.services.connectivity import Connectivity
from shoumen_gui.services.errors import OfflineError, ServerRejected, ServiceError
from shoumen_gui.services.tls import certificate_error, for_url

log = logging.getLogger("shoumen.gui.admin")

EXPORT_CHUNK = 64 * 1024
EXPORT_TIMEOUT: Final = httpx.Timeout(30.0, read=300.0)  # a large XLSX is built before it streams

_M = TypeVar("_M", bound=BaseModel)
_T = TypeVar("_T")

ProgressCallback = Callable[[int, int | None], None]  # (bytes so far, total or None)


class FullDetails(BaseModel):
    """The answer of POST /venues/{id}/full-details (shoumen_server.routers.details)."""

    model_config = ConfigDict(extra="ignore")

    venue_id: int
    check_id: uuid.UUID | None
    anomaly_id: uuid.UUID | None
    name: str
    document_kind: str | None
    document_number: str
    phone: str
    source: str
    audit_id: int


class FileNotWritten(ServiceError):
    """The chosen file could not be written (a missing folder, no permission, a full disk):
    the person chooses another place; nothing is left behind."""

    default_code = "file_not_written"
    default_message = "无法保存文件，请选择其他位置"


class ExportCancelled(ServiceError):
    default_code = "cancelled"
    default_message = "导出已取消"


@dataclass(frozen=True)
class ExportResult:
    path: Path
    bytes: int


_CHECKPOINTS = TypeAdapter(list[CheckpointOut])
_STAFF = TypeAdapter(list[StaffOut])
_PENDING = TypeAdapter(list[PendingVenueOut])


def _items(adapter: TypeAdapter[_T], data: Any) -> _T:
    try:
        return adapter.validate_python(data)
    except ValidationError as exc:
        raise _bad_answer(exc) from exc


def _bad_answer(exc: ValidationError) -> ServerRejected:
    log.warning("unexpected answer (%d errors)", exc.error_count())
    return ServerRejected("服务器返回了无法识别的数据", code="bad_response")


class VenuesClient:
    """Venues: register (also on behalf), read, update, approve or reject; policy; venue code."""

    def __init__(self, api: ApiClient) -> None:
        self._api = api

    def register(self, fields: VenueIn) -> VenueOut:
        return self._api.send_model(VenueOut, "POST", "/venues", json=fields.model_dump(mode="json"))

    def register_on_behalf(self, fields: VenueOnBehalfIn) -> VenueOut:
        body = fields.model_dump(mode="json")
        return self._api.send_model(VenueOut, "POST", "/venues/on-behalf", json=body)

    def get(self, venue_id: int) -> VenueOut:
        return self._api.send_model(VenueOut, "GET", f"/venues/{venue_id}")

    def update(self, venue_id: int, changes: VenueUpdate) -> VenueOut:
        body = changes.model_dump(mode="json", exclude_none=True)
        return self._api.send_model(VenueOut, "PATCH", f"/venues/{venue_id}", json=body)

    def approve(self, venue_id: int) -> VenueOut:
        return self._api.send_model(VenueOut, "POST", f"/venues/{venue_id}/approve")

    def reject(self, venue_id: int, reason: str) -> VenueOut:
        body = VenueRejectIn(reason=reason).model_dump(mode="json")
        return self._api.send_model(VenueOut, "POST", f"/venues/{venue_id}/reject", json=body)

    def policy(self, venue_id: int) -> VenuePolicy:
        return self._api.send_model(VenuePolicy, "GET", f"/venues/{venue_id}/policy")

    def set_policy(self, venue_id: int, policy: VenuePolicy) -> VenuePolicy:
        body = policy.model_dump(mode="json")
        return self._api.send_model(VenuePolicy, "PUT", f"/venues/{venue_id}/policy", json=body)

    def code(self, venue_id: int, checkpoint_id: int | None = None) -> VenueCodeOut:
        params = None if checkpoint_id is None else {"checkpoint_id": checkpoint_id}
        return self._api.send_model(VenueCodeOut, "GET", f"/venues/{venue_id}/code", params=params)


class CheckpointsClient:
    """A venue's checkpoints (检查点)."""

    def __init__(self, api: ApiClient) -> None:
        self._api = api

    def list(self, venue_id: int) -> list[CheckpointOut]:
        return _items(_CHECKPOINTS, self._api.request_json("GET", f"/venues/{venue_id}/checkpoints"))

    def add(self, venue_id: int, name: str) -> CheckpointOut:
        body = CheckpointIn(name=name).model_dump(mode="json")
        return self._api.send_model(CheckpointOut, "POST", f"/venues/{venue_id}/checkpoints", json=body)

    def rename(self, venue_id: int, checkpoint_id: int, name: str) -> CheckpointOut:
        body = CheckpointIn(name=name).model_dump(mode="json")
        path = f"/venues/{venue_id}/checkpoints/{checkpoint_id}"
        return self._api.send_model(CheckpointOut, "PATCH", path, json=body)

    def remove(self, venue_id: int, checkpoint_id: int) -> None:
        self._api.send("DELETE", f"/venues/{venue_id}/checkpoints/{checkpoint_id}")


class StaffClient:
    """A venue's staff (子管理员 and guards): add, authorise, revoke, delete."""

    def __init__(self, api: ApiClient) -> None:
        self._api = api

    def list(self, venue_id: int) -> list[StaffOut]:
        return _items(_STAFF, self._api.request_json("GET", f"/venues/{venue_id}/staff"))

    def add(self, venue_id: int, name: str, phone: str) -> StaffOut:
        body = StaffIn(name=name, phone=phone).model_dump(mode="json")
        return self._api.send_model(StaffOut, "POST", f"/venues/{venue_id}/staff", json=body)

    def authorise(self, venue_id: int, user_id: int) -> StaffOut:
        return self._api.send_model(StaffOut, "POST", f"/venues/{venue_id}/staff/{user_id}/authorise")

    def revoke(self, venue_id: int, user_id: int) -> StaffOut:
        return self._api.send_model(StaffOut, "POST", f"/venues/{venue_id}/staff/{user_id}/revoke")

    def delete(self, venue_id: int, user_id: int) -> None:
        self._api.send("DELETE", f"/venues/{venue_id}/staff/{user_id}")


class RegionsClient:
    """A supervisor's region: figures, trend, abnormal list, pending venues, lookup alerts."""

    def __init__(self, api: ApiClient) -> None:
        self._api = api

    def stats(self, region_code: str, day: date) -> RegionStats:
        params = {"date": day.isoformat()}
        return self._api.send_model(RegionStats, "GET", f"/regions/{region_code}/stats", params=params)

    def trend(self, region_code: str, days: int = 30, venue_id: int | None = None) -> Trend:
        params: dict[str, Any] = {"days": days}
        if venue_id is not None:
            params["venue_id"] = venue_id
        return self._api.send_model(Trend, "GET", f"/regions/{region_code}/trend", params=params)

    def abnormal(self, region_code: str, day: date) -> RegionAbnormalList:
        params = {"date": day.isoformat(), "findings": "true"}  # as StatsClient.abnormal asks
        path = f"/regions/{region_code}/abnormal"
        return self._api.send_model(RegionAbnormalList, "GET", path, params=params)

    def pending_venues(self, region_code: str) -> list[PendingVenueOut]:
        return _items(_PENDING, self._api.request_json("GET", f"/regions/{region_code}/pending-venues"))

    def lookup_alerts(self, region_code: str, day: date) -> LookupAlerts:
        params = {"date": day.isoformat()}
        path = f"/regions/{region_code}/lookup-alerts"
        return self._api.send_model(LookupAlerts, "GET", path, params=params)


class DetailsClient:
    """查看完整信息: the unmasked identity behind a check or a registration (audited)."""

    def __init__(self, api: ApiClient) -> None:
        self._api = api

    def full_details(
        self, venue_id: int, *, check_id: uuid.UUID | None = None, anomaly_id: uuid.UUID | None = None
    ) -> FullDetails:
        body = {
            "check_id": None if check_id is None else str(check_id),
            "anomaly_id": None if anomaly_id is None else str(anomaly_id),
        }
        return self._api.send_model(FullDetails, "POST", f"/venues/{venue_id}/full-details", json=body)


class ExportClient:
    """CSV/XLSX exports of a region or a venue, streamed to a file (audited on the server).

    Its own streaming `httpx.Client` per export (a long download must not hold a connection of
    the station's pool), with the transport's address, token, CA and error mapping."""

    def __init__(self, api: ApiClient, *, transport: httpx.BaseTransport | None = None) -> None:
        self.api = api
        self._transport = transport

    def region(
        self,
        region_code: str,
        first: date,
        last: date,
        fmt: ExportFormat,
        dest: Path,
        *,
        venue_ids: list[int] | None = None,
        on_progress: ProgressCallback | None = None,
        cancelled: Callable[[], bool] | None = None,
    ) -> ExportResult:
        params: dict[str, Any] = {"start": first.isoformat(), "end": last.isoformat(), "format": fmt.value}
        if venue_ids:
            params["venue_ids"] = ",".join(str(v) for v in sorted(venue_ids))
        return self._download(f"/regions/{region_code}/export", params, dest, on_progress, cancelled)

    def venue(
        self,
        venue_id: int,
        first: date,
        last: date,
        fmt: ExportFormat,
        dest: Path,
        *,
        on_progress: ProgressCallback | None = None,
        cancelled: Callable[[], bool] | None = None,
    ) -> ExportResult:
        params = {"start": first.isoformat(), "end": last.isoformat(), "format": fmt.value}
        return self._download(f"/venues/{venue_id}/export", params, dest, on_progress, cancelled)

    def _download(
        self,
        path: str,
        params: dict[str, Any],
        dest: Path,
        on_progress: ProgressCallback | None,
        cancelled: Callable[[], bool] | None,
    ) -> ExportResult:
        """Stream to `dest` (through a .part file, renamed at the end: a half file never has the
        real name); report the bytes after every chunk; stop when `cancelled()` says so."""
        part = dest.with_name(dest.name + ".part")
        headers = {"Authorization": f"Bearer {self.api.token}"} if self.api.token else {}
        received = 0
        try:
            with (
                httpx.Client(
                    base_url=self.api.base_url + API_PREFIX,
                    timeout=EXPORT_TIMEOUT,
                    transport=self._transport,
                    verify=for_url(self.api.base_url, self.api.verify),  # the CA the app trusts, never off
                ) as client,
                client.stream("GET", path, params=params, headers=headers) as response,
            ):
                if not response.is_success:
                    response.read()
                    raise error_for(response)
                length = response.headers.get("content-length")
                total = int(length) if length and length.isdigit() else None
                with part.open("wb") as out:
                    for chunk in response.iter_bytes(EXPORT_CHUNK):
                        if cancelled is not None and cancelled():
                            raise ExportCancelled()
                        out.write(chunk)
                        received += len(chunk)
                        if on_progress is not None:
                            on_progress(received, total)
            os.replace(part, dest)
        except httpx.TimeoutException as exc:
            part.unlink(missing_ok=True)
            raise OfflineError("服务器响应超时，导出未完成", code="offline") from exc
        except httpx.TransportError as exc:
            part.unlink(missing_ok=True)
            untrusted = certificate_error(exc)
            if untrusted is not None:
                raise untrusted from exc
            raise OfflineError("无法连接服务器，导出未完成") from exc
        except OSError as exc:  # the .part file or its rename: the OS said no
            with contextlib.suppress(OSError):
                part.unlink(missing_ok=True)
            log.warning("export not written: %s (errno %s)", type(exc).__name__, exc.errno)
            raise FileNotWritten(file_message(dest, exc)) from exc
        except BaseException:
            part.unlink(missing_ok=True)
            raise
        log.info("export saved (%d bytes)", received)
        return ExportResult(dest, received)


class AdminService:
    """One per ApiClient: the admin resources' clients and the station's connectivity, which
    every call reports to. Stateless otherwise (safe from several worker threads)."""

    def __init__(
        self,
        api: ApiClient,
        *,
        connectivity: Connectivity | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.api = api
        # The station's one connectivity state (the status bar's): the admin screens report
        # their answers to it and read it, rather than guessing "offline" from one slow request
        # (issue 16 §6). Without a station (registering a venue) a private one.
        self.connectivity = connectivity if connectivity is not None else Connectivity()
        self._venues = VenuesClient(api)
        self._checkpoints = CheckpointsClient(api)
        self._staff = StaffClient(api)
        self._regions = RegionsClient(api)
        self._details = DetailsClient(api)
        self._export = ExportClient(api, transport=transport)

    def _call(self, request: Callable[[], _T]) -> _T:
        try:
            answer = request()
        except OfflineError:
            self.connectivity.record_failure()  # offline only after several in a row
            raise
        except ServiceError:
            self.connectivity.record_success()  # a refusal is an answer: the server is there
            raise
        self.connectivity.record_success()
        return answer

    # ---- venues ----------------------------------------------------------------------------

    def register_venue(self, fields: VenueIn) -> VenueOut:
        return self._call(lambda: self._venues.register(fields))

    def register_on_behalf(self, fields: VenueOnBehalfIn) -> VenueOut:
        return self._call(lambda: self._venues.register_on_behalf(fields))

    def venue(self, venue_id: int) -> VenueOut:
        return self._call(lambda: self._venues.get(venue_id))

    def update_venue(self, venue_id: int, changes: VenueUpdate) -> VenueOut:
        return self._call(lambda: self._venues.update(venue_id, changes))

    # ---- checkpoints -------------------------------------------------------------------------

    def checkpoints(self, venue_id: int) -> list[CheckpointOut]:
        return self._call(lambda: self._checkpoints.list(venue_id))

    def add_checkpoint(self, venue_id: int, name: str) -> CheckpointOut:
        return self._call(lambda: self._checkpoints.add(venue_id, name))

    def rename_checkpoint(self, venue_id: int, checkpoint_id: int, name: str) -> CheckpointOut:
        return self._call(lambda: self._checkpoints.rename(venue_id, checkpoint_id, name))

    def remove_checkpoint(self, venue_id: int, checkpoint_id: int) -> None:
        self._call(lambda: self._checkpoints.remove(venue_id, checkpoint_id))

    # ---- policy and the venue code ----------------------------------------------------------

    def policy(self, venue_id: int) -> VenuePolicy:
        return self._call(lambda: self._venues.policy(venue_id))

    def set_policy(self, venue_id: int, policy: VenuePolicy) -> VenuePolicy:
        return self._call(lambda: self._venues.set_policy(venue_id, policy))

    def venue_code(self, venue_id: int, checkpoint_id: int | None = None) -> VenueCodeOut:
        return self._call(lambda: self._venues.code(venue_id, checkpoint_id))

    # ---- staff ---------------------------------------------------------------------------------

    def staff(self, venue_id: int) -> list[StaffOut]:
        return self._call(lambda: self._staff.list(venue_id))

    def add_staff(self, venue_id: int, name: str, phone: str) -> StaffOut:
        return self._call(lambda: self._staff.add(venue_id, name, phone))

    def authorise_staff(self, venue_id: int, user_id: int) -> StaffOut:
        return self._call(lambda: self._staff.authorise(venue_id, user_id))

    def revoke_staff(self, venue_id: int, user_id: int) -> StaffOut:
        return self._call(lambda: self._staff.revoke(venue_id, user_id))

    def delete_staff(self, venue_id: int, user_id: int) -> None:
        self._call(lambda: self._staff.delete(venue_id, user_id))

    # ---- region (supervisors) ------------------------------------------------------------------

    def region_stats(self, region_code: str, day: date) -> RegionStats:
        return self._call(lambda: self._regions.stats(region_code, day))

    def region_trend(self, region_code: str, days: int = 30, venue_id: int | None = None) -> Trend:
        return self._call(lambda: self._regions.trend(region_code, days, venue_id))

    def region_abnormal(self, region_code: str, day: date) -> RegionAbnormalList:
        return self._call(lambda: self._regions.abnormal(region_code, day))

    def pending_venues(self, region_code: str) -> list[PendingVenueOut]:
        """The region's venues waiting for a supervisor's decision (待审核场所)."""
        return self._call(lambda: self._regions.pending_venues(region_code))

    def approve_venue(self, venue_id: int) -> VenueOut:
        return self._call(lambda: self._venues.approve(venue_id))

    def reject_venue(self, venue_id: int, reason: str) -> VenueOut:
        return self._call(lambda: self._venues.reject(venue_id, reason))

    def lookup_alerts(self, region_code: str, day: date) -> LookupAlerts:
        """The region's venues whose lookups on `day` look like enumeration (查询预警)."""
        return self._call(lambda: self._regions.lookup_alerts(region_code, day))

    def venue_day(self, venue_id: int, day: date) -> DayCounts:
        """One venue's day (unit scope), with checks per hour."""
        return self._call(lambda: self.api.stats.day(venue_id, day, StatsScope.UNIT)).counts

    def anomaly(self, venue_id: int, anomaly_id: uuid.UUID) -> AnomalyOut:
        return self._call(lambda: self.api.anomalies.get(venue_id, anomaly_id))

    def full_details(
        self, venue_id: int, *, check_id: uuid.UUID | None = None, anomaly_id: uuid.UUID | None = None
    ) -> FullDetails:
        """The unmasked identity behind a check or a registration; the server audits the view."""
        return self._call(
            lambda: self._details.full_details(venue_id, check_id=check_id, anomaly_id=anomaly_id)
        )

    # ---- exports -------------------------------------------------------------------------------

    def export_region(
        self,
        region_code: str,
        first: date,
        last: date,
        fmt: ExportFormat,
        dest: Path,
        *,
        venue_ids: list[int] | None = None,
        on_progress: ProgressCallback | None = None,
        cancelled: Callable[[], bool] | None = None,
    ) -> ExportResult:
        return self._exporting(
            lambda: self._export.region(
                region_code,
                first,
                last,
                fmt,
                dest,
                venue_ids=venue_ids,
                on_progress=on_progress,
                cancelled=cancelled,
            )
        )

    def export_venue(
        self,
        venue_id: int,
        first: date,
        last: date,
        fmt: ExportFormat,
        dest: Path,
        *,
        on_progress: ProgressCallback | None = None,
        cancelled: Callable[[], bool] | None = None,
    ) -> ExportResult:
        return self._exporting(
            lambda: self._export.venue(
                venue_id, first, last, fmt, dest, on_progress=on_progress, cancelled=cancelled
            )
        )

    def _exporting(self, request: Callable[[], ExportResult]) -> ExportResult:
        """An export that got no answer counts as a lost request; its other outcomes (a refusal,
        a file not written, a cancel) say nothing about the link, as before the split."""
        try:
            return request()
        except OfflineError:
            self.connectivity.record_failure()
            raise
