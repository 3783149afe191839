"""The home page's work queue: what waits for the signed-in user, section by section.

Each domain's plug-in lists its sections (``Plugin.work_queue``); a section provider is
``(db, caller, settings) -> WorkSection | None`` (``None``: nothing for this role). Every
query goes through the domain's caller-filtered repository or service, so the queue
never shows what the caller may not open.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from liaison.config import Settings
from liaison.cyber.incidents import IncidentService, IncidentStatus, reporting_clock
from liaison.exchange.deadlines import CLOCKED_TYPES, response_window
from liaison.exchange.repository import AWAITING_ANSWER, ExchangeRepository, due_state
from liaison.kit import clock
from liaison.kit.roles import Caller, Role
from liaison.kit.words import humanize
from liaison.models import Case, Message, WorkplanProposal
from liaison.notifications import service as notifications
from liaison.policy import review
from liaison.policy.review_schemas import ReviewStatus
from liaison.web.i18n import N_

SHOWN = 8  # items per section; the section links to the full list
SOON = timedelta(days=2)  # an outgoing request's expected answer this close counts as due


@dataclass(frozen=True)
class WorkItem:
    title: str
    href: str
    due: datetime | None = None  # a deadline (shown with "due in" / "overdue by")
    at: datetime | None = None  # a plain time (when it arrived)
    note: str = ""  # a message id (``N_``): the page shows it in the reader's language
    overdue: bool = False
    priority: str | None = None  # shown after the note, as a label
    proposer: str | None = None  # set for a workplan proposal: the title names who proposed


@dataclass(frozen=True)
class WorkSection:
    key: str
    title: str
    more_href: str
    empty: str
    items: list[WorkItem] = field(default_factory=list)


def _case_label(case: Case, message: Message) -> str:
    return f"{case.reference} · {message.subject}"


def requests_due(db: Session, caller: Caller, settings: Settings) -> WorkSection | None:
    """Requests to answer that are due soon or overdue, and this party's own requests
    whose answer is due (by the peer's published windows) or late."""
    if caller.role is Role.VIEWER:
        return None
    repo = ExchangeRepository(db, caller)
    now = clock.now()
    items: list[WorkItem] = []
    incoming = (
        repo.messages_query()
        .add_columns(Case)
        .where(Message.status.in_(AWAITING_ANSWER), Message.deadline_at.is_not(None))
        .order_by(Message.deadline_at)
        .limit(50)
    )
    for message, case in db.execute(incoming).tuples():
        state = due_state(message, now, settings.exchange_due_soon_fraction)
        if state in ("overdue", "due_soon"):
            items.append(
                WorkItem(
                    _case_label(case, message),
                    f"/exchange/cases/{case.id}",
                    due=message.deadline_at,
                    note=N_("to answer"),
                    priority=message.priority,
                    overdue=state == "overdue",
                )
            )
    reply = aliased(Message)
    outgoing = (
        repo.messages_query()
        .add_columns(Case)
        .where(
            Message.direction == "out",
            Message.type.in_(CLOCKED_TYPES),
            Message.status.in_(("sent", "delivered")),
            ~select(reply.id).where(reply.in_reply_to == Message.id).exists(),
        )
        .order_by(Message.id.desc())
        .limit(50)
    )
    for message, case in db.execute(outgoing).tuples():
        expected = (message.sent_at or message.created_at) + response_window(
            settings, message.priority
        )
        if expected - now <= SOON:
            items.append(
                WorkItem(
                    _case_label(case, message),
                    f"/exchange/cases/{case.id}",
                    due=expected,
                    note=N_("our request · answer expected"),
                    overdue=expected <= now,
                )
            )
    items.sort(key=lambda item: item.due or now)
    return WorkSection(
        "requests",
        N_("Requests due soon or overdue"),
        "/exchange?due=true",
        N_("No request is due in the next days, either way."),
        items[:SHOWN],
    )


def _held_title(db: Session, caller: Caller, object_type: str, object_id: str) -> str:
    """An exchange message by its case number, and by its subject for the legal reviewers
    who read what is held for them (an administrator sees the queue, not the content: a
    held TLP:RED subject is outside an administrator's audience); anything else by kind."""
    if object_type == "exchange.message":
        row = db.execute(
            select(Case.reference, Message.subject)
            .join(Message, Message.case_id == Case.id)
            .where(Message.id == object_id)
        ).first()
        if row is not None:
            if caller.role is Role.LEGAL_REVIEWER:
                return f"{row.reference} · {row.subject}"
            return f"{row.reference} · a message held for legal review"
    return humanize(object_type.replace(".", " "))


def held_for_review(db: Session, caller: Caller, settings: Settings) -> WorkSection | None:
    if caller.role not in review.QUEUE_READERS:
        return None
    held = review.list_reviews(db, caller, status=ReviewStatus.HELD, limit=SHOWN)
    items = [
        WorkItem(
            _held_title(db, caller, item.object_type, item.object_id),
            f"/policy/reviews#review-{item.id}",
            at=item.created_at,
            note="held for legal review",
        )
        for item in held
    ]
    return WorkSection(
        "reviews", N_("Held for legal review"), "/policy/reviews", N_("Nothing is waiting."), items
    )


def proposals_awaiting(db: Session, caller: Caller, settings: Settings) -> WorkSection | None:
    if caller.role is Role.VIEWER:
        return None
    query = (
        select(WorkplanProposal)
        .where(WorkplanProposal.status.in_(("open", "awaiting_countersignature")))
        .order_by(WorkplanProposal.created_at.desc())
        .limit(SHOWN)
    )
    items = []
    for proposal in db.scalars(query):
        ours = proposal.proposer_party == settings.party
        if proposal.status == "awaiting_countersignature":
            note = N_("awaiting countersignature")
        else:
            note = N_("awaiting the other party's answer") if ours else N_("awaiting your answer")
        who = proposal.proposed_by or proposal.proposer_party
        items.append(
            WorkItem(
                f"Workplan change proposed by {who}",
                f"/workplan/proposals/{proposal.id}",
                at=proposal.created_at,
                note=note,
                proposer=who,
            )
        )
    return WorkSection(
        "proposals",
        N_("Workplan proposals awaiting an answer"),
        "/workplan/proposals",
        N_("No proposal is open."),
        items,
    )


def incident_obligations(db: Session, caller: Caller, settings: Settings) -> WorkSection | None:
    open_states = {IncidentStatus.OPEN.value, IncidentStatus.CONTAINED.value}
    items = []
    for incident in IncidentService(db, caller).recent(limit=50):
        obligation = reporting_clock(incident)
        if incident.status not in open_states or obligation is None or obligation.reported_at:
            continue
        items.append(
            WorkItem(
                incident.title,
                f"/cyber/incidents/{incident.id}",
                due=obligation.due,
                note=N_("report to CERT-In"),
                overdue=obligation.overdue,
            )
        )
    return WorkSection(
        "incidents",
        N_("Incidents with open obligations"),
        "/cyber",
        N_("No incident has an open reporting obligation."),
        items[:SHOWN],
    )


def unread_notifications(db: Session, caller: Caller, settings: Settings) -> WorkSection:
    unread = [n for n in notifications.list_for(db, caller.user_id, limit=50) if not n.read_at]
    items = [
        WorkItem(n.subject, n.link or "/notifications", at=n.created_at) for n in unread[:SHOWN]
    ]
    return WorkSection(
        "notifications",
        N_("Unread notifications"),
        "/notifications",
        N_("You have read them all."),
        items,
    )
