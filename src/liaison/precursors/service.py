"""Notifications: send one (or a validated batch), answer one received, each through the
policy engine, the outbox and the audit log. Services flush, never commit."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from liaison.config import Settings
from liaison.kit import clock
from liaison.kit.errors import Conflict, FieldError, Forbidden, ValidationFailed, summary
from liaison.kit.i18n import Text
from liaison.kit.ids import new_id
from liaison.kit.plugin import N_
from liaison.kit.roles import Caller, Role
from liaison.ledger.service import record
from liaison.models import Peer, PrecursorNotice, PrecursorSubstance
from liaison.policy.schemas import Decision, Direction
from liaison.precursors import federation, holds, register, rollup, ties
from liaison.precursors.policy import audit, decide
from liaison.precursors.repository import PrecursorRepository
from liaison.precursors.schemas import (
    AnswerIn,
    CaseIn,
    Markings,
    NoticeFields,
    NoticeIn,
    Outcome,
)

FIELDS = tuple(name for name in NoticeFields.model_fields if name != "reference")
SENDERS = frozenset({Role.ADMIN, Role.LIAISON_OFFICER, Role.ANALYST})


def check_sender(caller: Caller) -> None:
    if caller.role not in SENDERS:
        raise Forbidden(
            N_(
                "only liaison officers, analysts and administrators send, "
                "answer or report precursor items"
            )
        )


def peer_parties(db: Session) -> set[str]:
    return set(db.scalars(select(Peer.party_code)))


def notice_values(
    data: NoticeFields,
    substance: PrecursorSubstance,
    *,
    own_party: str,
    markings: Markings,
    respond_by: datetime,
    actor: str,
    now: datetime,
    batch: str | None = None,
) -> dict[str, Any]:
    """Every column of the exporting node's copy of a notification."""
    notice_id = new_id()
    values = {name: getattr(data, name) for name in FIELDS}  # validated already: no dump
    return values | {
        "id": notice_id,
        "reference": data.reference or f"{own_party}-PEN-{notice_id[-12:].upper()}",
        "direction": "out",
        "exporting_party": own_party,
        "substance_name": substance.name,
        "route": "-".join([own_party, *data.transit_points, data.importing_party]),
        "tlp": markings.tlp.value,
        "handling_code": markings.handling_code.value,
        "legal_basis": markings.legal_basis.value,
        "legal_basis_reference": markings.legal_basis_reference,
        "status": "sent",
        "respond_by": respond_by,
        "answer_reason": "",
        "answered_by": "",
        "answered_at": None,
        "overdue_flagged_at": None,
        "case_id": None,
        "import_batch": batch,
        "created_by": actor,
        "created_at": now,
        "sent_at": now,
    }


def destination_errors(data: NoticeFields, own_party: str, peers: set[str]) -> list[FieldError]:
    if data.importing_party == own_party:
        return [FieldError("importing_party", N_("a notification goes to another party"))]
    if data.importing_party not in peers:
        return [
            FieldError(
                "importing_party",
                Text(
                    N_("%(party)s is not a peer of this node: Liaison notifies pinned peers only"),
                    party=data.importing_party,
                ),
            )
        ]
    return []


