"""The health registry: finding persons by keyed hash, PII encrypted at rest, personal codes,
and the CSV import (good, bad, mixed, BOM, header errors, all-or-nothing writes)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session, sessionmaker

from shoumen_core.codes import verify_personal_code
from shoumen_core.identity import DocumentKind, make_resident_id, parse_document
from shoumen_core.policy import CodeColour, HealthSnapshot, NatResult, TravelStatus, Vaccination
from shoumen_server import health
from shoumen_server.db import make_engine, make_session_factory
from shoumen_server.deps import ServerContext
from shoumen_server.health import PersonData, RegistryHealthSource, add_person, issue_code_for, upsert_person
from shoumen_server.health_import import import_health_csv
from shoumen_server.keys import KeyStore
from shoumen_server.models import Person
from shoumen_server.settings import ServerSettings
from shoumen_server.sms import DevSmsGateway
from tests.server.conftest import key_provider

NOW = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
ID_A = make_resident_id("330624", datetime(1985, 3, 12).date(), 101)
ID_B = make_resident_id("330683", datetime(1990, 1, 2).date(), 555)


@dataclass
class Registry:
    sessions: sessionmaker[Session]
    keys: KeyStore

    def count(self) -> int:
        with self.sessions() as session:
            return session.scalar(select(func.count()).select_from(Person)) or 0

    def find(self, number: str, kind: DocumentKind = DocumentKind.RESIDENT_ID) -> health.PersonRecord | None:
        with self.sessions() as session:
            return RegistryHealthSource(session, self.keys).find_by_document(kind, number)


@pytest.fixture
def registry(database_url: str) -> Iterator[Registry]:
    engine = make_engine(database_url)
    sessions = make_session_factory(engine)
    with sessions() as session:
        keys = KeyStore.load(session, key_provider(database_url))
    yield Registry(sessions, keys)
    engine.dispose()


def person(
    number: str = ID_A, name: str = "陈建国", phone: str | None = "13700000001", **snap: object
) -> PersonData:
    snapshot = HealthSnapshot.model_validate(
        {
            "code_colour": "green",
            "vaccination": "full",
            "nat_sampled_at": NOW - timedelta(hours=10),
            "nat_result": "negative",
            "travel": "normal",
            **snap,
        }
    )
    return PersonData(document=parse_document(number), name=name, snapshot=snapshot, phone=phone)


# ---- the registry ---------------------------------------------------------------------------


def test_find_by_document_ref_and_phone(registry: Registry) -> None:
    with registry.sessions.begin() as session:
        added = add_person(session, registry.keys, person(), NOW)
    assert added.masked_name == "陈**"
    assert added.masked_id == f"{ID_A[:6]}********{ID_A[-4:]}"
    assert added.snapshot.code_colour is CodeColour.GREEN
    assert added.snapshot.nat_sampled_at == NOW - timedelta(hours=10)
    assert added.snapshot.temperature is None
    with registry.sessions() as session:
        source = RegistryHealthSource(session, registry.keys)
        assert source.find_by_document(DocumentKind.RESIDENT_ID, ID_A) == added
        assert source.find_by_document("resident_id", ID_A) == added
        assert source.find_by_ref(added.person_ref) == added
        assert source.find_by_phone("13700000001") == added
        # The kind is part of the key: the same characters as another document are someone else.
        assert source.find_by_document(DocumentKind.PASSPORT, ID_A) is None
        assert source.find_by_document(DocumentKind.RESIDENT_ID, ID_B) is None
        assert source.find_by_ref("0" * 16) is None
        assert source.find_by_phone("13700000002") is None


def test_pii_is_encrypted_at_rest_and_person_ref_is_random(registry: Registry) -> None:
    with registry.sessions.begin() as session:
        first = add_person(session, registry.keys, person(), NOW)
        second = add_person(session, registry.keys, person(ID_B, "李四", "13700000002"), NOW)
    with registry.sessions() as session:
        raw = [repr(tuple(row)) for row in session.execute(text("SELECT * FROM persons")).all()]
        rows = {row.person_ref: row for row in session.scalars(select(Person))}
    for number, name, phone in ((ID_A, "陈建国", "13700000001"), (ID_B, "李四", "13700000002")):
        for secret in (number, number[6:14], name, phone):
            assert all(secret not in row for row in raw), secret
    row = rows[first.person_ref]
    assert registry.keys.decrypt(row.doc_enc) == ID_A
    assert registry.keys.decrypt(row.name_enc) == "陈建国"
    assert row.phone_enc is not None and registry.keys.decrypt(row.phone_enc) == "13700000001"
    for ref in (first.person_ref, second.person_ref):
        assert re.fullmatch(r"[0-9a-f]{16}", ref)
        assert not any(part in ref for part in (ID_A[-4:] + ID_A[:2], ID_B[-4:]))
    assert first.person_ref != second.person_ref


def test_upsert_replaces_data_and_keeps_the_person_ref(registry: Registry) -> None:
    with registry.sessions.begin() as session:
        first, created = upsert_person(session, registry.keys, person(), NOW)
    assert created
    with registry.sessions.begin() as session:
        again, created = upsert_person(
            session, registry.keys, person(code_colour="red", phone=None, nat_result="positive"), NOW
        )
    assert not created
    assert again.person_ref == first.person_ref
    assert again.snapshot.code_colour is CodeColour.RED
    assert again.snapshot.nat_result is NatResult.POSITIVE
    assert registry.count() == 1
    with registry.sessions() as session:
        assert RegistryHealthSource(session, registry.keys).find_by_phone("13700000001") is None


def test_issued_code_verifies_and_carries_the_snapshot(registry: Registry) -> None:
    with registry.sessions.begin() as session:
        record = add_person(session, registry.keys, person(), NOW)
    trust = registry.keys.trust_list(NOW, timedelta(days=7))
    code = verify_personal_code(issue_code_for(registry.keys, record, NOW), trust, NOW)
    assert code.person_ref == record.person_ref
    assert code.masked_name == "陈**" and code.masked_id == record.masked_id
    assert code.to_snapshot() == record.snapshot
    assert code.expires_at - code.issued_at == timedelta(hours=ServerSettings().personal_code_ttl_hours)
    ctx = ServerContext(
        settings=ServerSettings(personal_code_ttl_hours=2),
        sessions=registry.sessions,
        sms=DevSmsGateway(),
        clock=lambda: NOW,
        _keys=registry.keys,
    )
    short = verify_personal_code(issue_code_for(ctx, record, NOW), trust, NOW)
    assert short.expires_at - short.issued_at == timedelta(hours=2)


# ---- CSV import -----------------------------------------------------------------------------

HEADER = "document_kind,document_number,name,phone,health_code,vaccination,nat_sampled_at,nat_result,travel"
GOOD_ROWS = [
    f"resident_id,{ID_A},陈建国,13700000001,green,full,2026-11-19T18:00:00+08:00,negative,normal",
    f",{ID_B},李四,,yellow,booster,,,abnormal",
    "hk_macao_pass,H12345678,陈嘉欣,+86 137-0000-0003,none,partial,2026-11-19T10:00:00Z,pending,unverified",
]


def csv_bytes(*rows: str, header: str = HEADER, bom: bool = False) -> bytes:
    data = "\n".join([header, *rows]).encode("utf-8") + b"\n"
    return b"\xef\xbb\xbf" + data if bom else data


def test_import_good_file(registry: Registry) -> None:
    report = import_health_csv(csv_bytes(*GOOD_ROWS), registry.sessions, registry.keys, NOW)
    assert (report.imported, report.updated, report.errors) == (3, 0, [])
    assert report.ok
    a = registry.find(ID_A)
    assert a is not None
    assert a.snapshot == HealthSnapshot(
        code_colour=CodeColour.GREEN,
        vaccination=Vaccination.FULL,
        nat_sampled_at=datetime(2026, 11, 19, 10, 0, tzinfo=UTC),
        nat_result=NatResult.NEGATIVE,
        travel=TravelStatus.NORMAL,
    )
    b = registry.find(ID_B)
    assert b is not None and b.snapshot.nat_sampled_at is None and b.snapshot.nat_result is None
    assert b.snapshot.code_colour is CodeColour.YELLOW and b.snapshot.travel is TravelStatus.ABNORMAL
    hk = registry.find("H12345678", DocumentKind.HK_MACAO_PASS)
    assert hk is not None and hk.snapshot.nat_result is NatResult.PENDING and hk.masked_name == "陈**"
    with registry.sessions() as session:
        assert RegistryHealthSource(session, registry.keys).find_by_phone("13700000003") == hk
    # A second import of the same file replaces, and keeps every person_ref.
    again = import_health_csv(csv_bytes(*GOOD_ROWS), registry.sessions, registry.keys, NOW)
    assert (again.imported, again.updated, again.errors) == (0, 3, [])
    assert registry.find(ID_A) == a
    assert registry.count() == 3


def test_import_with_bom_and_only_required_columns_in_another_order(registry: Registry) -> None:
    header = "name,travel,vaccination,health_code,document_number"
    data = csv_bytes(f"陈建国,normal,none,GREEN ,{ID_A}", header=header, bom=True)
    report = import_health_csv(data, registry.sessions, registry.keys, NOW)
    assert (report.imported, report.errors) == (1, [])
    found = registry.find(ID_A)
    assert found is not None and found.snapshot.vaccination is Vaccination.NONE
    assert found.snapshot.code_colour is CodeColour.GREEN and found.snapshot.nat_sampled_at is None


BAD_ROWS: list[tuple[str, str]] = [
    (f"resident_id,{ID_A[:-1]}0,张三,,green,full,,,normal", "校验位错误"),
    (f"resident_id,{ID_A[:10]},张三,,green,full,,,normal", "应为 18 位"),
    (f"student_card,{ID_A},张三,,green,full,,,normal", "证件类型无效：student_card"),
    (f"resident_id,{ID_A},,,green,full,,,normal", "姓名为空"),
    (f"resident_id,{ID_A},张三,12345,green,full,,,normal", "手机号码格式不正确"),
    (f"resident_id,{ID_A},张三,,blue,full,,,normal", "健康码颜色无效：blue"),
    (f"resident_id,{ID_A},张三,,green,two,,,normal", "疫苗接种无效：two"),
    (f"resident_id,{ID_A},张三,,green,full,yesterday,negative,normal", "核酸采样时间格式无效"),
    (f"resident_id,{ID_A},张三,,green,full,2026-11-19T10:00:00,negative,normal", "缺少时区"),
    (f"resident_id,{ID_A},张三,,green,full,2026-11-21T10:00:00+08:00,negative,normal", "晚于当前时间"),
    (f"resident_id,{ID_A},张三,,green,full,,maybe,normal", "核酸结果无效：maybe"),
    (f"resident_id,{ID_A},张三,,green,full,,,fine", "行程卡状态无效：fine"),
    (f"resident_id,{ID_A},张三,,green,full,,,normal,extra", "列数与表头不一致"),
    (f"resident_id,{ID_A},张三", "列数与表头不一致"),
]


@pytest.mark.parametrize(("row", "reason"), BAD_ROWS, ids=[reason for _, reason in BAD_ROWS])
def test_import_reports_a_bad_row_with_its_reason(registry: Registry, row: str, reason: str) -> None:
    report = import_health_csv(csv_bytes(row), registry.sessions, registry.keys, NOW)
    assert (report.imported, report.updated) == (0, 0)
    assert len(report.errors) == 1
    line, message = report.errors[0]
    assert line == 2
    assert reason in message
    assert ID_A not in message  # reasons never echo a document number
    assert registry.count() == 0


def test_import_reports_every_problem_of_a_row(registry: Registry) -> None:
    row = f"resident_id,{ID_A[:-1]}0,,,blue,two,,,fine"
    report = import_health_csv(csv_bytes(row), registry.sessions, registry.keys, NOW)
    message = report.errors[0][1]
    for reason in ("校验位错误", "姓名为空", "健康码颜色无效", "疫苗接种无效", "行程卡状态无效"):
        assert reason in message


def test_import_mixed_file_imports_good_rows_and_names_bad_lines(registry: Registry) -> None:
    rows = [
        GOOD_ROWS[0],
        f"resident_id,{ID_B[:-1]}X,张三,,green,full,,,normal",
        GOOD_ROWS[1],
        f"resident_id,{ID_A},陈建国,,green,full,,,normal",  # repeats line 2's document
        GOOD_ROWS[2],
        "",  # blank lines are skipped
        f"resident_id,{ID_B},李四,,purple,full,,,normal",
    ]
    report = import_health_csv(csv_bytes(*rows), registry.sessions, registry.keys, NOW)
    assert report.imported == 3
    assert [line for line, _ in report.errors] == [3, 5, 8]
    assert "与第 2 行重复" in report.errors[1][1]
    assert not report.ok
    assert registry.count() == 3
    found = registry.find(ID_B)
    assert found is not None and found.snapshot.code_colour is CodeColour.YELLOW


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        ("document_number,name,health_code,vaccination", "缺少必填列：travel"),
        (HEADER + ",notes", "无法识别的列：notes"),
        (HEADER.replace("phone", "phon"), "无法识别的列：phon"),
        ("", "缺少必填列"),
    ],
)
def test_import_refuses_a_bad_header_and_writes_nothing(registry: Registry, header: str, reason: str) -> None:
    report = import_health_csv(csv_bytes(*GOOD_ROWS, header=header), registry.sessions, registry.keys, NOW)
    assert report.imported == 0
    assert report.errors[0][0] == 1
    assert reason in report.errors[0][1]
    assert registry.count() == 0


def test_import_refuses_a_file_that_is_not_utf8(registry: Registry) -> None:
    data = "\n".join([HEADER, *GOOD_ROWS]).encode("gbk")
    report = import_health_csv(data, registry.sessions, registry.keys, NOW)
    assert report.imported == 0
    assert "第 2 行不是 UTF-8 编码" in report.errors[0][1]
    assert registry.count() == 0


def test_import_crash_writes_nothing(registry: Registry, monkeypatch: pytest.MonkeyPatch) -> None:
    rows = [
        f",{make_resident_id('330624', datetime(1980, 1, 1).date(), n)},某人,,green,full,,,normal"
        for n in range(7)
    ]
    monkeypatch.setattr(health, "BATCH_SIZE", 2)  # some batches are flushed before the crash
    real_fill = health._fill
    calls = 0

    def failing_fill(*args: object, **kwargs: object) -> None:
        nonlocal calls
        calls += 1
        if calls == 6:
            raise RuntimeError("disk full")
        real_fill(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(health, "_fill", failing_fill)
    with pytest.raises(RuntimeError, match="disk full"):
        import_health_csv(csv_bytes(*rows), registry.sessions, registry.keys, NOW)
    assert calls == 6
    assert registry.count() == 0
    monkeypatch.setattr(health, "_fill", real_fill)
    report = import_health_csv(csv_bytes(*rows), registry.sessions, registry.keys, NOW)
    assert (report.imported, report.errors) == (7, [])
