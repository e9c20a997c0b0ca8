"""Importing the health registry from a CSV file: `shoumen-server import-health FILE.csv`.

The file is UTF-8 (with or without a byte-order mark), comma-separated, with a header row.
Column names are exactly these (any order); unknown columns are refused so a typo in an
optional column name is not silently dropped:

| column           | required | values                                                           |
|------------------|----------|------------------------------------------------------------------|
| document_kind    | no       | resident_id (default), hmt_residence_permit, foreign_permanent_id,|
|                  |          | hk_macao_pass, taiwan_pass, passport                             |
| document_number  | yes      | checked with shoumen_core.identity.parse_document               |
| name             | yes      | the full name (stored encrypted; only 张* is ever shown)         |
| phone            | no       | mainland mobile, or empty                                        |
| health_code      | yes      | green, yellow, red, none (none = 未申领, e.g. another province)   |
| vaccination      | yes      | none, partial, full, booster                                     |
| nat_sampled_at   | no       | ISO 8601 with a UTC offset (2026-11-20T08:30:00+08:00), or empty |
| nat_result       | no       | negative, positive, pending, or empty                            |
| travel           | yes      | normal, abnormal, unverified                                     |

Rows are upserted by document (kind + number): a known person's data is replaced, their
`person_ref` kept. Bad rows are reported with their line number (the header is line 1) and the
reasons, and skipped; all good rows are written in ONE transaction, so a crash part-way writes
nothing. A document repeated in the file is an error on the later line.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import TypeVar

from sqlalchemy.orm import Session, sessionmaker

from shoumen_core.identity import DocumentKind, InvalidDocument, parse_document
from shoumen_core.phone import InvalidPhone, normalise_phone
from shoumen_core.policy import CodeColour, HealthSnapshot, NatResult, TravelStatus, Vaccination
from shoumen_core.timeutil import local_day
from shoumen_server.db import session_scope
from shoumen_server.health import PersonData, upsert_persons
from shoumen_server.keys import KeyStore

REQUIRED_COLUMNS = ("document_number", "name", "health_code", "vaccination", "travel")
OPTIONAL_COLUMNS = ("document_kind", "phone", "nat_sampled_at", "nat_result")
FUTURE_SLACK = timedelta(minutes=10)
MAX_NAME_LENGTH = 50

_COLOURS = (CodeColour.GREEN, CodeColour.YELLOW, CodeColour.RED, CodeColour.NONE)
_VACCINATIONS = (Vaccination.NONE, Vaccination.PARTIAL, Vaccination.FULL, Vaccination.BOOSTER)


@dataclass
class ImportReport:
    imported: int = 0  # new persons
    updated: int = 0  # known persons whose data was replaced
    errors: list[tuple[int, str]] = field(default_factory=list)  # (line, Chinese reason)

    @property
    def ok(self) -> bool:
        return not self.errors


class _RowError(ValueError):
    pass


_E = TypeVar("_E", bound=StrEnum)
_T = TypeVar("_T")


def _choice(value: str, allowed: tuple[_E, ...], label: str) -> _E:
    text = value.strip().lower()
    for member in allowed:
        if member.value == text:
            return member
    names = "/".join(member.value for member in allowed)
    raise _RowError(f"{label}无效：{value.strip() or '（空）'}（应为 {names}）")


def _nat_time(value: str, now: datetime) -> datetime | None:
    text = value.strip()
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise _RowError(
            f"核酸采样时间格式无效：{text}（应为 ISO 8601，例如 2026-11-20T08:30:00+08:00）"
        ) from None
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise _RowError(f"核酸采样时间缺少时区：{text}（例如 +08:00）")
    if moment > now + FUTURE_SLACK:
        raise _RowError(f"核酸采样时间晚于当前时间：{text}")
    return moment


def _parse_row(row: dict[str, str], today: date, now: datetime) -> PersonData:
    """One data row -> PersonData; every problem of the row is reported at once."""
    problems: list[str] = []
    values = {name: (row.get(name) or "") for name in REQUIRED_COLUMNS + OPTIONAL_COLUMNS}

    def attempt(parse: Callable[[], _T]) -> _T | None:
        try:
            return parse()
        except _RowError as exc:
            problems.append(str(exc))
            return None

    document = None
    kind_text = values["document_kind"].strip().lower() or DocumentKind.RESIDENT_ID.value
    try:
        kind = DocumentKind(kind_text)
    except ValueError:
        problems.append(f"证件类型无效：{kind_text}")
    else:
        try:
            document = parse_document(values["document_number"], kind, today=today)
        except InvalidDocument as exc:
            problems.append(f"证件号码无效：{exc.message}")
    name = values["name"].strip()
    if not name:
        problems.append("姓名为空")
    elif len(name) > MAX_NAME_LENGTH:
        problems.append(f"姓名过长（最多 {MAX_NAME_LENGTH} 字）")
    phone: str | None = None
    if values["phone"].strip():
        try:
            phone = normalise_phone(values["phone"])
        except InvalidPhone as exc:
            problems.append(exc.message)
    colour = attempt(lambda: _choice(values["health_code"], _COLOURS, "健康码颜色"))
    vaccination = attempt(lambda: _choice(values["vaccination"], _VACCINATIONS, "疫苗接种"))
    travel = attempt(lambda: _choice(values["travel"], tuple(TravelStatus), "行程卡状态"))
    sampled_at = attempt(lambda: _nat_time(values["nat_sampled_at"], now))
    nat_result: NatResult | None = None
    if values["nat_result"].strip():
        nat_result = attempt(lambda: _choice(values["nat_result"], tuple(NatResult), "核酸结果"))
    if problems:
        raise _RowError("；".join(problems))
    assert document is not None and colour is not None and vaccination is not None and travel is not None
    snapshot = HealthSnapshot(
        code_colour=colour,
        vaccination=vaccination,
        nat_sampled_at=sampled_at,
        nat_result=nat_result,
        travel=travel,
    )
    return PersonData(document=document, name=name, snapshot=snapshot, phone=phone)


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise _RowError(f"第 {line} 行不是 UTF-8 编码，请将文件另存为 UTF-8 CSV") from None


def read_health_csv(data: bytes, now: datetime) -> tuple[list[PersonData], ImportReport]:
    """Parse and validate the whole file without touching the database."""
    report = ImportReport()
    try:
        text = _decode(data)
    except _RowError as exc:
        report.errors.append((0, str(exc)))
        return [], report
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [name.strip() for name in (reader.fieldnames or [])]
    reader.fieldnames = header
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    unknown = [name for name in header if name not in REQUIRED_COLUMNS + OPTIONAL_COLUMNS]
    if not header or missing or unknown:
        parts = []
        if missing or not header:
            parts.append("缺少必填列：" + "、".join(missing or list(REQUIRED_COLUMNS)))
        if unknown:
            parts.append("无法识别的列：" + "、".join(unknown))
        report.errors.append((1, "表头有误，未导入任何数据。" + "；".join(parts)))
        return [], report
    today = local_day(now)
    people: list[PersonData] = []
    first_line: dict[tuple[str, str], int] = {}
    for row in _rows(reader):
        line = reader.line_num
        if None in row or any(value is None for value in row.values()):
            report.errors.append((line, "列数与表头不一致"))
            continue
        try:
            person = _parse_row(row, today, now)
        except _RowError as exc:
            report.errors.append((line, str(exc)))
            continue
        key = (person.document.kind.value, person.document.number)
        if key in first_line:
            report.errors.append((line, f"证件号码与第 {first_line[key]} 行重复"))
            continue
        first_line[key] = line
        people.append(person)
    return people, report


def _rows(reader: csv.DictReader[str]) -> Iterator[dict[str, str]]:
    try:
        yield from reader
    except csv.Error as exc:
        raise _RowError(f"第 {reader.line_num} 行 CSV 格式有误，未导入任何数据：{exc}") from None


def import_health_csv(
    source: Path | bytes, sessions: sessionmaker[Session], keys: KeyStore, now: datetime
) -> ImportReport:
    """Validate the file, then write every good row in one transaction (see the module doc)."""
    data = source.read_bytes() if isinstance(source, Path) else source
    try:
        people, report = read_health_csv(data, now)
    except _RowError as exc:
        return ImportReport(errors=[(0, str(exc))])
    if people:
        with session_scope(sessions) as session:
            report.imported, report.updated = upsert_persons(session, keys, people, now)
    return report
