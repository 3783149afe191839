"""Gathering every party's signature on a version.

A bilateral plan is the case of one other party. In a plan naming three or more parties,
the proposer collects the acceptances (each carries the acceptor's signature), signs
last, and relays the whole set to every other party; each node verifies each signature
against the key it pinned for the party that made it, so relaying needs no trust in
the relaying node. A version is current on a node only once that node holds a valid
signature from every party the plan names.
"""

from __future__ import annotations

from pydantic import Field
from sqlalchemy.orm import Session

from liaison.federation.outbox import enqueue
from liaison.kit.inputs import InputModel
from liaison.kit.plugin import InboundContext, PayloadRefused
from liaison.ledger.service import trail
from liaison.models import WorkplanSignature, WorkplanVersion
from liaison.workplan import consent, versions
from liaison.workplan.document import parse
from liaison.workplan.repository import WorkplanRepository
from liaison.workplan.schemas import PARTY_PATTERN, SHA256_PATTERN

SIGNATURE = "workplan.signature"
VERSION = "workplan.version"


class SignatureMessage(InputModel):
    version: int = Field(ge=1)
    sha256: str = Field(pattern=SHA256_PATTERN)
    key_id: str = Field(pattern=r"^[0-9a-f]{16}$")
    signature: str = Field(min_length=1, max_length=100)
    # The signing party when the sender relays another party's signature (absent: the sender).
    party: str | None = Field(default=None, pattern=PARTY_PATTERN)


def parties_of(version: WorkplanVersion) -> list[str]:
    return parse(version.document).parties


def others(version: WorkplanVersion, own_party: str) -> list[str]:
    return versions.counterparts(parse(version.document), own_party)


def store_signature(
    db: Session, context: InboundContext, version: WorkplanVersion, signed: SignatureMessage
) -> bool:
    """Record the signature after checking it against the signing party's pinned key;
    False if this node held it already (or it is this node's own)."""
    if signed.version != version.number or signed.sha256 != version.sha256:
        raise PayloadRefused(
            "invalid_payload",
            f"version {signed.version} with hash {signed.sha256[:12]}… differs from this "
            f"node's version {version.number} ({version.sha256[:12]}…)",
        )
    party = signed.party or context.sender_party
    if party == context.settings.party:
        return False  # this node's own signature: it holds the original
    if party not in parties_of(version):
        raise PayloadRefused(
            "invalid_payload", f"{party} is not a party of workplan version {version.number}"
        )
    repo = WorkplanRepository(db)
    if repo.signature(version.number, party) is not None:
        return False
    row = WorkplanSignature(
        version_number=version.number,
        party_code=party,
        key_id=signed.key_id,
        signature=signed.signature,
    )
    if not consent.verify(db, context.settings.party, row, version.sha256):
        raise PayloadRefused(
            "invalid_payload",
            f"the signature of {party} on version {version.number} does not verify "
            "with the key pinned for that party",
        )
    db.add(row)
    db.flush()
    relayed_by = context.sender_party if party != context.sender_party else None
    trail(
        db, f"node:{context.sender_party}", "workplan.signature.recorded", VERSION,
        str(version.number), party=party, key_id=signed.key_id, relayed_by=relayed_by,
    )  # fmt: skip
    return True


def relay(db: Session, version: WorkplanVersion, own_party: str) -> None:
    """Send every signature this node holds to every other party but its signer."""
    parties = others(version, own_party)
    for row in WorkplanRepository(db).signatures(version.number):
        to = [party for party in parties if party != row.party_code]
        if not to:
            continue
        relayed = row.party_code != own_party
        enqueue(db, SIGNATURE, consent.signature_payload(version, row, relayed=relayed), peers=to)
        if not relayed:
            consent.mark_shared(row)
    db.flush()


def finish(db: Session, context: InboundContext, version: WorkplanVersion) -> bool:
    """Make a pending version current once every party's signature is in."""
    if version.state != "pending" or consent.unsigned(db, version, parties_of(version)):
        return False
    versions.complete(db, WorkplanRepository(db), version)
    trail(
        db, f"node:{context.sender_party}", "workplan.version.current", VERSION,
        str(version.number), sha256=version.sha256, parties=parties_of(version),
    )  # fmt: skip
    return True
