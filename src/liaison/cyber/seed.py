"""Demo cyber data: a CERT-In collection on the Indian node, a CCCS one on the Canadian."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from liaison.cyber.store import Incoming, store_objects
from liaison.cyber.tlp import MARKING_FOR, Tlp
from liaison.models import Agency, CyberCollection, CyberGrant


@dataclass(frozen=True)
class CollectionSeed:
    acronym: str
    title: str
    description: str
    indicators: tuple[tuple[str, str, Tlp], ...]  # (name, pattern, tlp)
    share_with: tuple[str, str]  # (peer party, receiving agency there)


SEEDS = {
    "IN": CollectionSeed(
        "CERT-In",
        "CERT-In indicators",
        "Indicators of compromise published by CERT-In for Canadian partners",
        (
            (
                "Phishing domain impersonating an Indian bank",
                "[domain-name:value = 'secure-sbi-login.example']",
                Tlp.GREEN,
            ),
            (
                "C2 server of a ransomware affiliate",
                "[ipv4-addr:value = '203.0.113.17']",
                Tlp.AMBER,
            ),
            (
                "Loader sample hash",
                "[file:hashes.'SHA-256' = '" + "0f1e2d3c4b5a6978" * 4 + "']",
                Tlp.AMBER,
            ),
        ),
        ("CA", "CCCS"),
    ),
    "CA": CollectionSeed(
        "CCCS",
        "CCCS indicators",
        "Indicators shared by the Canadian Centre for Cyber Security",
        (
            (
                "Credential-harvesting URL",
                "[url:value = 'https://login-canada-revenue.example/verify']",
                Tlp.GREEN,
            ),
            (
                "Scanning host targeting critical infrastructure",
                "[ipv4-addr:value = '198.51.100.42']",
                Tlp.AMBER,
            ),
        ),
        ("IN", "CERT-In"),
    ),
}

_NAMESPACE = uuid.UUID("6f0d1c5e-3a57-4a5e-9a55-5c1b0f7f4e21")


def demo_indicator(name: str, pattern: str, tlp: Tlp) -> dict[str, object]:
    stamp = "2026-02-07T00:00:00.000Z"
    # uuid4-shaped but stable, so re-seeding finds the same ids
    digest = uuid.uuid5(_NAMESPACE, pattern).hex
    stable = uuid.UUID(digest[:12] + "4" + digest[13:16] + "8" + digest[17:])
    return {
        "type": "indicator",
        "spec_version": "2.1",
        "id": f"indicator--{stable}",
        "created": stamp,
        "modified": stamp,
        "name": name,
        "indicator_types": ["malicious-activity"],
        "pattern": pattern,
        "pattern_type": "stix",
        "valid_from": stamp,
        "object_marking_refs": [MARKING_FOR[tlp]],
    }


def seed_cyber(db: Session, party_code: str) -> int:
    """Create the party's demo collection with a few indicators; idempotent. Flushes."""
    seed = SEEDS.get(party_code)
    if seed is None:
        return 0
    agency_id = db.scalar(
        select(Agency.id).where(Agency.party_code == party_code, Agency.acronym == seed.acronym)
    )
    if agency_id is None or db.scalar(
        select(CyberCollection.id).where(CyberCollection.title == seed.title)
    ):
        return 0
    collection = CyberCollection(
        title=seed.title,
        description=seed.description,
        default_tlp=Tlp.AMBER.value,
        agency_id=agency_id,
        owner_party=party_code,
        # New writes travel once the peer is pinned; re-running 'collections share'
        # also sends what is already stored.
        shared_with={seed.share_with[0]: seed.share_with[1]},
    )
    db.add(collection)
    db.flush()
    db.add_all(
        [
            CyberGrant(collection_id=collection.id, subject=f"party:{party_code}"),
            CyberGrant(collection_id=collection.id, subject=f"agency:{agency_id}", can_write=True),
            CyberGrant(
                collection_id=collection.id,
                subject=f"user:{party_code}:{party_code.lower()}-analyst",
                can_write=True,
            ),
        ]
    )
    db.flush()
    items = [Incoming(demo_indicator(*indicator)) for indicator in seed.indicators]
    result = store_objects(db, collection, items, added_by="system", origin_party=party_code)
    return len(result.stored)


def seed_step(db: Session, party_code: str) -> dict[str, int]:
    """The demo seed step: the party's demo collection."""
    return {"cyber collections": 1} if seed_cyber(db, party_code) else {}
