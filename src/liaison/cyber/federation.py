"""Collections across the border: a shared collection's new and updated objects travel
as envelopes to each peer it is shared with and land in that peer's read-only mirror
collection (same id), with their provenance (origin party and node). Revocations travel
too, so a revoked indicator is revoked at the peer."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import select, true
from sqlalchemy.orm import Session

from liaison.cyber.schemas import SUBJECT_PATTERN
from liaison.cyber.store import Incoming, Stored, audiences, store_objects
from liaison.cyber.tlp import Tlp
from liaison.federation.outbox import enqueue
from liaison.kit.errors import PolicyBlocked
from liaison.kit.plugin import InboundContext, PayloadRefused
from liaison.ledger.service import record
from liaison.models import Agency, CyberCollection, CyberGrant, CyberObject, Peer
from liaison.policy.schemas import Direction, HandlingCode, ItemKind, PersonFacts, PolicySubject
from liaison.policy.schemas import Tlp as PolicyTlp
from liaison.policy.service import disclosure_record, enforce, evaluate

UPSERT = "cyber.object_upsert"
OBJECT_TYPE = "cyber.collection"
SYSTEM_ACTOR = "system:cyber-federation"
CYBER_LEGAL_BASIS = "cyber_information_sharing"
CYBER_PURPOSE = "cyber defence and incident response"
REVOKE = "cyber.object_revoke"
BATCH = 500
Subject = Annotated[str, Field(pattern=SUBJECT_PATTERN)]


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CollectionRecord(_Record):
    id: str = Field(pattern=r"^[0-9A-Za-z-]{1,36}$")
    title: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=2000)
    default_tlp: Tlp
    recipient_agency: str | None = Field(default=None, max_length=30)


class ObjectItem(_Record):
    object: dict[str, Any]
    audience: list[Subject] = Field(default_factory=list, max_length=200)


class ObjectsPayload(_Record):
    collection: CollectionRecord
    items: list[ObjectItem] = Field(min_length=1, max_length=BATCH)


# outbound -------------------------------------------------------------------------
def named_in_audience(db: Session, item: Stored, peer_party: str) -> bool:
    """Whether the peer is named in the object's audience (the party, one of its
    agencies or one of its users): what TLP:RED asks of a release."""
    if f"party:{peer_party}" in item.audience:
        return True
    if any(s.startswith(f"user:{peer_party}:") for s in item.audience):
        return True
    agency_ids = [s.removeprefix("agency:") for s in item.audience if s.startswith("agency:")]
    if not agency_ids:
        return False
    found = db.scalar(
        select(Agency.id).where(Agency.id.in_(agency_ids), Agency.party_code == peer_party)
    )
    return found is not None


def persons_in(item: Stored) -> list[PersonFacts]:
    """The persons a STIX object names: an ``identity`` of class ``individual`` is a
    person (matched against the register of protected persons like any other)."""
    obj = json.loads(item.raw)
    if obj.get("type") != "identity" or obj.get("identity_class") != "individual":
        return []
    return [PersonFacts(label=str(obj.get("name", ""))[:200])]


def _policy_subject(
    collection: CyberCollection,
    tlp: Tlp,
    sender: str,
    recipient: str,
    direction: Direction,
    *,
    named: bool = True,
    persons: list[PersonFacts] | None = None,
) -> PolicySubject:
    released = direction is Direction.OUTBOUND
    return PolicySubject(
        persons=persons or [],
        contains_personal_data=bool(persons),
        direction=direction,
        kind=ItemKind.CYBER_OBJECT,
        sender_party=sender,
        recipient_party=recipient,
        originator_party=collection.owner_party,
        tlp=PolicyTlp(tlp.value),
        handling_code=HandlingCode.INTELLIGENCE_ONLY,
        legal_basis=CYBER_LEGAL_BASIS,
        legal_basis_reference=f"collection '{collection.title}' shared with {recipient}",
        purpose=CYBER_PURPOSE,
        passed_on_to=f"party {recipient}" if released else None,
        # a release leaves this node's organisation; RED asks the peer to be named
        outside_receiving_organisation=released,
        outside_named_recipients=released and not named,
    )


def cleared(
    db: Session, collection: CyberCollection, items: list[Stored], peer_party: str
) -> list[Stored]:
    """The policy engine's word on a batch for one peer — TLP 2.0 included: one decision
    per (TLP, peer named in the audience) group, and one per object that names a person
    (its person facts in the subject), each in the audit log with its rules and
    citations; a blocked group stays on this node."""
    groups: dict[tuple[Tlp, bool, str], list[Stored]] = {}
    for item in items:
        named = item.tlp is Tlp.RED and named_in_audience(db, item, peer_party)
        own = item.stix_id if persons_in(item) else ""
        groups.setdefault((item.tlp, named, own), []).append(item)
    passed: list[Stored] = []
    for (tlp, named, own), group in sorted(groups.items(), key=lambda g: (g[0][0].rank, g[0][2])):
        subject = _policy_subject(
            collection,
            tlp,
            collection.owner_party,
            peer_party,
            Direction.OUTBOUND,
            named=named,
            persons=persons_in(group[0]) if own else None,
        )
        try:
            enforce(
                db, subject, actor=SYSTEM_ACTOR, object_type=OBJECT_TYPE, object_id=collection.id
            )
        except PolicyBlocked:
            continue  # refused and audited; the objects stay stored here
        passed.extend(group)
    return passed


def _record(collection: CyberCollection, recipient_agency: str | None) -> dict[str, Any]:
    return CollectionRecord(
        id=collection.id,
        title=collection.title,
        description=collection.description,
        default_tlp=Tlp(collection.default_tlp),
        recipient_agency=recipient_agency,
    ).model_dump(mode="json")


def publish(
    db: Session,
    collection: CyberCollection,
    stored: Iterable[Stored],
    *,
    message_type: str = UPSERT,
    peers: dict[str, str | None] | None = None,
) -> int:
    """Queue the releasable objects for each peer the collection is shared with."""
    if collection.origin_node is not None:
        return 0  # mirrors are not re-shared
    targets = peers if peers is not None else collection.shared_with
    items = list(stored)
    queued = 0
    for party, recipient_agency in sorted(targets.items()):
        if db.get(Peer, party) is None:
            continue  # no longer pinned: nothing can be sent
        allowed = cleared(db, collection, items, party)
        for start in range(0, len(allowed), BATCH):
            chunk = allowed[start : start + BATCH]
            payload = {
                "collection": _record(collection, recipient_agency),
                "items": [
                    {"object": json.loads(item.raw), "audience": item.audience} for item in chunk
                ],
            }
            enqueue(db, message_type, payload, peers=[party])
            queued += len(chunk)
    return queued


def backfill(db: Session, collection: CyberCollection, party: str, agency: str | None) -> int:
    """Queue every latest object of the collection for a peer it was just shared with,
    reading the collection in keyset batches."""
    after = 0
    queued = 0
    while True:
        rows = db.execute(
            select(
                CyberObject.seq,
                CyberObject.stix_id,
                CyberObject.version,
                CyberObject.tlp,
                CyberObject.raw,
            )
            .where(
                CyberObject.collection_id == collection.id,
                CyberObject.is_latest == true(),
                CyberObject.seq > after,
            )
            .order_by(CyberObject.seq)
            .limit(BATCH)
        ).all()
        if not rows:
            return queued
        audience = audiences(db, [row.seq for row in rows])
        batch = [
            Stored(
                row.seq, row.stix_id, row.version, Tlp(row.tlp), row.raw, audience.get(row.seq, [])
            )
            for row in rows
        ]
        queued += publish(db, collection, batch, peers={party: agency})
        after = rows[-1].seq


def welcome_peer(db: Session, own_party: str, peer_party: str) -> int:
    """The peer-welcome hook: a newly pinned peer gets what every collection shared with
    it already holds (the demo's seeded indicators are stored before the nodes peer)."""
    queued = 0
    owned = select(CyberCollection).where(CyberCollection.origin_node.is_(None))
    for collection in db.scalars(owned.order_by(CyberCollection.title)):
        if peer_party in collection.shared_with:
            agency = collection.shared_with[peer_party]
            queued += backfill(db, collection, peer_party, agency)
    return queued


# inbound --------------------------------------------------------------------------
def _mirror(db: Session, context: InboundContext, record: CollectionRecord) -> CyberCollection:
    mirror = db.get(CyberCollection, record.id)
    if mirror is not None:
        if mirror.origin_node is None or mirror.owner_party != context.sender_party:
            raise PayloadRefused("policy_refused", "a peer may not write into this collection")
        return mirror
    agency_id = None
    if record.recipient_agency:
        agency_id = db.scalar(
            select(Agency.id).where(
                Agency.party_code == context.settings.party,
                Agency.acronym == record.recipient_agency,
            )
        )
    mirror = CyberCollection(
        id=record.id,
        title=record.title,
        description=record.description,
        default_tlp=record.default_tlp.value,
        agency_id=agency_id,
        owner_party=context.sender_party,
        origin_node=context.sender_node,
        shared_with={},
    )
    db.add(mirror)
    db.flush()
    # Every user of this node may read the mirror; TLP and audiences still apply.
    db.add(CyberGrant(collection_id=mirror.id, subject=f"party:{context.settings.party}"))
    db.flush()
    return mirror


def _apply(db: Session, context: InboundContext, payload: dict[str, Any], revoke: bool) -> None:
    try:
        data = ObjectsPayload.model_validate(payload)
    except ValidationError as exc:
        raise PayloadRefused("invalid_payload", str(exc)[:500]) from exc
    mirror = _mirror(db, context, data.collection)
    if revoke:
        for item in data.items:
            known = db.scalar(
                select(CyberObject.seq).where(
                    CyberObject.collection_id == mirror.id,
                    CyberObject.stix_id == item.object.get("id"),
                )
            )
            if known is None or item.object.get("revoked") is not True:
                raise PayloadRefused("invalid_payload", "a revocation must revoke a known object")
    result = store_objects(
        db,
        mirror,
        (Incoming(item.object, item.audience) for item in data.items),
        added_by=f"node:{context.sender_party}",
        origin_party=context.sender_party,
        origin_node=context.sender_node,
    )
    invalid = [f for f in result.failures if "already stored" not in f["message"]]
    if invalid and not result.stored:
        raise PayloadRefused("invalid_payload", invalid[0]["message"][:500])
    tlps = {Tlp(tlp) for tlp in {item.tlp for item in result.stored}}
    for tlp in sorted(tlps, key=lambda t: t.rank):
        subject = _policy_subject(
            mirror, tlp, context.sender_party, context.settings.party, Direction.INBOUND
        )
        decision = evaluate(db, subject)
        record(
            db,
            actor=f"node:{context.sender_party}",
            action="cyber.received",
            object_type=OBJECT_TYPE,
            object_id=mirror.id,
            decision=decision.effect.value,
            rule_ids=decision.rule_ids,
            detail={"objects": sum(1 for item in result.stored if item.tlp == tlp)}
            | disclosure_record(subject, decision),
        )


def apply_upsert(db: Session, context: InboundContext, payload: dict[str, Any]) -> None:
    _apply(db, context, payload, revoke=False)


def apply_revoke(db: Session, context: InboundContext, payload: dict[str, Any]) -> None:
    _apply(db, context, payload, revoke=True)
