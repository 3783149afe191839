"""Messages across the border.

Outbound: ``dispatch`` enforces the sender's policy; a decision that needs legal
review holds the message (nothing leaves), otherwise the ``exchange.message``
envelope is queued in the same transaction. The payload names each attachment (id,
filename, media type, size, SHA-256, markings); the content stays in this node's blob
store until the peer pulls it range by range (exchange/transfer_serve.py).

Inbound: ``exchange.message`` is validated, checked by the receiver's policy (its
obligations are kept on the message), threaded into the case with the same id,
its attachments stored encrypted (SHA-256 checked), the deadline clock started for
requests, and the liaison officers notified. The receiver's signed receipt accepting
the envelope is what makes the sender's message "delivered" (exchange/delivered.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from liaison.config import Settings
from liaison.exchange import deadlines
from liaison.exchange.access import copy_text
from liaison.exchange.entities import PERSON_FACT_FIELDS, Entity
from liaison.exchange.indexing import has_personal_data, index_rows, insert_index
from liaison.exchange.markings import markings_of, message_columns, policy_subject
from liaison.exchange.schemas import Outcome
from liaison.exchange.transfer_pull import expect
from liaison.exchange.transfer_wire import TRANSFER
from liaison.exchange.wire_schemas import MessageWire
from liaison.federation.outbox import enqueue
from liaison.kit import clock
from liaison.kit.i18n import Label, Text
from liaison.kit.plugin import N_, InboundContext, PayloadRefused
from liaison.kit.roles import Role
from liaison.ledger.service import record
from liaison.models import Agency, Attachment, Case, Clarification, Message
from liaison.notifications.service import notify_role
from liaison.policy import obligations, review
from liaison.policy.schemas import Decision, Direction, Effect, Tlp
from liaison.policy.service import enforce, evaluate

MESSAGE = "exchange.message"
OBJECT_TYPE = "exchange.message"


# outbound -------------------------------------------------------------------
def wire(
    db: Session,
    settings: Settings,
    message: Message,
    attachments: Sequence[Attachment] | None = None,
) -> dict[str, Any]:
    """The payload; ``attachments``: the message's, when the caller has them already."""
    case = db.get(Case, message.case_id)
    assert case is not None
    if attachments is None:
        attachments = db.scalars(
            select(Attachment).where(Attachment.message_id == message.id)
        ).all()
    payload = {
        "case_id": case.id,
        "case_reference": case.reference,
        "case_title": case.title,
        "case_summary": case.summary,
        "case_origin_party": case.origin_party,
        "case_kind": case.kind,
        "case_parties": case_parties(case, message),
        "id": message.id,
        "type": message.type,
        "in_reply_to": message.in_reply_to,
        "outcome": message.outcome,
        "reason_code": message.reason_code,
        "reason_text": message.reason_text,
        "from_agency_id": message.from_agency_id,
        "to_agency_id": message.to_agency_id,
        "originator_party": message.originator_party,
        "via_officer_ids": message.via_officer_ids,
        "priority": message.priority,
        "subject": message.subject,
        "body": message.body,
        "entities": [without_person_facts(e) for e in message.entities],
        "offences": message.offences,
        "markings": markings_of(message).model_dump(mode="json"),
        "sent_at": (message.sent_at or clock.now()).isoformat(),
        "incident_detected_at": (
            message.incident_detected_at.isoformat() if message.incident_detected_at else None
        ),
        "attachments": [
            {
                "id": a.id,
                "filename": a.filename,
                "mime": a.mime,
                "sha256": a.sha256,
                "size": a.size,
                "tlp": a.tlp,
                "handling_code": a.handling_code,
                "transfer": TRANSFER,
            }
            for a in attachments
        ],
    }
    return payload


def case_parties(case: Case, message: Message) -> list[str]:
    """The parties the recipient's copy names: a multilateral case's co-recipient
    parties (party codes, never their agencies or copies), except on a TLP:RED or
    AMBER+STRICT item, whose copy names only its sender and recipient."""
    own = {message.from_party, message.to_party}
    if message.tlp in (Tlp.RED.value, Tlp.AMBER_STRICT.value):
        return sorted(own)
    return sorted(own | set(case.parties))


def without_person_facts(entity: dict[str, Any]) -> dict[str, Any]:
    """An entity as the peer sees it: a person's protection status, feared country,
    risk flag and activity basis stay on this node (they decide, they do not travel)."""
    if entity.get("kind") != "person":
        return entity
    return {k: v for k, v in entity.items() if k not in PERSON_FACT_FIELDS}


