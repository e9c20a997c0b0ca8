"""The unmasked identity behind one abnormal check or anomaly registration of a venue (查看完整信息,
`routers/details.py` authorises and audits each request).

A check's person is read from the health registry (`persons`, by its opaque person_ref) or,
for a document typed offline, unsealed with the server's sealing key; a registration's fields
are decrypted from its own encrypted columns (`anomalies`). Where a check has a registration,
the registration fills in what the check lacks (e.g. the phone).
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from shoumen_core.codes import SealError, unseal
from shoumen_server.errors import NotFound
from shoumen_server.keys import KeyStore
from shoumen_server.models import Anomaly, Check, Person

log = logging.getLogger("shoumen.server.details")

Source = Literal["registry", "registration", "sealed"]


@dataclass(frozen=True)
class FullDetails:
    name: str
    document_kind: str | None
    document_number: str
    phone: str
    source: Source  # the most trusted place any of it came from
    person_ref: str | None  # the check's registry reference, for the audit entry


class _Found:
    """What the stored rows reveal, filled from the most trusted source first."""

    def __init__(self) -> None:
        self.name = ""
        self.document_kind: str | None = None
        self.document_number = ""
        self.phone = ""
        self.source: Source | None = None
        self.person_ref: str | None = None

    def take(self, source: Source, **values: str | None) -> None:
        for field, value in values.items():
            if value and not getattr(self, field):
                setattr(self, field, value)
        if self.source is None and any(values.values()):
            self.source = source


def _plain(keys: KeyStore, blob: bytes | None) -> str:
    return keys.decrypt(blob) if blob else ""


def _unsealed(keys: KeyStore, sealed: bytes | None) -> str:
    if not sealed:
        return ""
    try:
        return unseal(sealed, keys.sealing_private).decode("utf-8")
    except (SealError, ValueError):
        log.warning("a sealed document could not be opened")
        return ""


def _from_registration(keys: KeyStore, row: Anomaly, found: _Found) -> None:
    found.take(
        "registration",
        name=_plain(keys, row.name_enc),
        document_number=_plain(keys, row.doc_enc),
        phone=_plain(keys, row.phone_enc),
        document_kind=row.document_kind,
    )
    found.take("sealed", document_number=_unsealed(keys, row.sealed_document))


def _from_check(db: Session, keys: KeyStore, row: Check, found: _Found) -> None:
    if row.person_ref:
        found.person_ref = row.person_ref
        person = db.scalar(select(Person).where(Person.person_ref == row.person_ref))
        if person is not None:
            found.take(
                "registry",
                name=_plain(keys, person.name_enc),
                document_number=_plain(keys, person.doc_enc),
                phone=_plain(keys, person.phone_enc),
                document_kind=person.doc_kind,
            )
    found.take("sealed", document_number=_unsealed(keys, row.sealed_document))
    registration = db.scalar(select(Anomaly).where(Anomaly.check_id == row.id).order_by(Anomaly.id).limit(1))
    if registration is not None:
        _from_registration(keys, registration, found)


def full_details(
    db: Session,
    keys: KeyStore,
    venue_id: int,
    *,
    check_id: uuid.UUID | None = None,
    anomaly_id: uuid.UUID | None = None,
) -> FullDetails:
    """What the venue's check `check_id` (or else its registration `anomaly_id`) reveals.
    NotFound: no such row at this venue (check_not_found / anomaly_not_found), or nothing to
    show (no_full_details)."""
    found = _Found()
    if check_id is not None:
        check = db.get(Check, check_id)
        if check is None or check.venue_id != venue_id:
            raise NotFound("核验记录不存在或已被清理", code="check_not_found")
        _from_check(db, keys, check, found)
    else:
        registration = db.get(Anomaly, anomaly_id)
        if registration is None or registration.venue_id != venue_id:
            raise NotFound("登记不存在或已被删除", code="anomaly_not_found")
        _from_registration(keys, registration, found)
    if found.source is None:
        raise NotFound("该记录没有可查看的完整信息", code="no_full_details")
    return FullDetails(
        name=found.name,
        document_kind=found.document_kind,
        document_number=found.document_number,
        phone=found.phone,
        source=found.source,
        person_ref=found.person_ref,
    )
