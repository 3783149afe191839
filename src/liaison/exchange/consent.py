"""Onward disclosure to a third party goes through the originator's consent.

The joint pack's ``joint.onward_disclosure.consent`` blocks passing a message on to a
party other than its originator without the originator's recorded consent. When that
is the only thing in the way of a forward (the same forward with consent would pass),
the forward is not refused: it is kept with the status ``awaiting_consent`` (nothing
leaves) and an ``exchange.consent_request`` goes to the originator's node. There a
liaison officer or administrator grants or refuses it (``POST
/api/v1/exchange/consents/{id}/answer``); the ``exchange.consent_answer`` that comes
back releases the forward (decided again by the policy, now with the consent) or
withdraws it. A consent granted is on record for that message and that third party:
a later forward there goes without asking again. Every step is audited on both nodes.
A forward that other rules block (TLP:RED, AMBER+STRICT, no_onward_disclosure) is
refused as before: consent would not change it.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from liaison.config import Settings
from liaison.exchange.access import copy_text
from liaison.exchange.casework import ASSIGNERS
from liaison.exchange.federation import OBJECT_TYPE, decide, hold_or_queue, mark_outgoing
from liaison.exchange.markings import onward_subject
from liaison.exchange.schemas import ConsentStatus
from liaison.federation.outbox import enqueue
from liaison.kit import clock
from liaison.kit.errors import Conflict, Forbidden, NotFound
from liaison.kit.i18n import Label, Text
from liaison.kit.inputs import ID_PATTERN, InputModel
from liaison.kit.plugin import N_, InboundContext, PayloadRefused
from liaison.kit.roles import Caller, Role
from liaison.ledger.service import record
from liaison.models import Agency, Message, OnwardConsent
from liaison.notifications.service import notify_role
from liaison.policy.schemas import Effect
from liaison.policy.service import disclosure_record, enforce, evaluate

CONSENT_REQUEST = "exchange.consent_request"
CONSENT_ANSWER = "exchange.consent_answer"
CONSENT_TYPE = "exchange.consent"


class ConsentRequestWire(InputModel):
    id: str = Field(pattern=ID_PATTERN)
    message_id: str = Field(pattern=ID_PATTERN)
    onward_party: str = Field(min_length=2, max_length=2)
    onward_agency: str = Field(min_length=1, max_length=300)
    note: str = Field(default="", max_length=5000)


class ConsentAnswerWire(InputModel):
    id: str = Field(pattern=ID_PATTERN)
    granted: bool
    reason: str = Field(default="", max_length=2000)


def consent_on_record(db: Session, message_id: str, onward_party: str) -> bool:
    granted = select(OnwardConsent.id).where(
        OnwardConsent.message_id == message_id,
        OnwardConsent.onward_party == onward_party,
        OnwardConsent.side == "asked",
        OnwardConsent.status == "granted",
    )
    return db.scalar(granted.limit(1)) is not None


def check_onward(
    db: Session, source: Message, target: Agency, *, actor: str
) -> list[dict[str, Any]]:
    """The policy on passing ``source`` on to ``target``. Raises PolicyBlocked
    (audited) when it is refused; answers the rules that wait for the originator's
    consent when only that is missing (the decision is audited; the forward waits),
    as the held message's obligations; an empty list when it may go."""
    consent = consent_on_record(db, source.id, target.party_code)
    subject = onward_subject(source, target, originator_consent=consent)
    # Only the node that received a message from its originator can ask for consent (the
    # originator knows the message as sent to that node); a copy passed on once more
    # is refused by the rule, which names the originator to ask.
    from_originator = source.from_party == source.originator_party
    if not consent and subject.onward_recipient_party and from_originator:
        without = evaluate(db, subject)
        with_consent = subject.model_copy(update={"originator_consent": True})
        if without.effect is Effect.BLOCK and evaluate(db, with_consent).effect is not Effect.BLOCK:
            _refuse_second_request(db, source, target)
            record(
                db,
                actor=actor,
                action="policy.decision",
                object_type=OBJECT_TYPE,
                object_id=source.id,
                decision=without.effect.value,
                rule_ids=without.rule_ids,
                detail=disclosure_record(subject, without) | {"waits_for": "originator_consent"},
            )
            return [
                {
                    "kind": "originator_consent",
                    "rule_id": hit.rule_id,
                    "citation": hit.citation,
                    "detail": hit.explanation,
                }
                for hit in without.rules
                if hit.effect == "block"
            ]
    enforce(db, subject, actor=actor, object_type=OBJECT_TYPE, object_id=source.id)
    return []


