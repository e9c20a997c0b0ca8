"""Demo data: a Xinchang supervisor, two venues with owners and guards, and a health registry
whose persons cover every verdict path (docs/DEMO.md lists the ones a person can try).

Deterministic (random.Random(seed)) apart from the random person_refs and key material, and
idempotent: a `demo_seeded` row in server_meta says it is done. NAT sampling times are set
relative to the seed time, so they age; `refresh_demo_times` (``seed-demo --refresh-times``)
moves them back relative to now.
"""

from __future__ import annotations

import json
import logging
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from shoumen_core.identity import Document, DocumentKind, make_resident_id, parse_document
from shoumen_core.policy import CodeColour, HealthSnapshot, NatResult, TravelStatus, Vaccination, VerdictLevel
from shoumen_core.schemas import CheckpointIn, StaffIn, VenueIn
from shoumen_core.timeutil import local_day
from shoumen_server import venue_admin
from shoumen_server.db import make_session_factory, session_scope
from shoumen_server.health import PersonData, document_hash, upsert_persons
from shoumen_server.keys import KeyStore
from shoumen_server.models import Checkpoint, Person, ServerMeta

log = logging.getLogger("shoumen.server.seed")

DEFAULT_SEED = 20221
META_KEY = "demo_seeded"
SYNTHETIC_PERSONS = 240

SUPERVISOR = ("13900000000", "王督导", "330624", "新昌县南明街道")
HOSPITAL_OWNER = ("13900000001", "张店主")
HOSPITAL_STAFF = (("13900000002", "李保安"), ("13900000003", "赵保安"))
SHOP_OWNER = ("13900000004", "刘老板")
HOSPITAL_NAME = "新昌县人民医院"
SHOP_NAME = "南明街道便民超市"


@dataclass(frozen=True)
class DemoPath:
    """One verdict path, with the fixed person who walks it (listed in docs/DEMO.md)."""

    key: str  # file-name safe: demo-codes writes <key>_<n>.png
    title: str
    kind: DocumentKind
    number: str
    name: str
    colour: CodeColour
    vaccination: Vaccination
    nat_hours: float | None  # NAT sampled this many hours before the seed time
    nat_result: NatResult | None
    travel: TravelStatus
    expected: VerdictLevel  # under the default VenuePolicy, at the seed time
    nat_band: tuple[float, float] = (2.0, 40.0)  # NAT age range of synthetic persons on this path


def _rid(region: str, born: str, seq: int) -> str:
    return make_resident_id(region, date.fromisoformat(born), seq)


_G, _Y, _R, _N = CodeColour.GREEN, CodeColour.YELLOW, CodeColour.RED, CodeColour.NONE
_FULL, _BOOST = Vaccination.FULL, Vaccination.BOOSTER
_NEG, _OK = NatResult.NEGATIVE, TravelStatus.NORMAL
_PASS, _REVIEW, _DENY = VerdictLevel.PASS, VerdictLevel.REVIEW, VerdictLevel.DENY
_ID = DocumentKind.RESIDENT_ID

