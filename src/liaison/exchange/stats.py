"""Reciprocity and timeliness of the exchange, for the workplan dashboard and report.

Per party: requests it sent and received, how many of those it received it answered
within their deadline or late, and its median answer time (receipt to first reply).
A node sees both directions of its own bilateral traffic, so one node's figures cover
both parties. Computing them reads every request, so the result is kept until a
message is added (the cache key is the message count and the newest creation time).
"""

from __future__ import annotations

import statistics
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from liaison.kit import clock
from liaison.models import Message
from liaison.workplan.dashboard import ExchangeStats, PartyExchangeStats

_cache: dict[tuple[str, int, datetime | None], ExchangeStats | None] = {}


def _answered(
    at: datetime, deadline: datetime | None, started: datetime, window: int | None
) -> bool:
    if deadline is not None:
        return at <= deadline
    return window is None or at - started <= timedelta(seconds=window)


def compute(db: Session) -> ExchangeStats | None:
    """The figures from the messages this node holds; None when there are no requests."""
    reply = aliased(Message)
    first_reply = (
        select(
            reply.in_reply_to.label("request_id"),
            func.min(func.coalesce(reply.sent_at, reply.received_at, reply.created_at)).label("at"),
        )
        .where(reply.type == "reply", reply.in_reply_to.is_not(None))
        .group_by(reply.in_reply_to)
        .subquery()
    )
    rows = db.execute(
        select(
            Message.from_party,
            Message.to_party,
            func.coalesce(Message.received_at, Message.sent_at, Message.created_at),
            Message.deadline_at,
            Message.window_seconds,
            first_reply.c.at,
        )
        .outerjoin(first_reply, first_reply.c.request_id == Message.id)
        .where(Message.type == "request")
    ).all()
    if not rows:
        return None
    sent: dict[str, int] = {}
    received: dict[str, int] = {}
    on_time: dict[str, int] = {}
    late: dict[str, int] = {}
    hours: dict[str, list[float]] = {}
    since: datetime | None = None
    for sender, receiver, started, deadline, window, answered_at in rows:
        sent[sender] = sent.get(sender, 0) + 1
        received[receiver] = received.get(receiver, 0) + 1
        since = started if since is None else min(since, started)
        if answered_at is None:
            continue
        answered_at, started = clock.as_utc(answered_at), clock.as_utc(started)
        deadline = clock.as_utc(deadline) if deadline is not None else None
        bucket = on_time if _answered(answered_at, deadline, started, window) else late
        bucket[receiver] = bucket.get(receiver, 0) + 1
        hours.setdefault(receiver, []).append((answered_at - started).total_seconds() / 3600)
    parties = sorted(set(sent) | set(received))
    return ExchangeStats(
        parties=[
            PartyExchangeStats(
                party_code=party,
                requests_sent=sent.get(party, 0),
                requests_received=received.get(party, 0),
                answered_within_deadline=on_time.get(party, 0),
                answered_late=late.get(party, 0),
                median_answer_hours=statistics.median(hours[party]) if party in hours else None,
            )
            for party in parties
        ],
        since=since.date() if since is not None else None,
    )


def cached(db: Session) -> ExchangeStats | None:
    """``compute``, reused while no message was added or changed since."""
    count, newest = db.execute(select(func.count(), func.max(Message.created_at))).one()
    key = (str(db.get_bind().engine.url), int(count), newest)
    if key not in _cache:
        _cache.clear()
        _cache[key] = compute(db)
    return _cache[key]