def _refuse_second_request(db: Session, source: Message, target: Agency) -> None:
    pending = select(OnwardConsent.id).where(
        OnwardConsent.message_id == source.id,
        OnwardConsent.onward_party == target.party_code,
        OnwardConsent.side == "asked",
        OnwardConsent.status == "pending",
    )
    if db.scalar(pending.limit(1)) is not None:
        raise Conflict(
            N_("the originator's consent to pass this on to that party is already asked")
        )


def ask(
    db: Session,
    settings: Settings,
    source: Message,
    forward: Message,
    target: Agency,
    *,
    actor: str,
    note: str,
) -> OnwardConsent:
    """Keep ``forward`` until the originator answers, and ask it."""
    forward.status = "awaiting_consent"
    row = OnwardConsent(
        side="asked",
        message_id=source.id,
        case_id=source.case_id,
        forward_id=forward.id,
        originator_party=source.originator_party,
        holder_party=settings.party,
        onward_party=target.party_code,
        onward_agency=f"{target.acronym} ({target.party_code})",
        note=note,
        status="pending",
        reason="",
        requested_by=actor,
        requested_at=clock.now(),
    )
    db.add(row)
    db.flush()
    enqueue(
        db,
        CONSENT_REQUEST,
        {
            "id": row.id,
            "message_id": source.id,
            "onward_party": row.onward_party,
            "onward_agency": row.onward_agency,
            "note": note,
        },
        peers=[source.originator_party],
    )
    _audit(db, actor, "exchange.consent.request", row, forward_id=forward.id)
    return row


def _audit(db: Session, actor: str, action: str, row: OnwardConsent, **detail: Any) -> None:
    record(
        db,
        actor=actor,
        action=action,
        object_type=CONSENT_TYPE,
        object_id=row.id,
        detail={
            "message_id": row.message_id,
            "originator": row.originator_party,
            "holder": row.holder_party,
            "onward_to": row.onward_party,
            "status": row.status,
        }
        | detail,
    )


def receive_request(db: Session, context: InboundContext, payload: dict[str, Any]) -> None:
    """The originator's node: a holder asks to pass one of its messages on."""
    asked = ConsentRequestWire.model_validate(payload)
    if db.get(OnwardConsent, asked.id) is not None:
        return
    message = db.get(Message, asked.message_id)
    own = context.settings.party
    if (
        message is None
        or message.originator_party != own
        or message.direction != "out"
        or message.to_party != context.sender_party
    ):
        raise PayloadRefused("invalid_payload", "no message of this node sent to the asking party")
    row = OnwardConsent(
        id=asked.id,
        side="asked_of",
        message_id=message.id,
        case_id=message.case_id,
        originator_party=own,
        holder_party=context.sender_party,
        onward_party=asked.onward_party.upper(),
        onward_agency=asked.onward_agency,
        note=asked.note,
        status="pending",
        reason="",
        requested_by=f"node:{context.sender_party}",
        requested_at=clock.now(),
    )
    db.add(row)
    db.flush()
    _audit(db, row.requested_by, "exchange.consent.asked", row)
    notify_role(
        db,
        party_code=own,
        roles=[Role.LIAISON_OFFICER],
        subject=Text(
            N_("%(holder)s asks to pass your message on to %(onward)s"),
            holder=row.holder_party,
            onward=row.onward_agency,
        ),
        body=Text(N_("Message: %(subject)s"), subject=copy_text(message)),
        link=f"/exchange/cases/{message.case_id}",
        kind="warning",
    )


