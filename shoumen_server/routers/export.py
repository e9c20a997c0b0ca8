"""Exports for contact tracing (CSV or XLSX), audited: a venue's owner exports the venue, a
township supervisor exports venues of the region. Masked forms only.

CSV is streamed row by row (UTF-8 with a BOM so Excel reads the Chinese); XLSX is built in
openpyxl's write-only mode into a temporary file, then streamed.
"""

from __future__ import annotations

import csv
import io
import logging
import re
import tempfile
from collections.abc import Generator, Iterator
from contextlib import closing
from datetime import date
from typing import IO, Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Path, Query
from fastapi.responses import StreamingResponse
from sqlalchemy.orm import Session

from shoumen_core.identity import mask_name
from shoumen_core.phone import mask_phone
from shoumen_core.policy import LEVEL_WORDS, VerdictLevel
from shoumen_core.schemas import CheckMethod, ExportFormat, ManualDecision
from shoumen_core.timeutil import LOCAL_TZ, as_utc
from shoumen_server import check_export
from shoumen_server.abnormal import finding_reasons
from shoumen_server.audit import audit
from shoumen_server.check_export import ExportRow
from shoumen_server.counts import stored_rows
from shoumen_server.deps import Caller, Ctx, CurrentCaller, Db, ReadDb, require_owner
from shoumen_server.errors import BadInput, PermissionDenied
from shoumen_server.ingest import MAX_ID
from shoumen_server.query_args import checked_region, parse_day

router = APIRouter(tags=["export"])
log = logging.getLogger("shoumen.server.export")

MAX_RANGE_DAYS = 31
XLSX_MAX_ROWS = 1_048_575  # Excel's sheet limit, less the header
COLUMNS = ["时间", "场所", "卡口", "核验方式", "结论", "人工决定", "姓名", "证件号", "原因", "核验人员"]
METHOD_NAMES = {
    CheckMethod.SCAN.value: "扫码",
    CheckMethod.DOCUMENT.value: "证件",
    CheckMethod.SELF.value: "访客自助",
    CheckMethod.MANUAL.value: "人工登记",
}
LEVEL_NAMES = {level.value: words for level, words in LEVEL_WORDS.items()}
# The guard's decision on a 人工核验 / 无法核验 result (issue 16 §7): contact tracing needs to
# know who was let in by hand. A result that needed one and has none reads 未决定.
DECISION_NAMES = {ManualDecision.ADMIT.value: "人工放行", ManualDecision.TURN_AWAY.value: "劝返"}
_NEEDS_DECISION = frozenset({VerdictLevel.REVIEW.value, VerdictLevel.CANNOT_VERIFY.value})
CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_UNSAFE_FILENAME = re.compile(r'[\\/:*?"<>|\x00-\x1f]')
_VENUE_IDS = re.compile(r"\d{1,10}(,\d{1,10})*")

StartQuery = Annotated[str, Query(max_length=20, description="first local day, YYYY-MM-DD")]
EndQuery = Annotated[str, Query(max_length=20, description="last local day (included), YYYY-MM-DD")]
FormatQuery = Annotated[str, Query(max_length=10)]


def _checked_range(start: str, end: str, ctx: Ctx) -> tuple[date, date]:
    now = ctx.clock()
    if not start or not end:
        raise BadInput("请给出开始和结束日期", code="bad_date")
    first, last = parse_day(start, now), parse_day(end, now)
    if last < first:
        raise BadInput("结束日期早于开始日期", code="bad_date")
    if (last - first).days + 1 > MAX_RANGE_DAYS:
        raise BadInput(
            "导出范围最多 {max_days} 天", code="range_too_long", params={"max_days": MAX_RANGE_DAYS}
        )
    return first, last


def _checked_format(text: str) -> ExportFormat:
    try:
        return ExportFormat(text.lower())
    except ValueError:
        raise BadInput("导出格式应为 csv 或 xlsx", code="bad_format") from None


# What openpyxl refuses in a cell (its ILLEGAL_CHARACTERS_RE); spelled out here so that
# openpyxl (~0.3 s of import) loads only when an XLSX is made, not at every app start.
_ILLEGAL_CHARACTERS = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")


def _cell(value: str) -> str:
    """Text that spreadsheets show as text: no formulas, no control characters."""
    value = _ILLEGAL_CHARACTERS.sub("", value)
    return "'" + value if value.startswith(_FORMULA_START) else value


def _staff_label(user_id: int | None, name: str | None, phone: str | None) -> str:
    if user_id is None:
        return "访客自助"
    parts = [mask_name(name or ""), mask_phone(phone) if phone else ""]
    return " ".join(part for part in parts if part)


def _decision_words(level: str, decision: str | None) -> str:
    if decision is not None:
        return DECISION_NAMES.get(decision, decision)
    return "未决定" if level in _NEEDS_DECISION else ""


def _export_cells(rows: Generator[ExportRow]) -> Iterator[list[str]]:
    """The export's rows as the spreadsheet shows them. A download cut short closes this, and
    with it at once the rows' own session (not whenever the rows are collected)."""
    with closing(rows):
        for row in rows:
            yield [
                _cell(value)
                for value in (
                    as_utc(row.checked_at).astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M:%S"),
                    row.venue_name,
                    row.checkpoint_name or "",
                    METHOD_NAMES.get(row.method, row.method),
                    LEVEL_NAMES.get(row.level, row.level),
                    _decision_words(row.level, row.manual_decision),
                    row.masked_name,
                    row.masked_id,
                    "；".join(finding_reasons(row.findings_json)),
                    _staff_label(row.user_id, row.staff_name, row.staff_phone),
                )
            ]


