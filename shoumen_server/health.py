"""The health registry: what the health authority knows of a person, behind one interface.

`HealthSource` is what the rest of the server asks; `RegistryHealthSource` answers from the
`persons` table (fed by `import-health` and the demo seed), so a real provider can replace it.

Document numbers, names and phones are encrypted at rest and found through keyed hashes; a
person's `person_ref` is a random opaque token, never derived from the document number, and it
never changes once given (personal codes carry it).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol, cast

from sqlalchemy import ColumnElement, Row, Select, Table, bindparam, select
from sqlalchemy.orm import Session

from shoumen_core.codes import issue_personal_code
from shoumen_core.identity import Document, DocumentKind, mask_document, mask_name
from shoumen_core.policy import CodeColour, HealthSnapshot, NatResult, TravelStatus, Vaccination
from shoumen_server import direct
from shoumen_server.deps import ServerContext
from shoumen_server.keys import KeyStore
from shoumen_server.models import Person
from shoumen_server.settings import ServerSettings

BATCH_SIZE = 500


@dataclass(frozen=True)
class PersonRecord:
    """A person as a guard may see them: masked, with the latest health data (no temperature)."""

    person_ref: str
    masked_name: str
    masked_id: str
    snapshot: HealthSnapshot


class HealthSource(Protocol):
    def find_by_document(self, kind: DocumentKind | str, number: str) -> PersonRecord | None: ...

    def find_by_ref(self, person_ref: str) -> PersonRecord | None: ...

    def find_by_phone(self, phone: str) -> PersonRecord | None: ...


def document_hash(keys: KeyStore, kind: DocumentKind | str, number: str) -> str:
    """The lookup key of a (normalised) document: kind and number, never one without the other."""
    return keys.keyed_hash("doc", f"{DocumentKind(kind).value}|{number}")


def phone_hash(keys: KeyStore, phone: str) -> str:
    """`phone` is the bare 11 digits (shoumen_core.phone.normalise_phone)."""
    return keys.keyed_hash("phone", phone)


def person_record(row: Person | Row[Any]) -> PersonRecord:
    """A person's record from their entity or a row of `_RECORD_COLUMNS`."""
    return PersonRecord(
        person_ref=row.person_ref,
        masked_name=row.masked_name,
        masked_id=row.masked_id,
        snapshot=HealthSnapshot(
            code_colour=CodeColour(row.code_colour),
            vaccination=Vaccination(row.vaccination),
            nat_sampled_at=row.nat_sampled_at,
            nat_result=None if row.nat_result is None else NatResult(row.nat_result),
            travel=TravelStatus(row.travel),
        ),
    )


class RegistryHealthSource:
    """The `persons` table as a HealthSource; one per session (a request or a CLI command)."""

    def __init__(self, session: Session, keys: KeyStore) -> None:
        self._session = session
        self._keys = keys

    def _one(self, statement: Select[Any], value: str) -> PersonRecord | None:
        row = next(iter(direct.run(self._session, statement, {"value": value})), None)
        return None if row is None else person_record(row)

    def find_by_document(self, kind: DocumentKind | str, number: str) -> PersonRecord | None:
        return self._one(_BY_DOC_HASH, document_hash(self._keys, kind, number))

    def find_by_ref(self, person_ref: str) -> PersonRecord | None:
        return self._one(_BY_REF, person_ref)

    def find_by_phone(self, phone: str) -> PersonRecord | None:
        """Several persons may share a phone (a family); the first registered answers."""
        return self._one(_BY_PHONE_HASH, phone_hash(self._keys, phone))


PERSONS = cast(Table, Person.__table__)
# What a PersonRecord needs, as plain rows: every lookup runs one of these, and loading a
# Person entity (all its columns, the ORM's identity map) cost more CPU than the query.
_RECORD_COLUMNS = [
    PERSONS.c[name]
    for name in (
        "person_ref",
        "masked_name",
        "masked_id",
        "code_colour",
        "vaccination",
        "nat_sampled_at",
        "nat_result",
        "travel",
    )
]


def _first_person(criterion: ColumnElement[bool]) -> Select[Any]:
    # Built once (building a statement per call cost more CPU than running it).
    return select(*_RECORD_COLUMNS).where(criterion).order_by(PERSONS.c.id).limit(1)