def queue(
    db: Session,
    settings: Settings,
    message: Message,
    attachments: Sequence[Attachment] | None = None,
) -> None:
    if message.sent_at is None:  # set already when marked before its first flush
        message.sent_at = clock.now()
    if message.type in deadlines.CLOCKED_TYPES and message.deadline_at is None:
        deadlines.start(message, settings, message.sent_at)  # the requester's clock
    enqueue(db, MESSAGE, wire(db, settings, message, attachments), peers=[message.to_party])
    message.status = "sent"


def decide(
    db: Session, message: Message, *, actor: str, entities: Sequence[Entity] | None = None
) -> Decision:
    """The sender's policy on the message (raises PolicyBlocked, audited)."""
    return enforce(
        db,
        policy_subject(message, Direction.OUTBOUND, entities=entities),
        actor=actor,
        object_type=OBJECT_TYPE,
        object_id=message.id,
    )


def mark_outgoing(message: Message, decision: Decision, settings: Settings) -> None:
    """What the decision makes of a message about to be sent: its obligations, status,
    send time and, for a request, the requester's clock. Set before the message's first
    flush, so its row is inserted as it will be sent (``hold_or_queue`` then finds them
    set and changes nothing)."""
    message.obligations = [o.model_dump(mode="json") for o in decision.obligations]
    if decision.holds_for_review():
        message.status = "held_for_review"
        return
    message.status = "sent"
    message.sent_at = message.sent_at or clock.now()
    if message.type in deadlines.CLOCKED_TYPES and message.deadline_at is None:
        deadlines.start(message, settings, message.sent_at)


def hold_or_queue(
    db: Session,
    settings: Settings,
    message: Message,
    decision: Decision,
    *,
    actor: str,
    attachments: Sequence[Attachment] | None = None,
) -> None:
    """Hold for legal review when the decision asks for it, else queue. Flushes."""
    message.obligations = [o.model_dump(mode="json") for o in decision.obligations]
    obligations.open_for(
        db, decision, object_type=OBJECT_TYPE, object_id=message.id, case_id=message.case_id
    )
    if decision.holds_for_review():
        message.status = "held_for_review"
        case = db.get(Case, message.case_id)
        subject = policy_subject(message, Direction.OUTBOUND).model_copy(
            update={"case_reference": case.reference if case else None}
        )
        review.hold(
            db,
            object_type=OBJECT_TYPE,
            object_id=message.id,
            decision=decision,
            requested_by=actor,
            subject=subject,
        )
    else:
        queue(db, settings, message, attachments)
    record(
        db,
        actor=actor,
        action="exchange.message.send",
        object_type=OBJECT_TYPE,
        object_id=message.id,
        decision=decision.effect.value,
        rule_ids=decision.rule_ids,
        detail={"status": message.status, "to_party": message.to_party, "tlp": message.tlp},
    )
    db.flush()


def release_held(
    db: Session, settings: Settings, object_id: str, outcome: review.ReviewOutcome
) -> None:
    message = db.get(Message, object_id)
    if message is None or message.status != "held_for_review":
        return
    if outcome.approved:
        message.obligations = [
            *message.obligations,
            *({"kind": "review_condition", "detail": c} for c in outcome.conditions),
        ]
        queue(db, settings, message)
    else:
        message.status = "withdrawn"
        message.reason_text = outcome.reason
    db.flush()


# inbound --------------------------------------------------------------------
def _agencies(db: Session, wire_in: MessageWire, context: InboundContext) -> None:
    sender = db.get(Agency, wire_in.from_agency_id)
    if sender is None or sender.party_code != context.sender_party:
        raise PayloadRefused("invalid_payload", "from_agency_id is not an agency of the sender")
    receiver = db.get(Agency, wire_in.to_agency_id)
    if receiver is None or receiver.party_code != context.settings.party:
        raise PayloadRefused("invalid_payload", "to_agency_id is not an agency of this node")


def _case(db: Session, wire_in: MessageWire, context: InboundContext) -> Case:
    case = db.get(Case, wire_in.case_id)
    if case is None:
        case = Case(
            id=wire_in.case_id,
            reference=wire_in.case_reference,
            title=wire_in.case_title,
            summary=wire_in.case_summary,
            parties=sorted({context.sender_party, context.settings.party, *wire_in.case_parties}),
            origin_party=wire_in.case_origin_party,
            kind=wire_in.case_kind.value,
            status="open",
            created_by=f"node:{context.sender_party}",
        )
        db.add(case)
        db.flush()
    case.status = "open"  # new traffic reopens a closed case
    case.updated_at = clock.now()
    return case