# fmt: off
DEMO_PATHS: tuple[DemoPath, ...] = (
    DemoPath("green_fresh", "绿码，10 小时前核酸阴性", _ID, _rid("330624", "1985-03-12", 101), "陈建国",
             _G, _FULL, 10, _NEG, _OK, _PASS),
    DemoPath("nat_47h", "绿码，核酸 47 小时前（48 小时内）", _ID, _rid("330624", "1990-07-08", 112), "周丽华",
             _G, _BOOST, 47, _NEG, _OK, _PASS, (44.0, 47.5)),
    DemoPath("nat_49h", "绿码，核酸 49 小时前（超过 48 小时）", _ID, _rid("330624", "1978-11-23", 123), "吴志强",
             _G, _FULL, 49, _NEG, _OK, _REVIEW, (48.5, 70.0)),
    DemoPath("no_nat", "绿码，无核酸记录", _ID, _rid("330624", "1956-02-14", 134), "郑秀英",
             _G, _FULL, None, None, _OK, _REVIEW),
    DemoPath("nat_pending", "绿码，核酸结果待出", _ID, _rid("330602", "1995-05-30", 145), "孙浩然",
             _G, _FULL, 6, NatResult.PENDING, _OK, _REVIEW, (1.0, 20.0)),
    DemoPath("nat_positive", "核酸阳性", _ID, _rid("330681", "1988-09-09", 156), "钱伟",
             _G, _FULL, 20, NatResult.POSITIVE, _OK, _DENY),
    DemoPath("yellow", "黄码", _ID, _rid("330624", "1972-12-01", 167), "杨红梅",
             _Y, _FULL, 10, _NEG, _OK, _DENY),
    DemoPath("red", "红码", _ID, _rid("330624", "1969-04-18", 178), "黄金龙",
             _R, Vaccination.PARTIAL, 30, _NEG, _OK, _DENY),
    DemoPath("no_code", "未申领本地健康码（外省来新）", _ID, _rid("510104", "1993-06-15", 189), "欧阳娜娜",
             _N, _FULL, 20, _NEG, _OK, _REVIEW),
    DemoPath("travel_abnormal", "行程卡异常", _ID, _rid("330624", "1983-08-08", 190), "林晓东",
             _G, _FULL, 10, _NEG, TravelStatus.ABNORMAL, _REVIEW),
    DemoPath("travel_unverified", "行程卡未核验", _ID, _rid("330624", "2001-01-20", 201), "何雨欣",
             _G, _FULL, 10, _NEG, TravelStatus.UNVERIFIED, _REVIEW),
    DemoPath("vacc_none", "未接种疫苗（儿童）", _ID, _rid("330624", "2015-03-03", 212), "马小宝",
             _G, Vaccination.NONE, 10, _NEG, _OK, _PASS),
    DemoPath("vacc_partial", "未完成全程接种", _ID, _rid("330624", "1949-10-01", 223), "罗桂兰",
             _G, Vaccination.PARTIAL, 10, _NEG, _OK, _PASS),
    DemoPath("vacc_full", "已完成全程接种", _ID, _rid("330624", "1980-05-05", 234), "朱国平",
             _G, _FULL, 10, _NEG, _OK, _PASS),
    DemoPath("vacc_booster", "已加强免疫", _ID, _rid("330624", "1975-09-18", 245), "胡美玲",
             _G, _BOOST, 10, _NEG, _OK, _PASS),
    DemoPath("hk_pass_no_code", "港澳通行证，未申领本地健康码", DocumentKind.HK_MACAO_PASS, "H12345678", "陈嘉欣",
             _N, _FULL, 30, _NEG, _OK, _REVIEW),
)
# fmt: on

DEMO_PATHS_BY_KEY: dict[str, DemoPath] = {path.key: path for path in DEMO_PATHS}

# Synthetic persons pick a path by these weights: most visitors are green and tested.
_PATH_WEIGHTS: dict[str, int] = {path.key: 2 for path in DEMO_PATHS if path.kind is _ID} | {
    "green_fresh": 30,
    "vacc_full": 10,
    "vacc_booster": 10,
}
_ZHEJIANG_REGIONS = (
    "330102", "330106", "330110", "330203", "330212", "330302", "330402", "330502",
    "330602", "330603", "330624", "330681", "330683", "330702", "330782", "330802",
    "330902", "331002", "331082", "331102",
)  # fmt: skip
_OTHER_PROVINCE_REGIONS = ("510104", "500103", "420102", "110105", "440305", "610113", "520102")
_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁"
    "任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚邵万钱严俞"
)
_COMPOUND_SURNAMES = ("欧阳", "司马", "上官", "诸葛")
_GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志红梅玉兰海燕晓东雨欣浩然子涵宇轩佳怡俊杰"
)


@dataclass(frozen=True)
class DemoPerson:
    path: DemoPath
    fixed: bool  # the documented person of the path
    data: PersonData


