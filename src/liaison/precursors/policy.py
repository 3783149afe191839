"""The policy subject of a notification or an answer: a disclosure about a scheduled
chemical (offence ``precursor_diversion``), with its TLP, handling code and legal basis."""

from __future__ import annotations

from sqlalchemy.orm import Session

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
