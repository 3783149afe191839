"""Work on a case that sends nothing to the peer: assignment, internal notes, answers
to clarifications received outside Liaison, opening and closing.

Services flush, never commit.
"""

from __future__ import annotations

from sqlalchemy import select

from liaison.exchange import deadlines
from liaison.exchange.access import WITHHELD, case_is_restricted, unseen_by_agency
from liaison.exchange.reads import ExchangeReads
from liaison.kit import clock
from liaison.kit.errors import Conflict, Forbidden, ValidationFailed
from liaison.kit.i18n import Text
from liaison.kit.plugin import N_
from liaison.kit.roles import Role
from liaison.ledger.service import record
from liaison.models import Case, Clarification, InternalNote, Message
from liaison.notifications.service import notify

ASSIGNERS = frozenset({Role.ADMIN, Role.LIAISON_OFFICER})


class CaseWork(ExchangeReads):
    """Changes to a case that stay on this node; sending is ExchangeService's."""

    def assign(self, case_id: str, username: str) -> Case:
        if self.caller.role not in ASSIGNERS:
            raise Forbidden(N_("only liaison officers and administrators assign cases"))
        case = self.repo.case(case_id)
        user = self.repo.user_by_name(username)
        if user is None or not user.is_active:
            raise ValidationFailed.on_field(
                "username", Text(N_("no active user %(username)s"), username=username)
            )
        unseen = unseen_by_agency(self.db, case.id, user.agency_id)
        if unseen:  # an assignment would make them the audience of what they may not see
            raise Forbidden.on_field(
                "username",
                Text(
                    N_(
                        "this case holds TLP:%(unseen)s messages that %(username)s's "
                        "agency is not in the audience of"
                    ),
                    unseen="/".join(unseen),
                    username=username,
                ),
            )
        case.assigned_to = user.id
        case.updated_at = clock.now()
        record(
            self.db,
            actor=self.actor,
            action="exchange.case.assign",
            object_type="exchange.case",
            object_id=case.id,
            detail={"assigned_to": username},
        )
        notify(
            self.db,
            user_ids=[user.id],
            subject=Text(N_("Case %(case)s assigned to you"), case=case.reference),
            body=WITHHELD if case_is_restricted(self.db, case.id) else case.title,
            link=f"/exchange/cases/{case.id}",
        )
        self.db.flush()
        return case

    def add_note(self, case_id: str, text: str) -> InternalNote:
        case = self.repo.case(case_id)
        note = InternalNote(case_id=case.id, author=self.actor, text=text)
        self.db.add(note)
        self.db.flush()
        return note

    def answer_clarification(self, clarification_id: str, answer: str) -> Clarification:
        """Record an answer received outside Liaison (e.g. by phone): resumes the clock."""
        visible = self.repo.messages_query().with_only_columns(Message.id)
        query = select(Clarification).where(
            Clarification.id == clarification_id, Clarification.message_id.in_(visible)
        )
        clarification = self.repo.one_or_404(
            query,
            Text(N_("no clarification %(clarification_id)s"), clarification_id=clarification_id),
        )
        request = self.repo.message(clarification.message_id)
        if clarification.answered_at is not None:
            raise Conflict(N_("this clarification is already answered"))
        now = clock.now()
        clarification.answer = answer
        clarification.answered_at = now
        deadlines.resume(request, now)
        self.db.flush()
        return clarification

    def set_case_status(self, case_id: str, status: str) -> Case:
        if self.caller.role not in ASSIGNERS:
            raise Forbidden(N_("only liaison officers and administrators open or close cases"))
        case = self.repo.case(case_id)
        case.status = status
        case.updated_at = clock.now()
        self.db.flush()
        return case
