"""Business rules of the cyber domain: collections, rights, sharing, writes, revocation."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from liaison.cyber import federation
from liaison.cyber.access import user_subject
from liaison.cyber.repository import CyberRepository
from liaison.cyber.schemas import CollectionCreate, GrantCreate, ShareCreate
from liaison.cyber.store import (
    Incoming,
    Stored,
    WriteResult,
    audiences,
    format_timestamp,
    store_objects,
)
from liaison.kit import clock
from liaison.kit.errors import Forbidden, ValidationFailed
from liaison.kit.i18n import Text
from liaison.kit.plugin import N_
from liaison.kit.roles import Caller
from liaison.ledger.service import trail
from liaison.models import Agency, CyberCollection, CyberGrant, Peer, TaxiiStatus

STATUS_TYPE = "cyber.taxii_status"
HIDDEN_VERSION = (
    "refused: a version of this object is stored that you may not see, "
    "so you may not write a later one"
)


def _stix_id(obj: Any) -> str | None:
    stix_id = obj.get("id") if isinstance(obj, dict) else None
    return stix_id if isinstance(stix_id, str) else None


class CyberService:
    def __init__(self, db: Session, caller: Caller) -> None:
        self.db = db
        self.caller = caller
        self.repo = CyberRepository(db, caller)

    def _admin(self) -> None:
        if not self.caller.is_admin:
            raise Forbidden(N_("only an administrator manages cyber collections"))

    def _own(self, collection_id: str) -> CyberCollection:
        collection = self.repo.collection(collection_id)
        if collection.origin_node is not None:
            raise Forbidden(
                Text(
                    N_("collection %(collection_id)s is a read-only mirror of a peer's"),
                    collection_id=collection_id,
                )
            )
        return collection

    # collections ------------------------------------------------------------------
    def create_collection(self, data: CollectionCreate) -> CyberCollection:
        self._admin()
        agency_id = None
        if data.agency_acronym:
            agency_id = self.db.scalar(
                select(Agency.id).where(
                    Agency.party_code == self.caller.party_code,
                    Agency.acronym == data.agency_acronym,
                )
            )
            if agency_id is None:
                raise ValidationFailed.on_field(
                    "agency_acronym",
                    Text(
                        N_("no agency %(agency_acronym)s of this party"),
                        agency_acronym=data.agency_acronym,
                    ),
                )
        collection = CyberCollection(
            title=data.title,
            description=data.description,
            default_tlp=data.default_tlp.value,
            agency_id=agency_id,
            owner_party=self.caller.party_code,
            shared_with={},
        )
        self.db.add(collection)
        self.db.flush()
        if agency_id:
            self.db.add(
                CyberGrant(
                    collection_id=collection.id, subject=f"agency:{agency_id}", can_write=True
                )
            )
            self.db.flush()
        return collection

    def grant(self, collection_id: str, data: GrantCreate) -> CyberGrant:
        self._admin()
        collection = self.repo.collection(collection_id)
        grant = self.db.scalar(
            select(CyberGrant).where(
                CyberGrant.collection_id == collection.id, CyberGrant.subject == data.subject
            )
        )
        if grant is None:
            grant = CyberGrant(collection_id=collection.id, subject=data.subject)
            self.db.add(grant)
        grant.can_read = data.can_read
        grant.can_write = data.can_write
        self.db.flush()
        return grant

    def share(self, collection_id: str, data: ShareCreate) -> int:
        """Share with a peer: future writes travel, and everything stored now is queued."""
        self._admin()
        collection = self._own(collection_id)
        if self.db.get(Peer, data.party) is None:
            raise ValidationFailed.on_field(
                "party", Text(N_("%(party)s is not a pinned peer"), party=data.party)
            )
        collection.shared_with = {**collection.shared_with, data.party: data.recipient_agency}
        self.db.flush()
        return federation.backfill(self.db, collection, data.party, data.recipient_agency)

    # writes -----------------------------------------------------------------------
    def _writable(self, collection_id: str) -> CyberCollection:
        collection = self.repo.collection(collection_id)
        if not self.repo.can_write(collection):
            raise Forbidden(
                Text(
                    N_("you may not write to collection %(collection_id)s"),
                    collection_id=collection_id,
                )
            )
        return collection

    def _audience(self, extra: Sequence[str]) -> list[str]:
        return [user_subject(self.caller.party_code, self.caller.username), *extra]

    def write(
        self, collection_id: str, objects: Iterable[Any], audience: Sequence[str] = ()
    ) -> WriteResult:
        """Store objects; a new version of a stored object needs the writer to see the
        stored one (a writer outside a RED object's audience cannot revoke or rewrite it),
        and keeps its audience."""
        collection = self._writable(collection_id)
        everyone = self._audience(audience)
        objects = list(objects)
        ids = [_stix_id(obj) for obj in objects]
        known = [stix_id for stix_id in ids if stix_id]
        latest, hidden, previous = self.repo.write_state(collection, known)
        refused: list[dict[str, str]] = []
        items: list[Incoming] = []
        for obj, stix_id in zip(objects, ids, strict=True):
            if stix_id in hidden:
                refused.append({"id": stix_id, "message": HIDDEN_VERSION})
                continue
            items.append(Incoming(obj, [*everyone, *previous.get(stix_id or "", [])]))
        result = store_objects(
            self.db,
            collection,
            items,
            added_by=user_subject(self.caller.party_code, self.caller.username),
            origin_party=self.caller.party_code,
            latest=latest,
        )
        result.failures[:0] = refused
        federation.publish(self.db, collection, result.stored)
        return result

    def add_envelope(self, collection_id: str, objects: list[Any]) -> TaxiiStatus:
        """A TAXII POST: store what is valid, report the rest, as one status resource."""
        result = self.write(collection_id, objects)
        status = TaxiiStatus(
            collection_id=collection_id,
            status="complete",
            request_timestamp=clock.now(),
            total_count=len(objects),
            success_count=len(result.stored),
            failure_count=len(result.failures),
            pending_count=0,
            successes=result.successes,
            failures=result.failures,
            requested_by=user_subject(self.caller.party_code, self.caller.username),
        )
        self.db.add(status)
        self.db.flush()
        # One audit entry per envelope, not per object: the status resource it names
        # keeps each object's id and version and each failure's reason.
        trail(
            self.db,
            self.caller,
            "cyber.taxii.envelope_added",
            STATUS_TYPE,
            status.id,
            collection=collection_id,
            total=status.total_count,
            stored=status.success_count,
            failed=status.failure_count,
            marked=sum(1 for note in result.notes.values() if "marked TLP:" in note),
        )
        return status

    def status(self, status_id: str) -> tuple[TaxiiStatus, list[dict[str, str]]]:
        """A status resource is its requester's: anyone else gets 404. Its successes are
        narrowed to objects the requester may still see."""
        me = user_subject(self.caller.party_code, self.caller.username)
        query = select(TaxiiStatus).where(
            TaxiiStatus.id == status_id, TaxiiStatus.requested_by == me
        )
        status = self.repo.one_or_404(
            query, Text(N_("no status %(status_id)s"), status_id=status_id)
        )
        self.repo.collection(status.collection_id)  # 404 unless readable
        ids = [str(item.get("id", "")) for item in status.successes]
        seen = self.repo.visible_ids(status.collection_id, ids)
        return status, [item for item in status.successes if item.get("id") in seen]

    def revoke(self, collection_id: str, stix_id: str) -> Stored:
        """Store a revoked version (modified = now) and send the revocation to peers."""
        collection = self._writable(collection_id)
        current = self.repo.latest(collection, stix_id)
        if current.revoked:
            raise ValidationFailed.on_field(
                "id", Text(N_("%(stix_id)s is already revoked"), stix_id=stix_id)
            )
        obj = json.loads(current.raw)
        if "modified" not in obj:
            raise ValidationFailed.on_field(
                "id", N_("cyber observables have no versions to revoke")
            )
        modified = clock.now()
        if current.modified is not None and modified <= current.modified:
            modified = current.modified + timedelta(milliseconds=1)
        obj["modified"] = format_timestamp(modified)[:23] + "Z"
        obj["revoked"] = True
        result = store_objects(
            self.db,
            collection,
            [Incoming(obj, audiences(self.db, [current.seq]).get(current.seq, []))],
            added_by=user_subject(self.caller.party_code, self.caller.username),
            origin_party=self.caller.party_code,
        )
        if not result.stored:
            raise ValidationFailed.on_field("id", result.failures[0]["message"])
        federation.publish(self.db, collection, result.stored, message_type=federation.REVOKE)
        return result.stored[0]
