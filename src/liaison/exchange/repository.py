"""Exchange queries. What a caller may read is decided in the base query.

Who sees what (documented in docs/exchange.md):
- administrators, liaison officers and legal reviewers route and review the node's
  traffic: they see every case, except restricted (TLP:RED, TLP:AMBER+STRICT) messages
  and attachments, which only their audience sees (``exchange.access``); a case
  holding a restricted message outside the caller's audience shows with its title and
  summary withheld;
- analysts see cases assigned to them and cases with a message from or to their agency;
- viewers see no exchange content.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Select, and_, false, not_, or_, select, true
from sqlalchemy.orm import aliased

from liaison.exchange.access import (
    CaseView,
    audience_clause,
    case_withheld_clause,
    in_audience,
)
from liaison.kit import clock
from liaison.kit.i18n import Text
from liaison.kit.plugin import N_
from liaison.kit.repository import Repository, keyset_page, keyset_window
from liaison.kit.roles import Caller, Role
from liaison.models import (
    Agency,
    Attachment,
    AttachmentTransfer,
    Case,
    Clarification,
    InternalNote,
    Message,
    MessageEntity,
    User,
)

ROUTERS = frozenset({Role.ADMIN, Role.LIAISON_OFFICER, Role.LEGAL_REVIEWER})
OPEN_STATUSES = ("received", "held_for_review", "queued", "sent", "delivered")
AWAITING_ANSWER = ("received",)


@dataclass(frozen=True)
class InboxFilter:
    status: str | None = None
    priority: str | None = None
    direction: str | None = None
    due: bool = False  # due soon or overdue
    overdue: bool = False
    search: str | None = None
    case_id: str | None = None
    type: str | None = None
    assigned_to: str | None = None  # a user id: cases assigned to that user
    limit: int = 50
    cursor: str | None = None


@dataclass(frozen=True)
class EntityHit:
    entity: MessageEntity
    case: CaseView
    holder_agency_id: str  # the agency of this node that holds the message
    readable: bool  # the caller is in the audience of the message


def normalise_search(text: str) -> str:
    return " ".join(text.lower().split())


class ExchangeRepository(Repository[Caller]):
    # visibility -------------------------------------------------------------
    def _case_filter(self) -> ColumnElement[bool]:
        caller = self.caller
        if caller.role in ROUTERS:
            return true()
        if caller.role is Role.ANALYST:
            agency_message = aliased(Message)
            own_agency = (
                select(agency_message.id)
                .where(
                    agency_message.case_id == Case.id,
                    or_(
                        agency_message.from_agency_id == caller.agency_id,
                        agency_message.to_agency_id == caller.agency_id,
                    ),
                )
                .exists()
            )
            return or_(Case.assigned_to == caller.user_id, own_agency)
        return false()

    def readable_case_clause(self) -> ColumnElement[bool]:
        """SQL on ``Case``: the caller sees the case and every restricted message of it,
        so what inherits the case's markings (a controlled-delivery plan) is theirs too."""
        return and_(self._case_filter(), not_(case_withheld_clause(self.caller)))

    def _message_filter(self) -> ColumnElement[bool]:
        """The case filter, and restricted messages only for their audience."""
        return and_(self._case_filter(), audience_clause(self.caller))

    def cases_query(self) -> Select[Case]:
        return select(Case).where(self._case_filter())

    def messages_query(self) -> Select[Message]:
        return select(Message).join(Case, Case.id == Message.case_id).where(self._message_filter())

    def may_read_red(self, message: Message, case: Case, tlp: str | None = None) -> bool:
        """Restricted items (the message's marking, or ``tlp``: an attachment's) only
        for their audience (``exchange.access``)."""
        return in_audience(self.caller, message, case, tlp)

    def case_views(self, cases: Sequence[Case]) -> list[CaseView]:
        """The cases as the caller may see them: one query decides whose title and
        summary are withheld."""
        if not cases:
            return []
        withheld = set(
            self.db.scalars(
                select(Case.id).where(
                    Case.id.in_([c.id for c in cases]), case_withheld_clause(self.caller)
                )
            )
        )
        return [CaseView.of(c, withheld=c.id in withheld) for c in cases]

    def case_view(self, case: Case) -> CaseView:
        return self.case_views([case])[0]

    # single items -------------------------------------------------------------
    def case(self, case_id: str) -> Case:
        return self.one_or_404(
            self.cases_query().where(Case.id == case_id),
            Text(N_("no case %(case_id)s"), case_id=case_id),
        )

    def message(self, message_id: str) -> Message:
        query = self.messages_query().where(Message.id == message_id)
        return self.one_or_404(query, Text(N_("no message %(message_id)s"), message_id=message_id))

    def thread(self, case: Case) -> list[Message]:
        query = self.messages_query().where(Message.case_id == case.id).order_by(Message.id)
        return list(self.db.scalars(query))

    def attachments_of(self, message_ids: Sequence[str]) -> list[Attachment]:
        """Attachments of these messages the caller may read (an attachment's own
        marking may be stricter than its message's)."""
        if not message_ids:
            return []
        query = (
            select(Attachment)
            .join(Message, Message.id == Attachment.message_id)
            .join(Case, Case.id == Message.case_id)
            .where(
                Attachment.message_id.in_(message_ids),
                self._case_filter(),
                audience_clause(self.caller),
                audience_clause(self.caller, tlp=Attachment.tlp),
            )
        )
        return list(self.db.scalars(query.order_by(Attachment.created_at)))

    def transfers_of(self, message_ids: Sequence[str]) -> list[AttachmentTransfer]:
        """Inbound attachments of these messages still arriving (or failed), filtered
        like the attachments themselves."""
        if not message_ids:
            return []
        query = (
            select(AttachmentTransfer)
            .join(Message, Message.id == AttachmentTransfer.message_id)
            .join(Case, Case.id == Message.case_id)
            .where(
                AttachmentTransfer.message_id.in_(message_ids),
                self._case_filter(),
                audience_clause(self.caller),
                audience_clause(self.caller, tlp=AttachmentTransfer.tlp),
            )
        )
        return list(self.db.scalars(query.order_by(AttachmentTransfer.created_at)))

    def unsent_attachments(self, attachment_ids: Sequence[str]) -> list[Attachment]:
        """The caller's own uploads not yet sent with a message (a draft's attachments)."""
        if not attachment_ids:
            return []
        query = select(Attachment).where(
            Attachment.id.in_(list(attachment_ids)),
            Attachment.message_id.is_(None),
            Attachment.uploaded_by == f"user:{self.caller.username}",
        )
        return list(self.db.scalars(query.order_by(Attachment.created_at)))

    def notes(self, case_id: str) -> list[InternalNote]:
        query = select(InternalNote).where(InternalNote.case_id == case_id)
        return list(self.db.scalars(query.order_by(InternalNote.created_at)))

    def clarifications(self, message_ids: Sequence[str]) -> list[Clarification]:
        if not message_ids:
            return []
        query = select(Clarification).where(Clarification.message_id.in_(message_ids))
        return list(self.db.scalars(query.order_by(Clarification.asked_at)))

    def agency(self, agency_id: str) -> Agency | None:
        return self.db.get(Agency, agency_id)

    def user_by_name(self, username: str) -> User | None:
        return self.db.scalar(select(User).where(User.username == username))

    def agencies(self, agency_ids: Sequence[str]) -> dict[str, Agency]:
        """Agencies by id, in one query (names for a thread or a list)."""
        if not agency_ids:
            return {}
        rows = self.db.scalars(select(Agency).where(Agency.id.in_(set(agency_ids))))
        return {a.id: a for a in rows}

    def agencies_of(self, party_code: str, *, own: bool) -> list[Agency]:
        """The agencies of this node's party (``own``) or of every other party."""
        side = Agency.party_code == party_code if own else Agency.party_code != party_code
        return list(self.db.scalars(select(Agency).where(side).order_by(Agency.acronym)))

    def assignable_users(self, party_code: str) -> list[User]:
        """Active analysts and liaison officers of this node, for the assignment form."""
        roles = [Role.ANALYST.value, Role.LIAISON_OFFICER.value]
        query = (
            select(User)
            .join(Agency, Agency.id == User.agency_id)
            .where(Agency.party_code == party_code, User.role.in_(roles), User.is_active.is_(True))
            .order_by(User.username)
        )
        return list(self.db.scalars(query))

    def users(self, user_ids: Sequence[str]) -> dict[str, User]:
        if not user_ids:
            return {}
        return {u.id: u for u in self.db.scalars(select(User).where(User.id.in_(set(user_ids))))}

    # inbox ------------------------------------------------------------------
    def inbox(self, flt: InboxFilter) -> tuple[list[tuple[Message, Case]], str | None]:
        """Newest first, keyset-paged on the UUIDv7 id (time-ordered)."""
        query = (
            select(Message, Case)
            .join(Case, Case.id == Message.case_id)
            .where(self._message_filter())
        )
        if flt.status:
            query = query.where(Message.status == flt.status)
        if flt.priority:
            query = query.where(Message.priority == flt.priority)
        if flt.direction:
            query = query.where(Message.direction == flt.direction)
        if flt.case_id:
            query = query.where(Message.case_id == flt.case_id)
        if flt.type:
            query = query.where(Message.type == flt.type)
        if flt.assigned_to:
            query = query.where(Case.assigned_to == flt.assigned_to)
        now = clock.now()
        if flt.overdue or flt.due:
            query = query.where(
                Message.status.in_(AWAITING_ANSWER),
                Message.deadline_at.is_not(None),
                Message.paused_since.is_(None),
            )
            if flt.overdue:
                query = query.where(Message.deadline_at < now)
            else:
                query = query.where(
                    or_(Message.deadline_at < now, Message.due_soon_notified_at.is_not(None))
                )
        if flt.search:
            needle = normalise_search(flt.search)
            escaped = needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            query = query.where(Message.search_text.like(f"%{escaped}%", escape="\\"))
        window = keyset_window(query, Message.id, limit=flt.limit, cursor=flt.cursor)
        rows: list[tuple[Message, Case]] = [(m, c) for m, c in self.db.execute(window).tuples()]
        page = keyset_page(rows, limit=flt.limit, key_of=lambda row: row[0].id)
        return page.items, page.next_cursor

    # deconfliction ----------------------------------------------------------
    def entity_hits(self, keys: Sequence[str]) -> list[EntityHit]:
        """Open cases on this node (own and peer-shared) mentioning any of the keys, each
        with whether the caller is in the audience of the message that mentions it, and
        whether the case's title is withheld from the caller."""
        if not keys:
            return []
        query = (
            select(
                MessageEntity,
                Case,
                Message.direction,
                Message.from_agency_id,
                Message.to_agency_id,
                audience_clause(self.caller).label("readable"),
                case_withheld_clause(self.caller).label("withheld"),
            )
            .join(Message, Message.id == MessageEntity.message_id)
            .join(Case, Case.id == MessageEntity.case_id)
            .where(MessageEntity.key.in_(list(keys)), Case.status == "open", self._case_filter())
            .order_by(Case.updated_at.desc())
            .limit(200)
        )
        return [
            EntityHit(
                entity=row[0],
                case=CaseView.of(row[1], withheld=bool(row[6])),
                holder_agency_id=row[4] if row[2] == "in" else row[3],
                readable=bool(row[5]),
            )
            for row in self.db.execute(query).all()
        ]


def due_state(message: Message, now: datetime, due_soon_fraction: float) -> str:
    """none | ok | due_soon | overdue | paused, for lists and colours."""
    if message.deadline_at is None or message.status not in AWAITING_ANSWER:
        return "none"
    if message.paused_since is not None:
        return "paused"
    if now >= message.deadline_at:
        return "overdue"
    window = message.window_seconds or 0
    remaining = (message.deadline_at - now).total_seconds()
    return "due_soon" if remaining <= window * (1 - due_soon_fraction) else "ok"