def for_case(db: Session, case_id: str) -> list[OnwardConsent]:
    """The consent requests about one case of this node (asked of it or asked by it),
    oldest first; the case page shows them to those who may see the case."""
    query = select(OnwardConsent).where(OnwardConsent.case_id == case_id)
    return list(db.scalars(query.order_by(OnwardConsent.requested_at, OnwardConsent.id)))


def require_handler(caller: Caller) -> None:
    """Consent requests are handled by liaison officers and administrators."""
    if caller.role not in ASSIGNERS:
        raise Forbidden(N_("only liaison officers and administrators handle consent requests"))


def answer_as(
    db: Session, caller: Caller, consent_id: str, *, granted: bool, reason: str
) -> OnwardConsent:
    """A liaison officer or administrator of the originator's node answers a request
    asked of it (the API and the case page)."""
    require_handler(caller)
    row = db.get(OnwardConsent, consent_id)
    if row is None or row.side != "asked_of":
        raise NotFound(Text(N_("no consent request %(consent_id)s"), consent_id=consent_id))
    return answer(db, row, granted=granted, reason=reason, actor=f"user:{caller.username}")


def answer(
    db: Session, row: OnwardConsent, *, granted: bool, reason: str, actor: str
) -> OnwardConsent:
    """The originator's answer, recorded and sent to the holder."""
    if row.status != "pending":
        raise Conflict(N_("this consent request is already answered"))
    row.status = "granted" if granted else "refused"
    row.reason = reason
    row.answered_by = actor
    row.answered_at = clock.now()
    enqueue(
        db,
        CONSENT_ANSWER,
        {"id": row.id, "granted": granted, "reason": reason},
        peers=[row.holder_party],
    )
    _audit(db, actor, "exchange.consent.answer", row)
    db.flush()
    return row


def receive_answer(db: Session, context: InboundContext, payload: dict[str, Any]) -> None:
    """The holder's node: the originator answered; release or withdraw the forward."""
    answered = ConsentAnswerWire.model_validate(payload)
    row = db.get(OnwardConsent, answered.id)
    if row is None or row.side != "asked" or row.originator_party != context.sender_party:
        raise PayloadRefused("invalid_payload", "no consent request of this node to that party")
    if row.status != "pending":
        return
    row.status = "granted" if answered.granted else "refused"
    row.reason = answered.reason
    row.answered_by = f"node:{context.sender_party}"
    row.answered_at = clock.now()
    _audit(db, row.answered_by, "exchange.consent.answered", row)
    forward = db.get(Message, row.forward_id) if row.forward_id else None
    if forward is None or forward.status != "awaiting_consent":
        return
    if answered.granted:
        _release(db, context.settings, forward, row)
    else:
        forward.status = "withdrawn"
        forward.reason_text = answered.reason
    notify_role(
        db,
        party_code=context.settings.party,
        roles=[Role.LIAISON_OFFICER],
        subject=Text(
            N_("%(originator)s answered: %(status)s, passing on to %(onward)s"),
            originator=row.originator_party,
            status=Label(ConsentStatus(row.status), inline=True),
            onward=row.onward_agency,
        ),
        body=Text(N_("Message: %(subject)s"), subject=copy_text(forward)),
        link=f"/exchange/cases/{forward.case_id}",
    )
    db.flush()


def _release(db: Session, settings: Settings, forward: Message, row: OnwardConsent) -> None:
    """The forward, decided again now the consent is on record, and sent (or held)."""
    source = db.get(Message, row.message_id)
    target = db.get(Agency, forward.to_agency_id)
    if source is None or target is None:
        return
    actor = forward.created_by
    subject = onward_subject(source, target, originator_consent=True)
    enforce(db, subject, actor=actor, object_type=OBJECT_TYPE, object_id=source.id)
    decision = decide(db, forward, actor=actor)
    mark_outgoing(forward, decision, settings)
    hold_or_queue(db, settings, forward, decision, actor=actor)
