"""The demo seed (deterministic, idempotent, every verdict path, time refresh) and the demo
codes (PNG QR files, codes.json and a video whose frames decode back to the codes)."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest
import zxingcpp
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from shoumen_core.codes import verify_personal_code
from shoumen_core.identity import DocumentKind, mask_name, parse_document
from shoumen_core.policy import CodeColour, VenuePolicy, evaluate
from shoumen_core.timeutil import local_day
from shoumen_server.db import Base, make_engine, make_session_factory
from shoumen_server.demo_codes import NotSeeded, write_demo_codes
from shoumen_server.health import RegistryHealthSource, person_record
from shoumen_server.keys import KeyStore
from shoumen_server.models import Checkpoint, Membership, Person, User, Venue
from shoumen_server.seed import (
    DEMO_PATHS,
    HOSPITAL_NAME,
    SHOP_NAME,
    demo_people,
    refresh_demo_times,
    seed_demo,
)
from tests.server.conftest import copy_sqlite_template, key_provider

NOW = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)


@dataclass
class Db:
    engine: Engine
    sessions: sessionmaker[Session]
    keys: KeyStore


def open_db(url: str) -> Db:
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    with sessions() as session:
        keys = KeyStore.load(session, key_provider(url))
    return Db(engine, sessions, keys)


@pytest.fixture
def db(database_url: str) -> Iterator[Db]:
    opened = open_db(database_url)
    yield opened
    opened.engine.dispose()


@pytest.fixture
def sqlite_db(sqlite_template: Path, tmp_path: Path) -> Iterator[Db]:
    """A second, SQLite-only database (also the cheap one for the demo-code files)."""
    opened = open_db(copy_sqlite_template(sqlite_template, tmp_path / "second.db"))
    yield opened
    opened.engine.dispose()


def persons_plain(db: Db) -> list[tuple[Any, ...]]:
    """Every person decrypted, without the random parts (person_ref, ciphertexts)."""
    with db.sessions() as session:
        rows = session.scalars(select(Person)).all()
        out = [
            (
                row.doc_kind,
                db.keys.decrypt(row.doc_enc),
                db.keys.decrypt(row.name_enc),
                None if row.phone_enc is None else db.keys.decrypt(row.phone_enc),
                person_record(row).snapshot,
            )
            for row in rows
        ]
    return sorted(out, key=lambda item: (item[0], item[1]))


def structure(db: Db) -> list[tuple[Any, ...]]:
    with db.sessions() as session:
        users = {user.id: user for user in session.scalars(select(User))}
        venues = {venue.id: venue for venue in session.scalars(select(Venue))}
        out: list[tuple[Any, ...]] = [
            (u.phone, u.name, u.is_supervisor, u.region_code, u.region_name) for u in users.values()
        ]
        out += [
            (v.name, v.unit_type, v.region_code, users[v.created_by_user_id or 0].phone)
            for v in venues.values()
        ]
        out += [
            (venues[c.venue_id].name, c.name, c.active)
            for c in session.scalars(select(Checkpoint).order_by(Checkpoint.id))
        ]
        out += [
            (venues[m.venue_id].name, users[m.user_id].phone, m.role, m.state)
            for m in session.scalars(select(Membership))
        ]
    return sorted(out, key=repr)


def every_row(db: Db) -> dict[str, list[tuple[Any, ...]]]:
    with db.engine.connect() as conn:
        return {
            table.name: sorted((tuple(row) for row in conn.execute(table.select())), key=repr)
            for table in Base.metadata.sorted_tables
        }


# ---- seeding --------------------------------------------------------------------------------


def test_seed_is_deterministic(db: Db, sqlite_db: Db) -> None:
    first = seed_demo(db.sessions, db.keys, NOW)
    second = seed_demo(sqlite_db.engine, sqlite_db.keys, NOW)
    assert first.created and second.created
    assert first.persons == second.persons >= 200
    assert persons_plain(db) == persons_plain(sqlite_db)
    assert structure(db) == structure(sqlite_db)
    assert demo_people(NOW) == demo_people(NOW)
    other = {person.data.document.number for person in demo_people(NOW, seed=7)}
    mine = {person.data.document.number for person in demo_people(NOW)}
    assert {path.number for path in DEMO_PATHS} <= other & mine  # the documented persons are fixed
    assert len(mine - other) > 200


def test_seed_is_idempotent(db: Db) -> None:
    assert seed_demo(db.sessions, db.keys, NOW).created
    before = every_row(db)
    again = seed_demo(db.sessions, db.keys, NOW + timedelta(hours=5), seed=99)
    assert not again.created and again.persons == 0
    assert every_row(db) == before


def test_seed_reuses_users_who_logged_in_before(db: Db) -> None:
    with db.sessions.begin() as session:
        session.add(User(phone="13900000002", name="", created_at=NOW))
    seed_demo(db.sessions, db.keys, NOW)
    with db.sessions() as session:
        guards = session.scalars(select(User).where(User.phone == "13900000002")).all()
    assert [guard.name for guard in guards] == ["李保安"]


def test_seed_venues_people_and_roles(db: Db) -> None:
    result = seed_demo(db.sessions, db.keys, NOW)
    with db.sessions() as session:
        users = {user.phone: user for user in session.scalars(select(User))}
        hospital = session.get(Venue, result.venue_ids[0])
        shop = session.get(Venue, result.venue_ids[1])
        assert hospital is not None and shop is not None
        gates = {
            venue_id: [
                c.name
                for c in session.scalars(
                    select(Checkpoint).where(Checkpoint.venue_id == venue_id, Checkpoint.active)
                ).all()
            ]
            for venue_id in result.venue_ids
        }
        roles = {(m.venue_id, m.user_id): (m.role, m.state) for m in session.scalars(select(Membership))}
    supervisor = users["13900000000"]
    assert (supervisor.name, supervisor.is_supervisor, supervisor.region_code, supervisor.region_name) == (
        "王督导",
        True,
        "330624",
        "新昌县南明街道",
    )
    assert (hospital.name, hospital.unit_type, hospital.region_code) == (
        HOSPITAL_NAME,
        "medical_institution",
        "330624",
    )
    assert (shop.name, shop.unit_type, shop.region_code) == (SHOP_NAME, "supermarket", "330624")
    assert shop.created_by_user_id == supervisor.id  # registered on the owner's behalf
    assert VenuePolicy.model_validate_json(hospital.policy_json) == VenuePolicy()
    assert sorted(gates[hospital.id]) == sorted(["南门", "北门", "急诊"])
    assert gates[shop.id] == ["大门"]
    assert roles == {
        (hospital.id, users["13900000001"].id): ("owner", "authorised"),
        (hospital.id, users["13900000002"].id): ("staff", "authorised"),
        (hospital.id, users["13900000003"].id): ("staff", "authorised"),
        (shop.id, users["13900000004"].id): ("owner", "authorised"),
    }
    assert [users[p].name for p in ("13900000001", "13900000002", "13900000003", "13900000004")] == [
        "张店主",
        "李保安",
        "赵保安",
        "刘老板",
    ]


def test_persons_cover_every_path_with_valid_documents(db: Db) -> None:
    seed_demo(db.sessions, db.keys, NOW)
    people = demo_people(NOW)
    assert len(people) >= 200
    today = local_day(NOW)
    phones = [person.data.phone for person in people]
    assert len(set(phones)) == len(phones)
    assert all(phone is not None and phone.startswith("1370000") and len(phone) == 11 for phone in phones)
    per_path = Counter(person.path.key for person in people)
    with db.sessions() as session:
        registry = RegistryHealthSource(session, db.keys)
        for person in people:
            document = person.data.document
            assert parse_document(document.number, document.kind, today=today).number == document.number
            if document.kind is DocumentKind.RESIDENT_ID:
                out_of_province = person.data.snapshot.code_colour is CodeColour.NONE
                assert document.number.startswith("33") != out_of_province, person.path.key
            record = registry.find_by_document(document.kind, document.number)
            assert record is not None
            # Every person, fixed or synthetic, gets what their path promises at the seed time.
            assert evaluate(record.snapshot, VenuePolicy(), NOW).level is person.path.expected, (
                person.path.key
            )
    assert all(per_path[path.key] >= 1 for path in DEMO_PATHS)
    assert sum(1 for person in people if person.fixed) == len(DEMO_PATHS)
    assert len({person.data.document.number for person in people}) == len(people)
    assert len({person.data.name for person in people}) > 150


def test_refresh_times_moves_nat_back_relative_to_now(db: Db) -> None:
    seed_demo(db.sessions, db.keys, NOW)
    later = NOW + timedelta(days=3)
    fixed = {person.path.key: person.data.document for person in demo_people(NOW) if person.fixed}

    def levels(at: datetime) -> dict[str, str]:
        with db.sessions() as session:
            registry = RegistryHealthSource(session, db.keys)
            out = {}
            for key, document in fixed.items():
                record = registry.find_by_document(document.kind, document.number)
                assert record is not None
                out[key] = evaluate(record.snapshot, VenuePolicy(), at).level.value
            return out

    expected = {path.key: path.expected.value for path in DEMO_PATHS}
    assert levels(NOW) == expected
    assert levels(later) != expected  # the 10-hour NAT is now 82 hours old
    assert refresh_demo_times(db.sessions, db.keys, later) == len(demo_people(NOW))
    assert levels(later) == expected
    green = fixed["green_fresh"]
    with db.sessions() as session:
        record = RegistryHealthSource(session, db.keys).find_by_document(green.kind, green.number)
    assert record is not None and record.snapshot.nat_sampled_at == later - timedelta(hours=10)


def test_refresh_on_an_unseeded_database_does_nothing(db: Db) -> None:
    assert refresh_demo_times(db.sessions, db.keys, NOW) == 0
    with db.sessions() as session:
        assert session.scalars(select(Person)).first() is None


# ---- demo codes -----------------------------------------------------------------------------


QR_ONLY = zxingcpp.BarcodeFormats([zxingcpp.BarcodeFormat.QRCode])


def decode(image: np.ndarray[Any, Any] | None) -> list[str]:
    assert image is not None
    return [result.text for result in zxingcpp.read_barcodes(image, formats=QR_ONLY)]


def test_demo_codes_files_decode_to_their_codes(sqlite_db: Db, tmp_path: Path) -> None:
    seed_demo(sqlite_db.sessions, sqlite_db.keys, NOW)
    out = tmp_path / "codes"
    codes = write_demo_codes(out, sqlite_db.sessions, sqlite_db.keys, NOW, per_path=2)
    index = json.loads((out / "codes.json").read_text(encoding="utf-8"))
    assert list(index) == [code.file for code in codes]
    paths = Counter(code.path for code in codes)
    assert set(paths) == {path.key for path in DEMO_PATHS}
    assert paths["green_fresh"] == 2 and paths["hk_pass_no_code"] == 1  # only one HK pass holder
    trust = sqlite_db.keys.trust_list(NOW, timedelta(days=7))
    expected = {path.key: path.expected.value for path in DEMO_PATHS}
    for name, entry in index.items():
        assert name == f"{entry['path']}_{name.rsplit('_', 1)[1]}"
        assert (out / name).is_file()
        image = cv2.imread(str(out / name), cv2.IMREAD_GRAYSCALE)
        assert decode(image) == [entry["code"]], name
        assert entry["code"].isascii()
        verified = verify_personal_code(entry["code"], trust, NOW)
        assert verified.masked_name == entry["masked_name"]
        assert entry["level"] == expected[entry["path"]]
    assert sorted(p.name for p in out.iterdir()) == sorted([*index, "codes.json", "demo.mp4"])

    capture = cv2.VideoCapture(str(out / "demo.mp4"))
    assert capture.get(cv2.CAP_PROP_FRAME_WIDTH) == 640 and capture.get(cv2.CAP_PROP_FRAME_HEIGHT) == 480
    assert capture.get(cv2.CAP_PROP_FPS) == pytest.approx(10)
    shown: list[str] = []
    frames = blank = 0
    while True:
        ok, frame = capture.read()
        if not ok:
            break
        frames += 1
        if frames % 5 != 3:  # one frame in five is enough: every code is shown for 15
            continue
        texts = decode(cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY))
        if not texts:
            blank += 1
        elif not shown or shown[-1] != texts[0]:
            shown.append(texts[0])
    capture.release()
    assert shown == [entry["code"] for entry in index.values()]
    assert frames == 5 + len(codes) * 20
    assert blank >= len(codes) + 1  # the gaps between codes are blank


def test_demo_codes_need_a_seeded_database(sqlite_db: Db, tmp_path: Path) -> None:
    with pytest.raises(NotSeeded, match="seed-demo"):
        write_demo_codes(tmp_path / "codes", sqlite_db.sessions, sqlite_db.keys, NOW)


def test_demo_md_lists_every_path_as_seeded() -> None:
    """docs/DEMO.md is what a person tries: its table must match the seed."""
    text = (Path(__file__).resolve().parents[2] / "docs" / "DEMO.md").read_text(encoding="utf-8")
    rows = {}
    for line in text.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 8 and cells[1].startswith("`"):
            rows[cells[1].strip("`")] = cells
    assert list(rows) == [path.key for path in DEMO_PATHS]
    words = {"pass": "PASS", "review": "REVIEW", "deny": "DENY"}
    for person in demo_people(NOW):
        if not person.fixed:
            continue
        cells = rows[person.path.key]
        assert cells[2].split("`")[1] == person.data.document.number
        assert cells[3] == mask_name(person.data.name)
        assert cells[4] == person.data.phone
        assert cells[6].endswith(words[person.path.expected.value])
        reasons = [
            f.reason for f in evaluate(person.data.snapshot, VenuePolicy(), NOW).findings if f.state != "ok"
        ]
        assert cells[7] == (", ".join(reasons) or "—")
