"""Test set-up shared by every folder.

Qt must see QT_QPA_PLATFORM before it loads, or it aborts the whole run on a machine
without a display; so this is the first thing done.
"""

from __future__ import annotations

import os
from typing import NoReturn

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("SHOUMEN_LOG_TO_STDERR", "0")

import pytest

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def missing_part(message: str) -> NoReturn:
    """A real part the test needs (PostgreSQL, its replica, nginx) is not here: in CI a failure,
    never a skip, so that half of the suite cannot quietly disappear; on a laptop a skip."""
    if IN_CI:
        pytest.fail(message)
    pytest.skip(message)


def postgres_url() -> str:
    """The URL of the test PostgreSQL server, started by ./test.

    In CI a missing server is a failure, never a skip: the PostgreSQL half of the suite
    must not quietly disappear.
    """
    url = os.environ.get("SHOUMEN_TEST_PG_URL", "")
    if not url:
        missing_part("SHOUMEN_TEST_PG_URL is not set: run the tests through ./test, which starts PostgreSQL")
    return url


@pytest.fixture(scope="session")
def pg_server_url() -> str:
    return postgres_url()


def postgres_replica_url() -> str:
    """The URL of a streaming replica of the test PostgreSQL server, started by ./test next to
    it (scripts/pg.sh replica). As for the server: missing in CI is a failure, never a skip."""
    url = os.environ.get("SHOUMEN_TEST_PG_REPLICA_URL", "")
    if not url:
        missing_part(
            "SHOUMEN_TEST_PG_REPLICA_URL is not set: run the tests through ./test, which starts a "
            "replica of its PostgreSQL server"
        )
    return url


@pytest.fixture(scope="session")
def pg_replica_url() -> str:
    """Asked for up front by the tests that need the replica: in CI they fail before they start."""
    return postgres_replica_url()
