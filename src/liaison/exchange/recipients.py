"""Per-party status of what this node sent in a case, for its originator: in a
multilateral case each recipient party answers on its own clock.

Each first message this node sent in the case (a request, disclosure or alert that
answers nothing) is one recipient party's copy. Its state:

- ``answered`` / ``partial`` / ``refused``: that party's reply arrived (``late`` when
  after its deadline);
- ``overdue``: a request whose deadline (that party's response time, from when it
  left) has passed with no reply; ``pending``: not yet;
- ``blocked`` (the sender's policy), ``held_for_review``, ``withdrawn``: it never left;
- otherwise the message's own status (a disclosure or alert: ``sent``, ``delivered``).

Only this node's copies and the replies threaded to each are read: a recipient's
answer is never shown against another party's copy.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from pydantic import BaseModel

from liaison.exchange.deadlines import CLOCKED_TYPES
from liaison.kit import clock
from liaison.models import Message

FIRST_TYPES = frozenset({"request", "disclosure", "alert"})
ANSWERS = frozenset({"answered", "partial", "refused"})
NEVER_LEFT = frozenset({"blocked", "held_for_review", "withdrawn", "awaiting_consent"})


class RecipientStatus(BaseModel):
    party: str
    agency_id: str
    message_id: str
    type: str
    state: str  # pending | overdue | answered | partial | refused | blocked | ...
    sent_at: datetime | None
    deadline_at: datetime | None
    answered_at: datetime | None
    late: bool = False
    reply_id: str | None = None
    blocked_by: list[str] = []


def recipient_statuses(
    messages: Sequence[Message], now: datetime | None = None
) -> list[RecipientStatus]:
    """One row per recipient party's copy among ``messages`` (a case's, in order)."""
    now = now or clock.now()
    replies: dict[str, Message] = {}
    for message in messages:
        if message.direction == "in" and message.type == "reply" and message.in_reply_to:
            replies.setdefault(message.in_reply_to, message)
    rows = []
    for message in messages:
        if message.direction != "out" or message.in_reply_to is not None:
            continue
        if message.type not in FIRST_TYPES:
            continue
        reply = replies.get(message.id)
        answered_at = clock.as_utc(reply.received_at) if reply and reply.received_at else None
        deadline = clock.as_utc(message.deadline_at) if message.deadline_at else None
        rows.append(
            RecipientStatus(
                party=message.to_party,
                agency_id=message.to_agency_id,
                message_id=message.id,
                type=message.type,
                state=_state(message, deadline, now),
                sent_at=message.sent_at,
                deadline_at=deadline,
                answered_at=answered_at,
                late=bool(answered_at and deadline and answered_at > deadline),
                reply_id=reply.id if reply else None,
                blocked_by=message.reason_text.split(", ") if message.status == "blocked" else [],
            )
        )
    return rows


def _state(message: Message, deadline: datetime | None, now: datetime) -> str:
    if message.status in ANSWERS or message.status in NEVER_LEFT:
        return message.status
    if message.type not in CLOCKED_TYPES:
        return message.status
    return "overdue" if deadline is not None and now >= deadline else "pending"
