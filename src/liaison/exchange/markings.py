"""Markings: the policy subject of a message, and the facts the TLP 2.0 and handling-code
rules read when an item is passed on (the rules themselves are in the joint pack).

- TLP:RED goes only to its named recipients (agency ids on the message): a compose
  or reply to an agency it does not name, or a forward to one, is
  ``joint.tlp.red_named_recipients``.
- TLP:AMBER+STRICT stays inside the receiving organisation: a forward to any other
  agency is ``joint.tlp.amber_strict_organisation``.
- Handling code ``no_onward_disclosure``: no forward to any other agency either
  (``joint.handling.no_onward_disclosure``).
A refused forward is a policy decision like any other: audited with its rule ids and
citations, answered with a problem+json naming them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from liaison.exchange.entities import Entity, person_facts
from liaison.exchange.indexing import has_personal_data, parse_entities
from liaison.exchange.schemas import ComposeIn, Markings
from liaison.kit import clock
from liaison.kit.errors import ValidationFailed
from liaison.kit.plugin import N_
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
    entities: Sequence[Entity] | None = None,
) -> PolicySubject:
    """``entities``: the message's entities when the caller has them parsed already."""
    parsed = parse_entities(message.entities) if entities is None else entities
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
        persons=person_facts(parsed),
        onward_recipient_party=onward_recipient_party,
        originator_consent=originator_consent,
        passed_on_to=message.to_party,
        cyber_incident=message.incident_detected_at is not None,
        incident_detected_at=message.incident_detected_at,
        outside_named_recipients=(
            direction is Direction.OUTBOUND
            and message.tlp == Tlp.RED
            and message.to_agency_id not in message.named_recipients
        ),
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
        cyber_incident=data.incident_detected_at is not None,
        incident_detected_at=data.incident_detected_at,
        passed_on_to=recipient_party,
        outside_named_recipients=(
            markings.tlp == Tlp.RED and data.to_agency_id not in markings.named_recipients
        ),
    )


def onward_subject(
    message: Message, target: Agency, *, originator_consent: bool = False
) -> PolicySubject:
    """The subject of passing ``message`` on to ``target`` (a forward);
    ``originator_consent``: the originator's consent is on record (exchange/consent.py)."""
    third_party = target.party_code not in (message.from_party, message.to_party)
    subject = policy_subject(
        message,
        Direction.ONWARD,
        onward_recipient_party=target.party_code if third_party else None,
        originator_consent=originator_consent,
    )
    holder = message.to_party if message.direction == "in" else message.from_party
    return subject.model_copy(
        update={
            "sender_party": holder,
            "recipient_party": target.party_code,
            "passed_on_to": f"{target.acronym} ({target.party_code})",
            "outside_named_recipients": target.id not in message.named_recipients,
            "outside_receiving_organisation": target.id != message.to_agency_id,
        }
    )


def message_columns(markings: Markings) -> dict[str, Any]:
    """The markings as a message row's columns (``markings_of`` reads them back)."""
    return {
        "tlp": markings.tlp.value,
        "handling_code": markings.handling_code.value,
        "source_reliability": markings.source_reliability,
        "information_credibility": markings.information_credibility,
        "legal_basis": markings.legal_basis.value if markings.legal_basis else "",
        "legal_basis_reference": markings.legal_basis_reference,
        "mlat_reference": markings.mlat_reference,
        "purpose": markings.purpose,
        "named_recipients": list(markings.named_recipients),
    }


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


def reply_markings(parent: Message, to_agency: Agency) -> Markings:
    """A reply's markings when the officer keeps the parent's: the agency that sent a
    TLP:RED item is one of its participants, so the reply names it."""
    markings = markings_of(parent)
    if markings.tlp == Tlp.RED and to_agency.id not in markings.named_recipients:
        named = [*markings.named_recipients, to_agency.id]
        markings = markings.model_copy(update={"named_recipients": named})
    return markings


def incident_time(value: datetime | None) -> datetime | None:
    """When a reported cyber incident was noticed (UTC); not in the future."""
    if value is None:
        return None
    noticed = clock.as_utc(value)
    if noticed > clock.now():
        raise ValidationFailed.on_field(
            "incident_detected_at", N_("the incident cannot have been noticed in the future")
        )
    return noticed