class NoticeService:
    def __init__(self, db: Session, caller: Caller, settings: Settings) -> None:
        self.db = db
        self.caller = caller
        self.settings = settings
        self.repo = PrecursorRepository(db, caller)

    @property
    def actor(self) -> str:
        return f"user:{self.caller.username}"

    def check_may_send(self) -> None:
        check_sender(self.caller)

    def release(self, rows: Sequence[PrecursorNotice], *, object_id: str) -> Decision:
        """Policy (one decision for rows marked alike), then store, queue, count, audit.

        A decision that needs a legal reviewer stores the rows held (nothing is sent)
        and puts them in the review queue; the reviewer's approval sends them."""
        decision = decide(
            self.db,
            rows[0],
            Direction.OUTBOUND,
            actor=self.actor,
            object_type="precursors.notices",
            object_id=object_id,
        )
        held = decision.holds_for_review()
        for row in rows:
            row.status = holds.HELD if held else "sent"
        self.db.add_all(rows)
        self.db.flush()
        envelopes = 0
        if held:
            holds.hold(
                self.db,
                rows[0],
                decision,
                object_type=holds.NOTICE,
                object_id=object_id,
                actor=self.actor,
            )
        else:
            envelopes = federation.send_notices(self.db, rows)
            rollup.count_new(self.db, rows)
        audit(
            self.db,
            decision,
            actor=self.actor,
            action="precursors.notices.send",
            object_type="precursors.notices",
            object_id=object_id,
            detail={
                "count": len(rows),
                "envelopes": envelopes,
                "status": rows[0].status,
                "ids": [r.id for r in rows[:20]],
            },
        )
        return decision

    def create(self, data: NoticeIn) -> PrecursorNotice:
        self.check_may_send()
        registry = register.by_cas(self.db)
        errors = [
            *register.substance_errors(registry, data.substance_cas, data.unit),
            *destination_errors(data, self.settings.party, peer_parties(self.db)),
        ]
        if errors:
            raise ValidationFailed(summary(errors), errors=errors)
        now = clock.now()
        values = notice_values(
            data,
            registry[data.substance_cas],
            own_party=self.settings.party,
            markings=data.markings,
            respond_by=now + timedelta(days=data.respond_within_days),
            actor=self.actor,
            now=now,
        )
        row = PrecursorNotice(**values)
        self.release([row], object_id=row.id)
        return row

    def answer(self, notice_id: str, data: AnswerIn) -> PrecursorNotice:
        """The importing party's answer; it goes back to the exporting party."""
        self.check_may_send()
        notice = self.repo.notice(notice_id)
        if notice.direction != "in":
            raise ValidationFailed.on_field(
                "notice_id", N_("only the importing party answers a notification")
            )
        if notice.answered_at is not None:
            raise Conflict(
                Text(
                    N_("%(reference)s was already answered: %(status)s"),
                    reference=notice.reference,
                    status=notice.status,
                )
            )
        if notice.status == holds.HELD:
            raise Conflict(
                Text(
                    N_("%(reference)s: an answer is already held for legal review"),
                    reference=notice.reference,
                )
            )
        if data.outcome is not Outcome.LEGITIMATE and not data.reason:
            raise ValidationFailed.on_field(
                "reason", N_("an objection or a request for information states its reason")
            )
        decision = decide(
            self.db,
            notice,
            Direction.OUTBOUND,
            actor=self.actor,
            object_type="precursors.answer",
            answer=True,
        )
        by = self.caller.display_name or self.caller.username
        held = decision.holds_for_review()  # held like a notification, not refused
        if held:
            holds.hold_answer(
                self.db,
                notice,
                decision,
                outcome=data.outcome,
                reason=data.reason,
                by=by,
                actor=self.actor,
            )
        else:
            federation.apply_answer(self.db, notice, data.outcome, data.reason, by, clock.now())
        if data.open_case:
            self._open_case(notice, CaseIn(note=data.reason))
        if not held:
            federation.send_answer(self.db, notice)
        audit(
            self.db,
            decision,
            actor=self.actor,
            action="precursors.notice.answer",
            object_type="precursors.notice",
            object_id=notice.id,
            detail={"outcome": notice.status, "to_party": notice.exporting_party},
        )
        return notice

    def _open_case(self, notice: PrecursorNotice, data: CaseIn) -> str:
        peer = notice.exporting_party if notice.direction == "in" else notice.importing_party
        outcome = "" if notice.status in ("sent", "received") else f" ({notice.status})"
        title = f"PEN {notice.reference}{outcome}: {notice.substance_name} for {notice.importer}"
        body = (
            f"Pre-export notification {notice.reference}: {notice.exporter} "
            f"({notice.exporting_party}) to {notice.importer} ({notice.importing_party}), "
            f"consignee {notice.consignee or 'not stated'}; {notice.quantity:g} {notice.unit} of "
            f"{notice.substance_name} (CAS {notice.substance_cas}); route {notice.route}, entry "
            f"at {notice.point_of_entry}, dispatch {notice.dispatch_date.isoformat()}."
        )
        if notice.answer_reason:
            body += f"\nAnswer: {notice.status}: {notice.answer_reason}"
        case_id = ties.open_case(
            self.db,
            self.caller,
            self.settings,
            notice,
            data,
            title=title[:300],
            body=body,
            peer_party=peer,
        )
        notice.case_id = notice.case_id or case_id
        record(
            self.db,
            actor=self.actor,
            action="precursors.notice.case",
            object_type="precursors.notice",
            object_id=notice.id,
            detail={"case_id": case_id, "joined": bool(data.join_case_id)},
        )
        self.db.flush()
        return case_id

    def open_case(self, notice_id: str, data: CaseIn) -> str:
        """Open an exchange case from the notification (or add it to a case)."""
        self.check_may_send()
        return self._open_case(self.repo.notice(notice_id), data)
