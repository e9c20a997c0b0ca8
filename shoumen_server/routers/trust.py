"""The public keys devices need offline: the trust list and the sealing key (no login)."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter

from shoumen_core.codes import TrustList
from shoumen_core.schemas import SealingKeyOut
from shoumen_core.trust import SignedTrustList
from shoumen_server.deps import Ctx, Db, ServerContext
from shoumen_server.keys import b64u
from shoumen_server.trust_root import signed_trust_list

router = APIRouter(tags=["trust"])


def trust_list_validity(ctx: ServerContext) -> timedelta:
    return timedelta(days=ctx.settings.trust_list_validity_days)


def current_trust_list(ctx: ServerContext) -> TrustList:
    """The issuers' public keys, valid for settings.trust_list_validity_days from now (unsigned:
    for the server's own verifying)."""
    return ctx.keys.trust_list(ctx.clock(), trust_list_validity(ctx))


@router.get("/trust-list", response_model=SignedTrustList)
def trust_list(ctx: Ctx, db: Db) -> SignedTrustList:
    """The list signed by the trust root (shoumen_core.trust); devices refuse anything else."""
    return signed_trust_list(db, ctx.keys, ctx.clock(), trust_list_validity(ctx))


@router.get("/sealing-key", response_model=SealingKeyOut)
def sealing_key(ctx: Ctx) -> SealingKeyOut:
    return SealingKeyOut(public_key=b64u(ctx.keys.sealing_public))