_BY_DOC_HASH = _first_person(PERSONS.c.doc_hash == bindparam("value"))
_BY_REF = _first_person(PERSONS.c.person_ref == bindparam("value"))
_BY_PHONE_HASH = _first_person(PERSONS.c.phone_hash == bindparam("value"))


# ---- writing the registry ------------------------------------------------------------------


@dataclass(frozen=True)
class PersonData:
    """One person as the health authority provides them. `document` comes from parse_document,
    `phone` (optional) from normalise_phone; the snapshot's temperature is ignored."""

    document: Document
    name: str
    snapshot: HealthSnapshot
    phone: str | None = None


def _fill(row: Person, keys: KeyStore, data: PersonData, doc_hash: str, now: datetime) -> None:
    snapshot = data.snapshot
    row.doc_kind = data.document.kind.value
    row.doc_hash = doc_hash
    row.doc_enc = keys.encrypt(data.document.number)
    row.name_enc = keys.encrypt(data.name)
    row.masked_name = mask_name(data.name)
    row.masked_id = mask_document(data.document.number)
    row.phone_hash = None if data.phone is None else phone_hash(keys, data.phone)
    row.phone_enc = None if data.phone is None else keys.encrypt(data.phone)
    row.code_colour = snapshot.code_colour.value
    row.vaccination = snapshot.vaccination.value
    row.nat_sampled_at = snapshot.nat_sampled_at
    row.nat_result = None if snapshot.nat_result is None else snapshot.nat_result.value
    row.travel = snapshot.travel.value
    row.updated_at = now


def upsert_persons(
    session: Session, keys: KeyStore, people: Iterable[PersonData], now: datetime
) -> tuple[int, int]:
    """Insert new persons and replace the data of known ones (matched by document), in batches
    of set-based lookups. Returns (inserted, updated). Flushes; the caller commits."""
    inserted = updated = 0
    batch: list[PersonData] = []

    def flush_batch(items: Sequence[PersonData]) -> None:
        nonlocal inserted, updated
        hashes = [document_hash(keys, item.document.kind, item.document.number) for item in items]
        existing = {
            row.doc_hash: row for row in session.scalars(select(Person).where(Person.doc_hash.in_(hashes)))
        }
        for item, doc_hash in zip(items, hashes, strict=True):
            row = existing.get(doc_hash)
            if row is None:
                row = Person(person_ref=secrets.token_hex(8))
                session.add(row)
                existing[doc_hash] = row  # a repeat within one batch updates, not inserts
                inserted += 1
            else:
                updated += 1
            _fill(row, keys, item, doc_hash, now)
        session.flush()

    for item in people:
        batch.append(item)
        if len(batch) >= BATCH_SIZE:
            flush_batch(batch)
            batch = []
    if batch:
        flush_batch(batch)
    return inserted, updated


def upsert_person(
    session: Session, keys: KeyStore, data: PersonData, now: datetime
) -> tuple[PersonRecord, bool]:
    """One person; returns the record and whether it was new."""
    inserted, _ = upsert_persons(session, keys, [data], now)
    row = session.scalar(
        select(Person).where(Person.doc_hash == document_hash(keys, data.document.kind, data.document.number))
    )
    assert row is not None
    return person_record(row), inserted == 1


def add_person(session: Session, keys: KeyStore, data: PersonData, now: datetime) -> PersonRecord:
    """Register (or replace) a person and return the record a guard would see."""
    return upsert_person(session, keys, data, now)[0]


# ---- personal codes ------------------------------------------------------------------------


def issue_code_for(
    source: ServerContext | KeyStore,
    record: PersonRecord,
    now: datetime,
    *,
    ttl: timedelta | None = None,
) -> str:
    """Sign the person's current snapshot into a personal code (`SMHC1.…`) valid for the
    configured TTL (settings.personal_code_ttl_hours unless `ttl` is given)."""
    if isinstance(source, ServerContext):
        keys, hours = source.keys, source.settings.personal_code_ttl_hours
    else:
        keys, hours = source, ServerSettings().personal_code_ttl_hours
    return issue_personal_code(
        key=keys.signing,
        person_ref=record.person_ref,
        masked_name=record.masked_name,
        masked_id=record.masked_id,
        snapshot=record.snapshot,
        issued_at=now,
        ttl=ttl or timedelta(hours=hours),
    )