def _snapshot(path: DemoPath, nat_hours: float | None, now: datetime) -> HealthSnapshot:
    return HealthSnapshot(
        code_colour=path.colour,
        vaccination=path.vaccination,
        nat_sampled_at=None if nat_hours is None else now - timedelta(hours=nat_hours),
        nat_result=path.nat_result,
        travel=path.travel,
    )


def _random_name(rng: random.Random) -> str:
    surname = rng.choice(_COMPOUND_SURNAMES) if rng.random() < 0.03 else rng.choice(_SURNAMES)
    return surname + "".join(rng.choice(_GIVEN) for _ in range(rng.choice((1, 2, 2))))


def _random_birth(rng: random.Random) -> date:
    return date(1940, 1, 1) + timedelta(days=rng.randrange(365 * 75))


def demo_people(now: datetime, seed: int = DEFAULT_SEED, count: int = SYNTHETIC_PERSONS) -> list[DemoPerson]:
    """Every demo person, the fixed path persons first; the same list for the same seed."""
    today = local_day(now)
    people = [
        DemoPerson(
            path,
            True,
            PersonData(
                document=parse_document(path.number, path.kind, today=today),
                name=path.name,
                snapshot=_snapshot(path, path.nat_hours, now),
                phone=f"1370000{i + 1:04d}",
            ),
        )
        for i, path in enumerate(DEMO_PATHS)
    ]
    rng = random.Random(seed)
    keys = list(_PATH_WEIGHTS)
    weights = [_PATH_WEIGHTS[key] for key in keys]
    taken = {person.data.document.number for person in people}
    while len(people) < len(DEMO_PATHS) + count:
        path = DEMO_PATHS_BY_KEY[rng.choices(keys, weights)[0]]
        regions = _OTHER_PROVINCE_REGIONS if path.colour is _N else _ZHEJIANG_REGIONS
        number = make_resident_id(rng.choice(regions), _random_birth(rng), rng.randrange(1000))
        name = _random_name(rng)
        nat_hours = None if path.nat_hours is None else round(rng.uniform(*path.nat_band), 2)
        if number in taken:
            continue
        taken.add(number)
        data = PersonData(
            document=Document(_ID, number),  # built valid by make_resident_id
            name=name,
            snapshot=_snapshot(path, nat_hours, now),
            phone=f"1370000{len(people) + 1:04d}",
        )
        people.append(DemoPerson(path, False, data))
    return people


# ---- seeding --------------------------------------------------------------------------------


@dataclass(frozen=True)
class SeedResult:
    created: bool  # False: the database was already seeded, nothing changed
    persons: int
    venue_ids: tuple[int, ...]


@dataclass(frozen=True)
class _At:
    """The `Clocked` the venue service wants, fixed at the seed time."""

    clock: Callable[[], datetime]


def _sessions(target: sessionmaker[Session] | Engine) -> sessionmaker[Session]:
    return make_session_factory(target) if isinstance(target, Engine) else target


def _meta(session: Session) -> dict[str, object] | None:
    row = session.get(ServerMeta, META_KEY)
    return None if row is None else dict(json.loads(row.value))


def seeded_with(session: Session) -> int | None:
    """The seed the database was seeded with, None if it was not."""
    meta = _meta(session)
    return None if meta is None else int(str(meta["seed"]))


def seeded_people(session: Session, now: datetime) -> list[DemoPerson] | None:
    """The demo persons of this database (their NAT times relative to `now`), None if not seeded."""
    meta = _meta(session)
    if meta is None:
        return None
    return demo_people(now, int(str(meta["seed"])), int(str(meta.get("persons", SYNTHETIC_PERSONS))))


