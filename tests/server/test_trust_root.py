"""Issue 13 §3 on the server: the trust list is signed by the trust root, carries a version that
grows with every change of the issuer keys, and a root rotation is endorsed by the old root."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from shoumen_core.trust import (
    UnknownTrustRoot,
    root_key_id,
    root_public_key,
    verify_trust_list,
)
from shoumen_server.keys import rotate_signing_key
from shoumen_server.models import ServerKey
from shoumen_server.trust_root import rotate_trust_root, trust_list_version
from tests.server.conftest import Server, key_provider
from tests.server.fixtures_sync import ctx_of, db
from tests.server.journeys import add_staff, register_venue

API = "/api/v1"


def trust_list_text(server: Server) -> str:
    r = server.client.get(f"{API}/trust-list")
    assert r.status_code == 200, r.text
    return r.text


def pull(server: Server, headers: dict[str, str], venue_id: int, cursor: str = "") -> dict[str, Any]:
    r = server.client.get(
        f"{API}/sync/pull", params={"venue_id": venue_id, "cursor": cursor}, headers=headers
    )
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def test_the_trust_list_is_signed_by_the_trust_root(server: Server) -> None:
    root = root_public_key(ctx_of(server).keys.trust_root)
    verified = verify_trust_list(trust_list_text(server), [root])
    assert verified.root_public_key == root and not verified.endorsed
    assert [k.key_id for k in verified.trust_list.keys] == [ctx_of(server).keys.signing.key_id]
    assert verified.version == 1
    with db(server) as session:
        roots = session.scalars(select(ServerKey).where(ServerKey.kind == "trust_root")).all()
        assert (
            len(roots) == 1
            and roots[0].active
            and roots[0].public == ctx_of(server).keys.trust_root.public_bytes()
        )


def test_a_new_signing_key_bumps_the_version_and_reaches_an_unchanged_venue(server: Server) -> None:
    venue_id, owner = register_venue(server)
    staff = add_staff(server, venue_id, owner, "13900000002")
    first = pull(server, staff, venue_id)
    assert pull(server, staff, venue_id, first["cursor"])["changed"] is False
    with db(server) as session:
        rotate_signing_key(session, server.clock(), key_provider(server.settings.database_url))
        assert trust_list_version(session) == 2
    ctx_of(server).reload_keys()
    again = pull(server, staff, venue_id, first["cursor"])
    assert again["changed"] is True  # the venue did not change; the trust list did
    root = root_public_key(ctx_of(server).keys.trust_root)
    trust = verify_trust_list(again["trust_list"], [root], min_version=1).trust_list
    assert trust.version == 2 and len(trust.keys) == 2
    assert pull(server, staff, venue_id, again["cursor"])["changed"] is False


def test_rotating_the_root_publishes_the_old_roots_endorsement(server: Server) -> None:
    old_root = root_public_key(ctx_of(server).keys.trust_root)
    before = verify_trust_list(trust_list_text(server), [old_root])
    with db(server) as session:
        rotation = rotate_trust_root(session, server.clock(), key_provider(server.settings.database_url))
    ctx_of(server).reload_keys()
    new_root = root_public_key(ctx_of(server).keys.trust_root)
    assert new_root != old_root
    assert rotation.old_root_id == root_key_id(old_root) and rotation.new_root_id == root_key_id(new_root)
    text = trust_list_text(server)
    # A station pinned to the old root takes it through the endorsement, and only so.
    verified = verify_trust_list(text, [old_root], min_version=before.version)
    assert verified.endorsed and verified.root_public_key == new_root
    assert verified.version == rotation.version > before.version
    stripped = verified.envelope.model_copy(update={"endorsements": ()}).to_json()
    with pytest.raises(UnknownTrustRoot):
        verify_trust_list(stripped, [old_root])
    with db(server) as session:
        active = session.scalars(
            select(ServerKey).where(ServerKey.kind == "trust_root", ServerKey.active)
        ).all()
        assert [row.public for row in active] == [ctx_of(server).keys.trust_root.public_bytes()]
    # A second rotation: a station that missed both follows the chain from its pin.
    with db(server) as session:
        rotate_trust_root(session, server.clock(), key_provider(server.settings.database_url))
    ctx_of(server).reload_keys()
    twice = verify_trust_list(trust_list_text(server), [old_root])
    assert twice.root_public_key == root_public_key(ctx_of(server).keys.trust_root)
    assert len(twice.envelope.endorsements) == 2
