"""Notifications and answers across the border.

precursors.notices  one or more pre-export notifications, exporting node -> importing node
precursors.answer   the importing party's answer: legitimate, objection (with reason) or a
                    request for information; it may name the case opened on it

Both are checked by the receiver's policy (a block refuses the envelope) and audited;
the receiving node's liaison officers are notified.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from liaison.federation.outbox import enqueue
from liaison.kit import clock
from liaison.kit.i18n import Label, Text
from liaison.kit.plugin import N_, InboundContext, PayloadRefused
from liaison.kit.roles import Role
from liaison.models import PrecursorNotice
from liaison.notifications.service import notify_role
from liaison.precursors import rollup
from liaison.precursors.policy import audit, decide_inbound
from liaison.precursors.schemas import AnswerWire, NoticesWire, NoticeWire, Outcome

NOTICES = "precursors.notices"
ANSWER = "precursors.answer"
BATCH = 500  # notifications per envelope


WIRE_FIELDS = (
    "id", "reference", "exporter", "exporter_country", "importer", "importing_party",
    "consignee", "substance_cas", "substance_name", "quantity", "unit", "purpose",
    "transit_points", "point_of_entry", "licences", "container", "vessel_imo", "vessel_name",
)  # fmt: skip
MARKING_FIELDS = ("tlp", "handling_code", "legal_basis", "legal_basis_reference")


def wire_of(values: Mapping[str, Any]) -> dict[str, Any]:
    """The wire form of one notification, from its column values (a row or a dict)."""
    wire = {name: values[name] for name in WIRE_FIELDS}
    wire["markings"] = {name: values[name] for name in MARKING_FIELDS}
    for name in ("dispatch_date", "respond_by", "sent_at"):
        wire[name] = _iso(values[name])
    return wire


@lru_cache(maxsize=1024)
def _iso(value: date) -> str:
    """An import's rows share their times and most dates: each is formatted once."""
    return value.isoformat()


def notice_wire(notice: PrecursorNotice) -> dict[str, Any]:
    names = (*WIRE_FIELDS, *MARKING_FIELDS, "dispatch_date", "respond_by", "sent_at")
    return wire_of({name: getattr(notice, name) for name in names})


