"""Markings: the policy subject of a message, and the onward-sharing rules of TLP 2.0
and the handling codes (enforced before any forward).

- TLP:RED goes only to its named recipients (agency ids on the message).
- TLP:AMBER+STRICT stays inside the receiving organisation: no forward to any
  other agency.
- Handling code ``no_onward_disclosure``: no forward to any other agency either.
A refused forward answers Forbidden naming the marking and is recorded in the audit
log (``exchange.forward.refused``).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from liaison.exchange.entities import person_facts
from liaison.exchange.indexing import has_personal_data, parse_entities
from liaison.exchange.schemas import ComposeIn, Markings
from liaison.kit.errors import Forbidden
from liaison.ledger.service import record
from liaison.models import Agency, Message
from liaison.policy.schemas import (
    Direction,
    HandlingCode,
    ItemKind,
    PolicySubject,
    Tlp,
)


def policy_subject(
    message: Message,
    direction: Direction,
    *,
    onward_recipient_party: str | None = None,
    originator_consent: bool = False,
) -> PolicySubject:
    return PolicySubject(
        direction=direction,
        kind=ItemKind.MESSAGE,
        sender_party=message.from_party,
        recipient_party=message.to_party,
        originator_party=message.originator_party,
        message_type=message.type,
        tlp=Tlp(message.tlp),
        handling_code=HandlingCode(message.handling_code),
        legal_basis=message.legal_basis or None,
        legal_basis_reference=message.legal_basis_reference or None,
        mlat_reference=message.mlat_reference,
        purpose=message.purpose or None,
        contains_personal_data=message.contains_personal_data,
        offences=list(message.offences),
        persons=person_facts(parse_entities(message.entities)),
        onward_recipient_party=onward_recipient_party,
        originator_consent=originator_consent,
    )


def compose_subject(data: ComposeIn, sender_party: str, recipient_party: str) -> PolicySubject:
    """The policy subject of a draft before it is sent (the compose page's explain panel)."""
    markings = data.markings
    return PolicySubject(
        direction=Direction.OUTBOUND,
        kind=ItemKind.MESSAGE,
        sender_party=sender_party,
        recipient_party=recipient_party,
        originator_party=sender_party,
        message_type=data.type.value,
        tlp=markings.tlp,
        handling_code=markings.handling_code,
        legal_basis=markings.legal_basis.value if markings.legal_basis else None,
        legal_basis_reference=markings.legal_basis_reference or None,
        mlat_reference=markings.mlat_reference,
        purpose=markings.purpose or None,
        contains_personal_data=has_personal_data(data.entities),
        offences=list(data.offences),
        persons=person_facts(data.entities),
    )


def forward_refusal(message: Message, target: Agency) -> str | None:
    """Why ``message`` may not go to ``target``, or None."""
    receiving = message.to_agency_id
    if message.tlp == Tlp.RED and target.id not in message.named_recipients:
        return (
            "TLP:RED: this message may go only to its named recipients, "
            f"and {target.acronym} is not one of them"
        )
    if message.tlp == Tlp.AMBER_STRICT and target.id != receiving:
        return (
            "TLP:AMBER+STRICT: this message may not leave the receiving organisation "
            f"({target.acronym} is another organisation)"
        )
    if message.handling_code == HandlingCode.NO_ONWARD_DISCLOSURE and target.id != receiving:
        return "handling code no_onward_disclosure: this message may not be passed on"
    return None


def check_forward(db: Session, message: Message, target: Agency, *, actor: str) -> None:
    """Raise Forbidden (after an audit entry) when the markings forbid the forward."""
    reason = forward_refusal(message, target)
    if reason is None:
        return
    record(
        db,
        actor=actor,
        action="exchange.forward.refused",
        object_type="exchange.message",
        object_id=message.id,
        decision="block",
        detail={"to_agency_id": target.id, "tlp": message.tlp, "reason": reason},
        keep=True,  # a refusal is audited even when the caller rolls back
    )
    db.flush()
    raise Forbidden.on_field("to_agency_id", reason)


def markings_of(message: Message) -> Markings:
    return Markings.model_validate(
        {
            "tlp": message.tlp,
            "handling_code": message.handling_code,
            "source_reliability": message.source_reliability,
            "information_credibility": message.information_credibility,
            "legal_basis": message.legal_basis or None,
            "legal_basis_reference": message.legal_basis_reference,
            "mlat_reference": message.mlat_reference,
            "purpose": message.purpose,
            "named_recipients": message.named_recipients,
        }
    )
