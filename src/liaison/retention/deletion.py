"""Deletion requests over the channel and the signed certificates that answer them.

The originator of an object asks the peer it shared it with to erase it
("retention.delete_request"); the receiver must comply: it erases (unless a legal
hold suspends it) and returns a deletion certificate signed with its node key
("retention.delete_certificate"), which the originator verifies and keeps. A
certificate's outcome is ``erased``, ``not_held`` (nothing of the kind here) or
``held`` (under legal hold: a second certificate follows when the hold is released).
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import AwareDatetime, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from liaison.config import Settings
from liaison.federation import keys
from liaison.federation.outbox import enqueue
from liaison.kit import clock
from liaison.kit.errors import ValidationFailed
from liaison.kit.inputs import ID_PATTERN, InputModel
from liaison.kit.plugin import InboundContext, PayloadRefused
from liaison.kit.roles import Caller
from liaison.ledger import signing
from liaison.ledger.chain import canonical_json, format_at
from liaison.ledger.service import actor_of, trail
from liaison.models import DeletionRequest, LegalHold
from liaison.retention import service as retention
from liaison.retention.service import PurgeRules

DELETE_REQUEST = "retention.delete_request"
DELETE_CERTIFICATE = "retention.delete_certificate"
CERTIFICATE_TAG = "liaison-deletion-certificate-v1"


class DeletionRequestIn(InputModel):
    peer_party: str = Field(pattern=r"^[A-Z]{2}$")
    object_type: str = Field(min_length=1, max_length=100)
    object_id: str = Field(min_length=1, max_length=200)
    reason: str = Field(min_length=1, max_length=2000)


class _WireRequest(InputModel):
    request_id: str = Field(pattern=ID_PATTERN)
    object_type: str = Field(min_length=1, max_length=100)
    object_id: str = Field(min_length=1, max_length=200)
    reason: str = Field(min_length=1, max_length=2000)


class Certificate(InputModel):
    v: str = Field(pattern=f"^{CERTIFICATE_TAG}$")
    request_id: str = Field(pattern=ID_PATTERN)
    object_type: str = Field(min_length=1, max_length=100)
    object_id: str = Field(min_length=1, max_length=200)
    requested_by: str = Field(pattern=r"^[A-Z]{2}$")
    issued_by: str = Field(pattern=r"^[A-Z]{2}$")
    outcome: str = Field(pattern=r"^(erased|not_held|held)$")
    erased_at: str | None = Field(default=None, max_length=40)
    issued_at: AwareDatetime
    key_id: str = Field(pattern=r"^[0-9a-f]{16}$")
    signature: str = Field(pattern=r"^[A-Za-z0-9_-]{86}$")

    def statement(self) -> dict[str, Any]:
        body = self.model_dump(mode="json", exclude={"signature"})
        body["issued_at"] = format_at(self.issued_at)
        return body


def request_deletion(
    db: Session, settings: Settings, rules: PurgeRules, caller: Caller, data: DeletionRequestIn
) -> DeletionRequest:
    """Ask ``peer_party`` to erase an object this node originated and shared with it."""
    retention.require_records_officer(caller)
    origin = retention.purgeable(rules, data.object_type).origin(db, data.object_id)
    if origin is None:
        raise ValidationFailed.on_field("object_id", f"no {data.object_type} {data.object_id}")
    if origin != settings.party:
        raise ValidationFailed.on_field(
            "object_id", f"{origin} originated this record: only the originator asks for deletion"
        )
    row = DeletionRequest(
        direction="outbound",
        peer_party=data.peer_party,
        object_type=data.object_type,
        object_id=data.object_id,
        reason=data.reason,
        requested_by=actor_of(caller),
        status="sent",
    )
    db.add(row)
    db.flush()
    wire = _WireRequest(
        request_id=row.id, object_type=row.object_type, object_id=row.object_id, reason=row.reason
    )
    enqueue(db, DELETE_REQUEST, wire.model_dump(), peers=[data.peer_party])
    trail(
        db,
        caller,
        "retention.deletion.requested",
        row.object_type,
        row.object_id,
        to=row.peer_party,
        request=row.id,
    )
    return row


def _certify(db: Session, settings: Settings, row: DeletionRequest, outcome: str) -> None:
    """Sign and send the certificate for an inbound request; record it on the request."""
    pair = keys.keypair(db, settings)
    tombstone = retention.tombstone_of(db, row.object_type, row.object_id)
    body = {
        "v": CERTIFICATE_TAG,
        "request_id": row.id,
        "object_type": row.object_type,
        "object_id": row.object_id,
        "requested_by": row.peer_party,
        "issued_by": settings.party,
        "outcome": outcome,
        "erased_at": format_at(tombstone.erased_at) if tombstone and outcome == "erased" else None,
        "issued_at": format_at(clock.now()),
        "key_id": pair.public.key_id,
    }
    certificate = {**body, "signature": signing.sign(pair, body)}
    row.status = outcome
    row.certificate = canonical_json(certificate)
    row.certificate_verified = True
    row.completed_at = None if outcome == "held" else clock.now()
    enqueue(db, DELETE_CERTIFICATE, certificate, peers=[row.peer_party])
    trail(
        db,
        f"node:{settings.party}",
        f"retention.certificate.{outcome}",
        row.object_type,
        row.object_id,
        request=row.id,
    )


def _comply(db: Session, settings: Settings, rules: PurgeRules, row: DeletionRequest) -> None:
    if retention.is_held(db, row.object_type, row.object_id):
        _certify(db, settings, row, "held")
        return
    who = f"node:{row.peer_party}"
    retention.erase(
        db, rules, who, row.object_type, row.object_id, reason="deletion_request", request_id=row.id
    )
    _certify(db, settings, row, "erased")


def receive_request(db: Session, context: InboundContext, payload: dict[str, Any]) -> None:
    wire = _WireRequest.model_validate(payload)
    try:
        entry = retention.purgeable(context.registry.purge_rules, wire.object_type)
    except ValidationFailed as exc:
        raise PayloadRefused("invalid_payload", str(exc)) from exc
    origin = entry.origin(db, wire.object_id)
    if origin is not None and origin != context.sender_party:
        raise PayloadRefused("policy_refused", "only the originator may request deletion")
    if db.get(DeletionRequest, wire.request_id) is not None:
        raise PayloadRefused("invalid_payload", f"request {wire.request_id} was already received")
    row = DeletionRequest(
        id=wire.request_id,
        direction="inbound",
        peer_party=context.sender_party,
        object_type=wire.object_type,
        object_id=wire.object_id,
        reason=wire.reason,
        requested_by=f"node:{context.sender_party}",
        status="received",
    )
    db.add(row)
    db.flush()
    if origin is None:
        _certify(db, context.settings, row, "not_held")
    else:
        _comply(db, context.settings, context.registry.purge_rules, row)


def after_release(db: Session, settings: Settings, rules: PurgeRules, hold: LegalHold) -> int:
    """Requests that waited on ``hold``: comply now if no other hold remains."""
    waiting = db.scalars(
        select(DeletionRequest).where(
            DeletionRequest.direction == "inbound",
            DeletionRequest.status == "held",
            DeletionRequest.object_type == hold.object_type,
            DeletionRequest.object_id == hold.object_id,
        )
    ).all()
    done = 0
    for row in waiting:
        if not retention.is_held(db, row.object_type, row.object_id):
            _comply(db, settings, rules, row)
            done += 1
    return done


def receive_certificate(db: Session, context: InboundContext, payload: dict[str, Any]) -> None:
    certificate = Certificate.model_validate(payload)
    row = db.get(DeletionRequest, certificate.request_id)
    if row is None or row.direction != "outbound" or row.peer_party != context.sender_party:
        raise PayloadRefused("invalid_payload", f"no request {certificate.request_id} to that peer")
    if (
        certificate.issued_by != context.sender_party
        or certificate.requested_by != context.settings.party
    ):
        raise PayloadRefused("policy_refused", "the certificate names other parties")
    if (certificate.object_type, certificate.object_id) != (row.object_type, row.object_id):
        raise PayloadRefused("invalid_payload", "the certificate is for another object")
    if not verify_certificate(db, context.settings.party, certificate):
        raise PayloadRefused("invalid_payload", "the certificate signature does not verify")
    row.status = certificate.outcome
    row.certificate = canonical_json(payload)
    row.certificate_verified = True
    row.completed_at = None if certificate.outcome == "held" else clock.now()
    trail(
        db,
        f"node:{context.sender_party}",
        "retention.certificate.received",
        row.object_type,
        row.object_id,
        outcome=certificate.outcome,
        request=row.id,
    )


def verify_certificate(db: Session, own_party: str, certificate: Certificate) -> bool:
    key = signing.verify_key_of(db, own_party, certificate.issued_by, certificate.key_id)
    return signing.valid(key, certificate.statement(), certificate.signature)


def stored_certificate_valid(db: Session, own_party: str, row: DeletionRequest) -> bool:
    """Re-check a kept certificate now (for display: 'signature verified')."""
    if row.certificate is None:
        return False
    return verify_certificate(
        db, own_party, Certificate.model_validate(json.loads(row.certificate))
    )


def requests(db: Session, limit: int = 200) -> list[DeletionRequest]:
    return list(
        db.scalars(
            select(DeletionRequest).order_by(DeletionRequest.requested_at.desc()).limit(limit)
        )
    )


def release_hold(
    db: Session, settings: Settings, rules: PurgeRules, caller: Caller, hold_id: str
) -> LegalHold:
    """Release a legal hold, then answer the deletion requests that waited on it."""
    hold = retention.release_hold(db, caller, hold_id)
    after_release(db, settings, rules, hold)
    return hold
