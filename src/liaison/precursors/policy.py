"""The policy subject of a notification or an answer: a disclosure about a scheduled
chemical (offence ``precursor_diversion``), with its TLP, handling code and legal basis."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from liaison.kit.errors import PolicyBlocked
from liaison.kit.plugin import InboundContext, PayloadRefused
from liaison.ledger.service import record
from liaison.models import PrecursorNotice
from liaison.policy.schemas import Decision, Direction, HandlingCode, ItemKind, PolicySubject, Tlp
from liaison.policy.service import enforce

PURPOSE = "pre-export notification of a scheduled precursor (1988 Convention, art. 12)"


def subject(
    notice: PrecursorNotice, direction: Direction, *, answer: bool = False
) -> PolicySubject:
    """Outbound: this node sends; inbound: the peer sent. An answer flows back from the
    importing party to the exporting one."""
    sender, recipient = notice.exporting_party, notice.importing_party
    if answer:
        sender, recipient = recipient, sender
    return PolicySubject(
        direction=direction,
        kind=ItemKind.MESSAGE,
        sender_party=sender,
        recipient_party=recipient,
        originator_party=sender,
        message_type="reply" if answer else "disclosure",
        tlp=Tlp(notice.tlp),
        handling_code=HandlingCode(notice.handling_code),
        legal_basis=notice.legal_basis,
        legal_basis_reference=notice.legal_basis_reference or None,
        purpose=PURPOSE,
        contains_personal_data=False,
        offences=["precursor_diversion"],
    )


def decide(
    db: Session,
    notice: PrecursorNotice,
    direction: Direction,
    *,
    actor: str,
    object_type: str = "precursors.notice",
    object_id: str | None = None,
    answer: bool = False,
) -> Decision:
    """Enforce the policy (a block raises PolicyBlocked and is audited)."""
    return enforce(
        db,
        subject(notice, direction, answer=answer),
        actor=actor,
        object_type=object_type,
        object_id=object_id or notice.id,
    )


def decide_inbound(
    db: Session,
    notice: PrecursorNotice,
    context: InboundContext,
    *,
    object_type: str,
    object_id: str | None = None,
    answer: bool = False,
) -> Decision:
    """The receiver's policy on what a peer sent: a block refuses the envelope."""
    try:
        return decide(
            db,
            notice,
            Direction.INBOUND,
            actor=f"peer:{context.sender_party}",
            object_type=object_type,
            object_id=object_id,
            answer=answer,
        )
    except PolicyBlocked as exc:
        raise PayloadRefused("policy_refused", str(exc)) from exc


def audit(
    db: Session,
    decision: Decision,
    *,
    actor: str,
    action: str,
    object_type: str,
    object_id: str,
    detail: dict[str, Any],
) -> None:
    """The audit entry of a change that followed a policy decision (its effect and rules)."""
    record(
        db,
        actor=actor,
        action=action,
        object_type=object_type,
        object_id=object_id,
        decision=decision.effect.value,
        rule_ids=decision.rule_ids,
        detail=detail,
    )