def _venues(session: Session, now: datetime) -> tuple[int, ...]:
    at = _At(clock=lambda: now)
    phone, name, region, region_name = SUPERVISOR
    supervisor = venue_admin.find_or_create_user(session, at, phone, name)
    supervisor.is_supervisor, supervisor.region_code, supervisor.region_name = True, region, region_name
    owner = venue_admin.find_or_create_user(session, at, *HOSPITAL_OWNER)
    hospital = venue_admin.create_venue(
        session,
        at,
        owner,
        VenueIn(
            name=HOSPITAL_NAME,
            address="浙江省绍兴市新昌县南明街道鼓山西路 117 号",
            region_code=region,
            township="南明街道",
            unit_type="medical_institution",
            contact_phone=HOSPITAL_OWNER[0],
        ),
        approved_by=supervisor,  # the demo's venues are approved: lookups work at once
    )
    gate = session.scalar(select(Checkpoint.id).where(Checkpoint.venue_id == hospital.id))
    assert gate is not None
    venue_admin.rename_checkpoint(session, at, hospital, gate, CheckpointIn(name="南门"))
    for name in ("北门", "急诊"):
        venue_admin.add_checkpoint(session, at, hospital, CheckpointIn(name=name))
    for staff_phone, staff_name in HOSPITAL_STAFF:
        # The seed registers these accounts, so it names them (filling an empty name only);
        # add_staff itself never names an account that exists (issue 13 §5).
        venue_admin.find_or_create_user(session, at, staff_phone, staff_name)
        venue_admin.add_staff(
            session, at, hospital, StaffIn(name=staff_name, phone=staff_phone), added_by=owner
        )
    shop = venue_admin.create_venue(
        session,
        at,
        venue_admin.find_or_create_user(session, at, *SHOP_OWNER),
        VenueIn(
            name=SHOP_NAME,
            address="浙江省绍兴市新昌县南明街道人民中路 58 号",
            region_code=region,
            township="南明街道",
            unit_type="supermarket",
            contact_phone=SHOP_OWNER[0],
        ),
        created_by=supervisor,  # registered on behalf of the owner
        approved_by=supervisor,
    )
    session.flush()
    return hospital.id, shop.id


def seed_demo(
    target: sessionmaker[Session] | Engine,
    keys: KeyStore,
    now: datetime,
    seed: int = DEFAULT_SEED,
    *,
    persons: int = SYNTHETIC_PERSONS,
) -> SeedResult:
    """Create the demo data in one transaction, unless the database was seeded already."""
    sessions = _sessions(target)
    with sessions() as check:
        if seeded_with(check) is not None:
            return SeedResult(created=False, persons=0, venue_ids=())
    people = demo_people(now, seed, persons)
    try:
        with session_scope(sessions) as session:
            # First, so that a concurrent seeder fails on the primary key and changes nothing.
            meta = {
                "seed": seed,
                "persons": persons,
                "seeded_at": now.isoformat(),
                "times_at": now.isoformat(),
            }
            session.add(ServerMeta(key=META_KEY, value=json.dumps(meta)))
            session.flush()
            venue_ids = _venues(session, now)
            upsert_persons(session, keys, [person.data for person in people], now)
    except IntegrityError:
        with sessions() as check:
            if seeded_with(check) is not None:
                return SeedResult(created=False, persons=0, venue_ids=())
        raise
    log.info("demo data seeded: %d persons, venues %s", len(people), venue_ids)
    return SeedResult(created=True, persons=len(people), venue_ids=venue_ids)


def refresh_demo_times(target: sessionmaker[Session] | Engine, keys: KeyStore, now: datetime) -> int:
    """Move the demo persons' NAT sampling times so their ages are again what the paths say,
    relative to `now`. Other fields are left alone. Returns the number of persons updated."""
    sessions = _sessions(target)
    with session_scope(sessions) as session:
        people = seeded_people(session, now)
        row = session.get(ServerMeta, META_KEY)
        if people is None or row is None:
            return 0
        fresh = {
            document_hash(keys, person.data.document.kind, person.data.document.number): person.data.snapshot
            for person in people
        }
        updated = 0
        hashes = list(fresh)
        for start in range(0, len(hashes), 500):
            chunk = hashes[start : start + 500]
            for person in session.scalars(select(Person).where(Person.doc_hash.in_(chunk))):
                person.nat_sampled_at = fresh[person.doc_hash].nat_sampled_at
                person.updated_at = now
                updated += 1
        row.value = json.dumps({**json.loads(row.value), "times_at": now.isoformat()})
    log.info("demo NAT times refreshed for %d persons", updated)
    return updated