def send_wires(db: Session, party: str, wires: Sequence[dict[str, Any]]) -> int:
    """Queue notifications to ``party``, ``BATCH`` per envelope; returns envelopes."""
    for start in range(0, len(wires), BATCH):
        enqueue(db, NOTICES, {"notices": list(wires[start : start + BATCH])}, peers=[party])
    return -(-len(wires) // BATCH)


def send_notices(db: Session, notices: Sequence[PrecursorNotice]) -> int:
    by_party: dict[str, list[dict[str, Any]]] = {}
    for notice in notices:
        by_party.setdefault(notice.importing_party, []).append(notice_wire(notice))
    return sum(send_wires(db, party, wires) for party, wires in sorted(by_party.items()))


def apply_answer(
    db: Session, notice: PrecursorNotice, outcome: Outcome, reason: str, by: str, at: datetime
) -> None:
    """Record an answer on the notification (either node's copy) and count it. Flushes."""
    notice.status = outcome.value
    notice.answer_reason = reason
    notice.answered_by = by
    notice.answered_at = at
    db.flush()
    rollup.count_answer(db, notice)


def send_answer(db: Session, notice: PrecursorNotice) -> None:
    assert notice.answered_at is not None
    payload = AnswerWire(
        notice_id=notice.id,
        outcome=Outcome(notice.status),
        reason=notice.answer_reason,
        answered_by=notice.answered_by,
        answered_at=notice.answered_at,
        case_id=notice.case_id,
    )
    enqueue(db, ANSWER, payload.model_dump(mode="json"), peers=[notice.exporting_party])


def _row(wire: NoticeWire, sender: str, received_at: Any) -> PrecursorNotice:
    data = wire.model_dump(exclude={"markings"})
    markings = wire.markings
    return PrecursorNotice(
        **data,
        direction="in",
        exporting_party=sender,
        route="-".join([sender, *wire.transit_points, wire.importing_party]),
        tlp=markings.tlp.value,
        handling_code=markings.handling_code.value,
        legal_basis=markings.legal_basis.value,
        legal_basis_reference=markings.legal_basis_reference,
        status="received",
        created_by=f"peer:{sender}",
        created_at=received_at,
    )


def receive_notices(db: Session, context: InboundContext, payload: dict[str, Any]) -> None:
    message = NoticesWire.model_validate(payload)
    own = context.settings.party
    ids = [n.id for n in message.notices]
    have = set(db.scalars(select(PrecursorNotice.id).where(PrecursorNotice.id.in_(ids))))
    now = clock.now()
    rows = []
    for wire in message.notices:
        if wire.importing_party != own:
            raise PayloadRefused(
                "invalid_payload", f"notification {wire.id} is addressed to {wire.importing_party}"
            )
        if wire.id not in have:
            rows.append(_row(wire, context.sender_party, now))
    if not rows:
        return
    decision = decide_inbound(
        db, rows[0], context, object_type="precursors.notices", object_id=context.envelope_id
    )
    db.add_all(rows)
    db.flush()
    rollup.count_new(db, rows)
    audit(
        db,
        decision,
        actor=f"peer:{context.sender_party}",
        action="precursors.notices.receive",
        object_type="precursors.notices",
        object_id=context.envelope_id,
        detail={"count": len(rows), "ids": [r.id for r in rows[:20]]},
    )
    first = rows[0]
    reference: str | Text = first.reference
    if len(rows) > 1:
        reference = Text(
            N_("%(listed)s and %(more)s more"), listed=first.reference, more=len(rows) - 1
        )
    notify_role(
        db,
        party_code=own,
        roles=[Role.LIAISON_OFFICER],
        subject=Text(
            N_("Pre-export notification from %(party)s: %(reference)s"),
            party=context.sender_party,
            reference=reference,
        ),
        body=Text(
            N_(
                "%(exporter)s notifies %(quantity)s %(unit)s of %(substance)s for %(importer)s; "
                "answer by %(due)s."
            ),
            exporter=first.exporter,
            quantity=f"{first.quantity:g}",
            unit=first.unit,
            substance=first.substance_name,
            importer=first.importer,
            due=first.respond_by,
        ),
        link=f"/precursors/notices/{first.id}",
    )


def receive_answer(db: Session, context: InboundContext, payload: dict[str, Any]) -> None:
    message = AnswerWire.model_validate(payload)
    notice = db.get(PrecursorNotice, message.notice_id)
    if notice is None or notice.direction != "out":
        raise PayloadRefused("invalid_payload", f"no notification {message.notice_id} of ours")
    if notice.importing_party != context.sender_party:
        raise PayloadRefused("policy_refused", "only the importing party answers a notification")
    if notice.answered_at is not None:
        return
    decision = decide_inbound(db, notice, context, object_type="precursors.answer", answer=True)
    if message.case_id and notice.case_id is None:
        notice.case_id = message.case_id
    apply_answer(db, notice, message.outcome, message.reason, message.answered_by,
                 message.answered_at)  # fmt: skip
    audit(
        db,
        decision,
        actor=f"peer:{context.sender_party}",
        action="precursors.notice.answered",
        object_type="precursors.notice",
        object_id=notice.id,
        detail={"outcome": notice.status, "case_id": notice.case_id},
    )
    notify_role(
        db,
        party_code=context.settings.party,
        roles=[Role.LIAISON_OFFICER],
        subject=Text(
            N_("%(party)s answered %(reference)s: %(answer)s"),
            party=context.sender_party,
            reference=notice.reference,
            answer=Label(notice.status),
        ),
        body=message.reason
        or Text(
            N_("%(substance)s for %(importer)s: %(answer)s."),
            substance=notice.substance_name,
            importer=notice.importer,
            answer=Label(notice.status),
        ),
        link=f"/precursors/notices/{notice.id}",
        kind="danger" if notice.status == "objection" else "info",
    )
