"""The trust list's root key on the server side: its version counter, signing, and rotation.

The root key itself is a key of kind "trust_root" (shoumen_server.keys). Two facts live in
server_meta: ``trust_list_version`` (bumped whenever the set of issuer keys changes or the root
rotates, so a device can refuse an older list) and ``trust_root_endorsements`` (the cross-
signatures of past rotations, newest last, sent with every list so a device pinned to an older
root can follow the chain once). See docs/SECURITY.md, "Trust list and its root".
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Final

from pydantic import TypeAdapter
from sqlalchemy import select
from sqlalchemy.orm import Session

from shoumen_core.codes import SigningKey
from shoumen_core.trust import (
    MAX_ENDORSEMENTS,
    RootEndorsement,
    SignedTrustList,
    endorse_root,
    root_key_id,
    root_public_key,
    sign_trust_list,
)
from shoumen_server.models import ServerKey, ServerMeta

if TYPE_CHECKING:
    from shoumen_server.keys import KeyProvider, KeyStore

VERSION_KEY: Final = "trust_list_version"
ENDORSEMENTS_KEY: Final = "trust_root_endorsements"
_ENDORSEMENTS: Final = TypeAdapter(list[RootEndorsement])


def trust_list_version(session: Session) -> int:
    row = session.get(ServerMeta, VERSION_KEY)
    return int(row.value) if row is not None else 1


def bump_trust_list_version(session: Session) -> int:
    """The next version (under a row lock on PostgreSQL, so two rotations never share one)."""
    row = session.get(ServerMeta, VERSION_KEY, with_for_update=True)
    if row is None:
        row = ServerMeta(key=VERSION_KEY, value="1")
        session.add(row)
    row.value = str(int(row.value) + 1)
    session.flush()
    return int(row.value)


def root_endorsements(session: Session) -> tuple[RootEndorsement, ...]:
    row = session.get(ServerMeta, ENDORSEMENTS_KEY)
    return () if row is None else tuple(_ENDORSEMENTS.validate_json(row.value))


def signed_trust_list(
    session: Session, keys: KeyStore, now: datetime, validity: timedelta
) -> SignedTrustList:
    """The issuers' keys valid now, at the current version, signed by the root."""
    trust_list = keys.trust_list(now, validity).model_copy(update={"version": trust_list_version(session)})
    return sign_trust_list(trust_list, keys.trust_root, root_endorsements(session))


@dataclass(frozen=True)
class RootRotation:
    old_root_id: str
    new_root_id: str
    version: int


def rotate_trust_root(session: Session, now: datetime, provider: KeyProvider | None = None) -> RootRotation:
    """A new root signs the lists from now on; the old root endorses it (a cross-signature that
    devices pinned to the old root accept once, replacing their pin). The old row stays, inactive,
    so the rotation can be audited; its private key is no longer used. The new root's secret goes
    to the key provider (the key directory), never to the database."""
    from shoumen_server.keys import add_key, session_provider, signing_key_of  # keys imports this module

    provider = provider or session_provider(session)
    active = session.scalars(
        select(ServerKey).where(ServerKey.kind == "trust_root", ServerKey.active).with_for_update()
    ).all()
    if len(active) != 1:
        raise RuntimeError("exactly one active trust root expected: run `shoumen-server migrate`")
    old_row = active[0]
    old = signing_key_of(provider, old_row)
    new = SigningKey.generate(f"trust_root-{secrets.token_hex(4)}")
    endorsement = endorse_root(old, root_public_key(new), now)
    history = [*root_endorsements(session), endorsement][-MAX_ENDORSEMENTS:]
    meta = session.get(ServerMeta, ENDORSEMENTS_KEY)
    text = _ENDORSEMENTS.dump_json(history).decode("ascii")
    if meta is None:
        session.add(ServerMeta(key=ENDORSEMENTS_KEY, value=text))
    else:
        meta.value = text
    old_row.active = False
    old_row.valid_until = now
    add_key(session, provider, "trust_root", now, new.to_pem(), new.public_bytes(), new.key_id)
    version = bump_trust_list_version(session)
    return RootRotation(
        old_root_id=root_key_id(root_public_key(old)),
        new_root_id=root_key_id(root_public_key(new)),
        version=version,
    )