def _csv_chunks(rows: Iterator[list[str]]) -> Iterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow(COLUMNS)
    for i, row in enumerate(rows, 1):
        writer.writerow(row)
        if i % 1000 == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def _xlsx_file(rows: Iterator[list[str]]) -> IO[bytes]:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("核验记录")
    sheet.append(COLUMNS)
    for row in rows:
        sheet.append(row)
    handle = tempfile.TemporaryFile()  # noqa: SIM115 - the response streams and closes it
    try:
        workbook.save(handle)
        handle.seek(0)
    except BaseException:
        handle.close()
        raise
    return handle


def _file_chunks(handle: IO[bytes]) -> Iterator[bytes]:
    with handle:
        while chunk := handle.read(64 * 1024):
            yield chunk


def content_disposition(filename: str, ascii_fallback: str) -> str:
    """attachment with an ASCII filename for old clients and the UTF-8 one (RFC 6266/5987)."""
    return f"attachment; filename=\"{ascii_fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def _export(
    ctx: Ctx,
    db: Session,
    read: Session,
    caller: Caller,
    venue_ids: list[int],
    first: date,
    last: date,
    fmt: ExportFormat,
    *,
    label: str,
    ascii_label: str,
    venue_id: int | None = None,
    region_code: str | None = None,
) -> StreamingResponse:
    # The size check reads where the rows will be read: the replica when there is one (ReadDb).
    rows = stored_rows(read, venue_ids, first, last)
    if fmt is ExportFormat.XLSX and rows > XLSX_MAX_ROWS:
        raise BadInput("记录数超过 Excel 的上限，请缩短日期范围或导出 CSV", code="too_many_rows")
    audit(
        db,
        at=ctx.clock(),
        actor_user_id=caller.user_id,
        action="export",
        venue_id=venue_id,
        region_code=region_code,
        device_name=caller.device_name,
        detail={
            "start": first.isoformat(),
            "end": last.isoformat(),
            "format": fmt.value,
            "rows": rows,
            "venue_ids": venue_ids,
        },
    )
    db.commit()  # the audit entry is written even if the download is interrupted
    log.info(
        "export by user %s: %d venues, %s..%s, %s, %d rows",
        caller.user_id,
        len(venue_ids),
        first,
        last,
        fmt.value,
        rows,
    )
    span = f"{first:%Y%m%d}-{last:%Y%m%d}"
    filename = f"守小门核验记录_{_UNSAFE_FILENAME.sub('_', label)}_{span}.{fmt.value}"
    headers = {
        "Content-Disposition": content_disposition(
            filename, f"shoumen-checks-{ascii_label}-{span}.{fmt.value}"
        )
    }
    export_rows = _export_cells(check_export.export_rows(ctx.read_session, venue_ids, first, last))
    if fmt is ExportFormat.CSV:
        return StreamingResponse(_csv_chunks(export_rows), media_type=CSV_MEDIA_TYPE, headers=headers)
    return StreamingResponse(
        _file_chunks(_xlsx_file(export_rows)), media_type=XLSX_MEDIA_TYPE, headers=headers
    )


_FILE_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {CSV_MEDIA_TYPE: {}, XLSX_MEDIA_TYPE: {}},
        "description": "the checks of the range, one row per check",
    }
}


@router.get("/venues/{venue_id}/export", response_class=StreamingResponse, responses=_FILE_RESPONSES)
def export_venue(
    venue_id: Annotated[int, Path(ge=1, le=MAX_ID)],
    caller: CurrentCaller,
    ctx: Ctx,
    db: Db,
    read: ReadDb,
    start: StartQuery = "",
    end: EndQuery = "",
    format: FormatQuery = "csv",
) -> StreamingResponse:
    """The venue's checks of up to 31 days (owner only)."""
    venue = require_owner(db, caller, venue_id)
    first, last = _checked_range(start, end, ctx)
    return _export(
        ctx,
        db,
        read,
        caller,
        [venue.id],
        first,
        last,
        _checked_format(format),
        label=venue.name,
        ascii_label=f"venue{venue.id}",
        venue_id=venue.id,
        region_code=venue.region_code,
    )


def _region_venue_ids(db: Session, region_code: str, text: str | None) -> list[int]:
    """All venues of the region, or the listed ones, each of which must be in the region."""
    in_region = check_export.region_venue_ids(db, region_code)
    if not text:
        return sorted(in_region)
    if not _VENUE_IDS.fullmatch(text.replace(" ", "")):
        raise BadInput("场所编号列表有误（如 1,2,3）", code="bad_venue_ids")
    wanted = sorted({int(part) for part in text.replace(" ", "").split(",")})
    if any(venue_id not in in_region for venue_id in wanted):
        raise PermissionDenied("所选场所不在您负责的区域", code="outside_region")
    return wanted


@router.get("/regions/{region_code}/export", response_class=StreamingResponse, responses=_FILE_RESPONSES)
def export_region(
    region_code: Annotated[str, Path(max_length=20)],
    caller: CurrentCaller,
    ctx: Ctx,
    db: Db,
    read: ReadDb,
    start: StartQuery = "",
    end: EndQuery = "",
    format: FormatQuery = "csv",
    venue_ids: Annotated[str | None, Query(max_length=2000)] = None,
) -> StreamingResponse:
    """Checks at venues of the supervisor's region (all, or `venue_ids=1,2`), up to 31 days."""
    code = checked_region(caller, region_code)
    first, last = _checked_range(start, end, ctx)
    fmt = _checked_format(format)
    ids = _region_venue_ids(db, code, venue_ids)
    return _export(
        ctx,
        db,
        read,
        caller,
        ids,
        first,
        last,
        fmt,
        label=code,
        ascii_label=f"region{code}",
        region_code=code,
    )
