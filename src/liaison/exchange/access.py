"""The one access rule for exchanged items, as SQL (for queries) and as Python (for rows
already loaded), and the case view that carries it to titles and summaries.

An item is a message or an attachment. Its *audience*:
- TLP:CLEAR, GREEN, AMBER: everyone the case filter lets see the case;
- TLP:RED and TLP:AMBER+STRICT (*restricted*): only users of the sending agency, of
  the receiving agency, of a named recipient agency, and the user the case is
  assigned to. Neither administrators nor liaison officers nor legal reviewers of
  another agency are in it: routing a case is not reading it. One exception, for
  need-to-know: while a message is held for legal review, the legal reviewers who
  must decide on it read it (it cannot be lawfully released unread); once decided,
  they fall out of its audience again.

A case's title and summary carry the most restrictive marking of its messages: a
caller outside the audience of any restricted message of the case sees the case
(reference, parties, status, dates) with its title and summary withheld
(``WITHHELD``). Notifications and e-mails about a restricted item never carry its
content, to anyone (they are copies outside the item's access rule); the link leads
to the case, where the rule applies.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, String, cast, func, not_, or_, select
from sqlalchemy.orm import Session, aliased

from liaison.kit.roles import Caller, Role
from liaison.models import Case, Message

RESTRICTED_TLPS = ("RED", "AMBER+STRICT")
HELD = "held_for_review"
WITHHELD = "[restricted]"


def is_restricted(tlp: str) -> bool:
    return tlp in RESTRICTED_TLPS


def audience_clause(
    caller: Caller, message: Any = Message, case: Any = Case, tlp: Any = None
) -> ColumnElement[bool]:
    """SQL: the caller is in the audience of ``message`` (of ``tlp``: an attachment's)."""
    agency = caller.agency_id
    marking = message.tlp if tlp is None else tlp
    reviewing = [message.status == HELD] if caller.role is Role.LEGAL_REVIEWER else []
    return or_(
        marking.not_in(RESTRICTED_TLPS),
        message.from_agency_id == agency,
        message.to_agency_id == agency,
        cast(message.named_recipients, String).like(f'%"{agency}"%'),
        # coalesce: this clause is negated for titles, and NOT NULL is not true
        func.coalesce(case.assigned_to, "") == caller.user_id,
        *reviewing,
    )


def in_audience(caller: Caller, message: Message, case: Case, tlp: str | None = None) -> bool:
    """Python twin of ``audience_clause`` for a loaded message and its case."""
    agency = caller.agency_id
    return (
        not is_restricted(tlp or message.tlp)
        or agency in (message.from_agency_id, message.to_agency_id)
        or agency in message.named_recipients
        or case.assigned_to == caller.user_id
        or (caller.role is Role.LEGAL_REVIEWER and message.status == HELD)
    )


def case_withheld_clause(caller: Caller) -> ColumnElement[bool]:
    """SQL, correlated with ``Case``: the case holds a restricted message the caller is
    not in the audience of, so its title and summary are withheld."""
    other = aliased(Message)
    return (
        select(other.id)
        .where(other.case_id == Case.id, not_(audience_clause(caller, other, Case)))
        .exists()
    )


def copy_text(message: Message) -> str:
    """A message's subject as copies (notifications, e-mails) may carry it."""
    return WITHHELD if is_restricted(message.tlp) else message.subject


def unseen_by_agency(db: Session, case_id: str, agency_id: str) -> list[str]:
    """The markings of the case's restricted messages whose audience the agency is not
    in (by its own standing: sender, receiver or named recipient)."""
    query = select(Message.tlp).where(
        Message.case_id == case_id,
        Message.tlp.in_(RESTRICTED_TLPS),
        Message.from_agency_id != agency_id,
        Message.to_agency_id != agency_id,
        not_(cast(Message.named_recipients, String).like(f'%"{agency_id}"%')),
    )
    return sorted(set(db.scalars(query)))


def case_is_restricted(db: Session, case_id: str) -> bool:
    """Whether the case holds a restricted message: its title stays out of copies."""
    query = select(Message.id).where(Message.case_id == case_id, Message.tlp.in_(RESTRICTED_TLPS))
    return db.scalar(query.limit(1)) is not None


@dataclass(frozen=True)
class CaseView:
    """A case as one caller may see it: a read-only copy, title and summary withheld
    when the caller is outside the audience of a restricted message of the case."""

    id: str
    reference: str
    title: str
    summary: str
    parties: list[str]
    origin_party: str
    kind: str
    status: str
    assigned_to: str | None
    created_by: str
    created_at: datetime
    updated_at: datetime
    withheld: bool

    @classmethod
    def of(cls, case: Case, *, withheld: bool) -> CaseView:
        return cls(
            id=case.id,
            reference=case.reference,
            title=WITHHELD if withheld else case.title,
            summary=(WITHHELD if case.summary else "") if withheld else case.summary,
            parties=list(case.parties),
            origin_party=case.origin_party,
            kind=case.kind,
            status=case.status,
            assigned_to=case.assigned_to,
            created_by=case.created_by,
            created_at=case.created_at,
            updated_at=case.updated_at,
            withheld=withheld,
        )