def _thread(db: Session, wire_in: MessageWire, message: Message, now: Any) -> None:
    """A reply settles the request it answers; an answer to a clarification resumes it."""
    if wire_in.in_reply_to is None:
        return
    parent = db.get(Message, wire_in.in_reply_to)
    if parent is None or parent.case_id != message.case_id:
        return
    if wire_in.type == "reply" and parent.direction == "out":
        parent.status = (wire_in.outcome or Outcome.ANSWERED).value
        parent.reason_code = wire_in.reason_code.value if wire_in.reason_code else None
    open_clarifications = select(Clarification).where(
        Clarification.question_message_id == parent.id, Clarification.answered_at.is_(None)
    )
    for clarification in db.scalars(open_clarifications):
        clarification.answer = wire_in.body
        clarification.answered_at = now
        asked_on = db.get(Message, clarification.message_id)
        if asked_on is not None:
            deadlines.resume(asked_on, now)


def receive_message(db: Session, context: InboundContext, payload: dict[str, Any]) -> None:
    wire_in = MessageWire.model_validate(payload)
    if db.get(Message, wire_in.id) is not None:
        return
    _agencies(db, wire_in, context)
    now = clock.now()
    markings = wire_in.markings
    message = Message(
        id=wire_in.id,
        case_id=wire_in.case_id,
        type=wire_in.type.value,
        in_reply_to=wire_in.in_reply_to,
        direction="in",
        from_agency_id=wire_in.from_agency_id,
        to_agency_id=wire_in.to_agency_id,
        from_party=context.sender_party,
        to_party=context.settings.party,
        originator_party=wire_in.originator_party,
        via_officer_ids=wire_in.via_officer_ids,
        priority=wire_in.priority.value,
        subject=wire_in.subject,
        body=wire_in.body,
        entities=[e.model_dump(mode="json") for e in wire_in.entities],
        offences=wire_in.offences,
        contains_personal_data=has_personal_data(wire_in.entities),
        **message_columns(markings),
        status="received",
        outcome=wire_in.outcome.value if wire_in.outcome else None,
        reason_code=wire_in.reason_code.value if wire_in.reason_code else None,
        reason_text=wire_in.reason_text,
        created_by=f"node:{context.sender_party}",
        sent_at=wire_in.sent_at,
        received_at=now,
        incident_detected_at=wire_in.incident_detected_at,
    )
    entities = wire_in.entities
    decision = evaluate(db, policy_subject(message, Direction.INBOUND, entities=entities))
    record(
        db,
        actor=f"node:{context.sender_party}",
        action="exchange.message.receive",
        object_type=OBJECT_TYPE,
        object_id=message.id,
        decision=decision.effect.value,
        rule_ids=decision.rule_ids,
        detail={"case_id": wire_in.case_id, "type": message.type, "tlp": message.tlp}
        | {"citations": {hit.rule_id: hit.citation for hit in decision.rules}},
        # a refusal outlives the inbox's savepoint, which rolls back the rest
        keep=decision.effect is Effect.BLOCK,
    )
    if decision.effect is Effect.BLOCK:
        raise PayloadRefused("policy_refused", ", ".join(decision.rule_ids) or "blocked")
    message.obligations = [o.model_dump(mode="json") for o in decision.obligations]
    case = _case(db, wire_in, context)
    if message.type in deadlines.CLOCKED_TYPES:
        deadlines.start(message, context.settings, now)
    entity_rows = index_rows(message, entities)
    db.add(message)
    db.flush()
    insert_index(db, entity_rows)
    obligations.open_for(
        db, decision, object_type=OBJECT_TYPE, object_id=message.id, case_id=case.id
    )
    expect(db, context.settings, message, wire_in.attachments)
    _thread(db, wire_in, message, now)
    notify_role(
        db,
        party_code=context.settings.party,
        roles=[Role.LIAISON_OFFICER],
        subject=Text(
            N_("New %(type)s from %(party)s: %(case)s"),
            type=Label(message.type),
            party=message.from_party,
            case=case.reference,
        ),
        body=Text(
            N_("Priority %(priority)s: %(subject)s"),
            priority=Label(message.priority),
            subject=copy_text(message),
        ),
        link=f"/exchange/cases/{case.id}",
        kind="urgent" if message.priority == "urgent" else "info",
    )
    db.flush()
