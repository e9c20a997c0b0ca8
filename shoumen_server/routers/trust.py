"""The public keys devices need offline: the trust list and the sealing key (no login)."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter

from shoumen_core.codes import TrustList
from shoumen_core.schemas import SealingKeyOut
from shoumen_server.deps import Ctx, ServerContext
from shoumen_server.keys import b64u

router = APIRouter(tags=["trust"])


def trust_list_validity(ctx: ServerContext) -> timedelta:
    return timedelta(days=ctx.settings.trust_list_validity_days)


def current_trust_list(ctx: ServerContext) -> TrustList:
    """The issuers' public keys, valid for settings.trust_list_validity_days from now."""
    return ctx.keys.trust_list(ctx.clock(), trust_list_validity(ctx))


@router.get("/trust-list", response_model=TrustList)
def trust_list(ctx: Ctx) -> TrustList:
    return current_trust_list(ctx)


@router.get("/sealing-key", response_model=SealingKeyOut)
def sealing_key(ctx: Ctx) -> SealingKeyOut:
    return SealingKeyOut(public_key=b64u(ctx.keys.sealing_public))
