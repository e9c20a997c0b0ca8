"""Requests of the typed admin client (services/admin.py: venues, staff, policy, the region).

Every AdminService method is one request to the server and keeps nothing on this device, so
the client's lane is declared here once, for all of them: the NETWORK pool. The venue and
supervisor pages say which call and what follows, e.g.
``ops.admin.request(lambda: admin.venue(venue_id)).success(...).failure(...).run(tasks, self)``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from shoumen_gui.ops.core import Op
from shoumen_gui.tasks import Lane

T = TypeVar("T")


def request(call: Callable[[], T]) -> Op[T]:
    """One AdminService call (or a few that answer one question, e.g. a venue's charts)."""
    return Op(call, Lane.NETWORK, getattr(call, "__qualname__", "admin request"))
