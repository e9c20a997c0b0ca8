"""Retention: what `purge` deletes and what it keeps, at the boundaries of each period."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta

from sqlalchemy import select

from shoumen_server.audit import audit
from shoumen_server.models import (
    Anomaly,
    AuditEntry,
    AuthToken,
    Check,
    CheckCount,
    DayPerson,
    DayPersonCount,
    LookupWatch,
    RateBucket,
    SmsCode,
)
from shoumen_server.retention import PurgeReport, purge
from tests.server.conftest import Server
from tests.server.fixtures_sync import TODAY, anomaly, check, count_rows, ctx_of, db, local, push, push_ok
from tests.server.journeys import API, add_staff, register_venue

RETENTION = 28


def _stats(server: Server, headers: dict[str, str], venue_id: int, day: str) -> tuple[int, int]:
    counts = server.client.get(
        f"{API}/venues/{venue_id}/stats", params={"date": day}, headers=headers
    ).json()["counts"]
    return counts["checked"], counts["persons"]


def test_purge_keeps_the_retention_period_and_deletes_what_is_older(server: Server) -> None:
    venue_id, owner = register_venue(server)
    staff = add_staff(server, venue_id, owner, "13900000002")
    kept_day = TODAY - timedelta(days=RETENTION)  # the oldest day that stays
    gone_day = kept_day - timedelta(days=1)
    old = [check(venue_id, at=local(gone_day, 23, 59)) for _ in range(5)]
    # 00:00 local on the kept day is still 16:00 UTC of the day before: the local day counts.
    kept = [check(venue_id, at=local(kept_day, 0, 0)), check(venue_id, at=local(kept_day, 12))]
    # The server refuses a push older than its retention (issue 14 §7): the old rows reach it
    # while its retention was a day longer, as if they were pushed yesterday.
    ctx = ctx_of(server)
    ctx.settings = replace(ctx.settings, check_retention_days=RETENTION + 1)
    push_ok(server, owner, old + kept)
    push_ok(server, staff, [check(venue_id)])
    r = push(
        server,
        owner,
        anomalies=[
            anomaly(venue_id, created_at=local(gone_day, 10).isoformat()),
            anomaly(venue_id, created_at=local(kept_day, 0, 1).isoformat()),
        ],
    )
    assert r.json()["rejected"] == []
    ctx.settings = replace(ctx.settings, check_retention_days=RETENTION)
    kept_stats = _stats(server, owner, venue_id, kept_day.isoformat())
    today_stats = _stats(server, owner, venue_id, TODAY.isoformat())

    now = server.clock()
    settings = replace(server.settings, check_retention_days=RETENTION, audit_retention_days=180)
    with db(server) as session:
        audit(session, at=now - timedelta(days=180, seconds=1), actor_user_id=1, action="export")
        audit(session, at=now - timedelta(days=179, hours=23), actor_user_id=1, action="export")
        stale = session.scalar(select(SmsCode).limit(1))
        assert stale is not None
        stale.created_at = now - timedelta(days=1, seconds=1)
        token = session.scalar(select(AuthToken).order_by(AuthToken.id.desc()).limit(1))  # the staff's
        assert token is not None
        token.expires_at = now - timedelta(days=2)
    sms_before = count_rows(server, SmsCode)
    tokens_before = count_rows(server, AuthToken)
    audits_before = count_rows(server, AuditEntry)

    with ctx_of(server).sessions() as session:
        report = purge(session, now, settings, batch=2)  # small batches: the loop is exercised
    assert report.checks == 5 and report.anomalies == 1
    assert report.check_counts == 1  # one hour-level row of the old day
    # Five persons, each counted for the venue and for the owner.
    assert report.day_persons == 10 and report.day_person_counts == 2
    assert (report.audit, report.sms_codes, report.tokens) == (1, 1, 1)
    assert report.total == 5 + 1 + 1 + 10 + 2 + 1 + 1 + 1
    assert str(report).startswith("核验记录 5 条，核查登记 1 条，统计行 13 条")

    assert count_rows(server, Check) == 3
    assert count_rows(server, Check, Check.day < kept_day) == 0
    assert count_rows(server, Anomaly) == 1
    for model in (CheckCount, DayPerson, DayPersonCount):
        assert count_rows(server, model, model.day < kept_day) == 0, model
        assert count_rows(server, model, model.day == kept_day) > 0, model
    assert count_rows(server, AuditEntry) == audits_before - 1
    assert count_rows(server, SmsCode) == sms_before - 1
    assert count_rows(server, AuthToken) == tokens_before - 1
    assert _stats(server, owner, venue_id, kept_day.isoformat()) == kept_stats
    assert _stats(server, owner, venue_id, TODAY.isoformat()) == today_stats
    assert _stats(server, owner, venue_id, gone_day.isoformat()) == (0, 0)

    with ctx_of(server).sessions() as session:
        assert purge(session, now, settings) == PurgeReport()  # nothing left to do
        remaining = session.scalars(select(AuditEntry.detail).where(AuditEntry.action == "export")).all()
    assert [json.loads(d) for d in remaining] == [{}]


def test_purge_follows_the_configured_period(server: Server) -> None:
    venue_id, owner = register_venue(server)
    push_ok(server, owner, [check(venue_id, at=local(TODAY - timedelta(days=d), 9)) for d in (0, 1, 2, 3)])
    settings = replace(server.settings, check_retention_days=2)
    with ctx_of(server).sessions() as session:
        report = purge(session, server.clock(), settings)
    assert report.checks == 1
    with db(server) as session:
        days = sorted(session.scalars(select(Check.day)).all())
    assert days == [TODAY - timedelta(days=d) for d in (2, 1, 0)]


def test_purge_drops_old_lookup_figures_and_idle_rate_buckets(server: Server) -> None:
    """Issue 13 §1: the per venue-day lookup figures go with the audit log they summarise; a
    rate bucket untouched for a day is full again, so its row goes too."""
    venue_id, owner = register_venue(server)
    r = server.client.post(
        f"{API}/venues/{venue_id}/lookup", json={"document": {"number": "330624198503121020"}}, headers=owner
    )
    assert r.status_code == 200, r.text
    assert count_rows(server, LookupWatch) == 1 and count_rows(server, RateBucket) == 3
    settings = replace(server.settings, audit_retention_days=180)
    with ctx_of(server).sessions() as session:
        assert purge(session, server.clock() + timedelta(hours=23), settings) == PurgeReport()
        report = purge(session, server.clock() + timedelta(days=1, seconds=1), settings)
    assert (report.rate_buckets, report.lookup_watch) == (3, 0)
    with ctx_of(server).sessions() as session:
        report = purge(session, server.clock() + timedelta(days=181), settings)
    assert report.lookup_watch == 1
    assert count_rows(server, LookupWatch) == 0
