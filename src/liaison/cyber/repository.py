"""Reads: collections and object pages, filtered by the caller's rights and TLP.

Pages are keyset pages on ``seq`` (the collection's insertion order, which is also
``date_added`` order): each page is one indexed query of ``limit + 1`` rows, so
paging a collection of any size uses the same memory.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, false, not_, or_, select
from sqlalchemy.orm import InstrumentedAttribute, aliased

from liaison.cyber.access import readable_collections, visible_objects, writable_collections
from liaison.kit.i18n import Text
from liaison.kit.plugin import N_
from liaison.kit.repository import Repository
from liaison.kit.roles import Caller
from liaison.models import CyberAudience, CyberCollection, CyberObject

_CHUNK = 500


@dataclass(frozen=True)
class ObjectQuery:
    added_after: datetime | None = None
    after_seq: int = 0
    limit: int = 1000
    ids: Sequence[str] = ()
    types: Sequence[str] = ()
    versions: Sequence[str] = ("last",)  # "last" | "first" | "all" | timestamps
    version_times: Sequence[datetime] = field(default_factory=tuple)
    spec_versions: Sequence[str] = ()


class CyberRepository(Repository[Caller]):
    def collections(self) -> list[CyberCollection]:
        query = (
            select(CyberCollection)
            .where(readable_collections(self.caller))
            .order_by(CyberCollection.created_at, CyberCollection.id)
        )
        return list(self.db.scalars(query))

    def collection(self, collection_id: str) -> CyberCollection:
        query = select(CyberCollection).where(
            CyberCollection.id == collection_id, readable_collections(self.caller)
        )
        return self.one_or_404(
            query, Text(N_("no collection %(collection_id)s"), collection_id=collection_id)
        )

    def can_write(self, collection: CyberCollection) -> bool:
        query = select(CyberCollection.id).where(
            CyberCollection.id == collection.id, writable_collections(self.caller)
        )
        return self.db.scalar(query) is not None

    def can_read(self, collection: CyberCollection) -> bool:
        query = select(CyberCollection.id).where(
            CyberCollection.id == collection.id, readable_collections(self.caller)
        )
        return self.db.scalar(query) is not None

    def _version_filter(self, query: ObjectQuery) -> ColumnElement[bool] | None:
        if "all" in query.versions:
            return None
        conditions: list[ColumnElement[bool]] = []
        if "last" in query.versions:
            conditions.append(CyberObject.is_latest.is_(True))
        if "first" in query.versions:
            conditions.append(CyberObject.is_first.is_(True))
        if query.version_times:
            conditions.append(CyberObject.modified.in_(list(query.version_times)))
        return or_(*conditions) if conditions else false()

    def _select(self, collection: CyberCollection, query: ObjectQuery) -> Select[Any]:
        conditions: list[ColumnElement[bool]] = [
            CyberObject.collection_id == collection.id,
            CyberObject.seq > query.after_seq,
            visible_objects(self.caller, collection),
        ]
        versions = self._version_filter(query)
        if versions is not None:
            conditions.append(versions)
        if query.added_after is not None:
            conditions.append(CyberObject.date_added > query.added_after)
        if query.ids:
            conditions.append(CyberObject.stix_id.in_(list(query.ids)))
        if query.types:
            conditions.append(CyberObject.type.in_(list(query.types)))
        if query.spec_versions:
            conditions.append(CyberObject.spec_version.in_(list(query.spec_versions)))
        return select(CyberObject.seq).where(*conditions).order_by(CyberObject.seq)

    def page(
        self, collection: CyberCollection, query: ObjectQuery, *columns: InstrumentedAttribute[Any]
    ) -> list[tuple[Any, ...]]:
        """``limit + 1`` rows of (seq, date_added, *columns) in seq order."""
        base = self._select(collection, query)
        statement = base.add_columns(CyberObject.date_added, *columns).limit(query.limit + 1)
        return [tuple(row) for row in self.db.execute(statement)]

    def latest(self, collection: CyberCollection, stix_id: str) -> CyberObject:
        query = select(CyberObject).where(
            CyberObject.collection_id == collection.id,
            CyberObject.stix_id == stix_id,
            CyberObject.is_latest.is_(True),
            visible_objects(self.caller, collection),
        )
        return self.one_or_404(
            query,
            Text(
                N_("no object %(stix_id)s in collection %(id)s"), stix_id=stix_id, id=collection.id
            ),
        )

    def recent(
        self, collection: CyberCollection, types: Sequence[str], limit: int
    ) -> list[CyberObject]:
        query = (
            select(CyberObject)
            .where(
                CyberObject.collection_id == collection.id,
                CyberObject.is_latest.is_(True),
                visible_objects(self.caller, collection),
            )
            .order_by(CyberObject.seq.desc())
            .limit(limit)
        )
        if types:
            query = query.where(CyberObject.type.in_(list(types)))
        return list(self.db.scalars(query))

    def latest_many(
        self, collection: CyberCollection, stix_ids: Sequence[str]
    ) -> list[CyberObject]:
        """The latest visible version of each of these ids (one query)."""
        if not stix_ids:
            return []
        query = select(CyberObject).where(
            CyberObject.collection_id == collection.id,
            CyberObject.stix_id.in_(list(stix_ids)),
            CyberObject.is_latest.is_(True),
            visible_objects(self.caller, collection),
        )
        return list(self.db.scalars(query))

    def hidden_ids(self, collection: CyberCollection, stix_ids: Sequence[str]) -> set[str]:
        """Those of these ids whose stored latest version the caller may not see."""
        hidden: set[str] = set()
        wanted = sorted(set(stix_ids))
        for start in range(0, len(wanted), _CHUNK):
            query = select(CyberObject.stix_id).where(
                CyberObject.collection_id == collection.id,
                CyberObject.stix_id.in_(wanted[start : start + _CHUNK]),
                CyberObject.is_latest.is_(True),
                not_(visible_objects(self.caller, collection)),
            )
            hidden.update(self.db.scalars(query))
        return hidden

    def audiences_of_latest(
        self, collection: CyberCollection, stix_ids: Sequence[str]
    ) -> dict[str, list[str]]:
        """The audience of the latest visible version of each of these ids."""
        found: dict[str, list[str]] = {}
        wanted = sorted(set(stix_ids))
        member = aliased(CyberAudience)  # the TLP condition has its own CyberAudience
        for start in range(0, len(wanted), _CHUNK):
            query = (
                select(CyberObject.stix_id, member.subject)
                .join(member, member.object_seq == CyberObject.seq)
                .where(
                    CyberObject.collection_id == collection.id,
                    CyberObject.stix_id.in_(wanted[start : start + _CHUNK]),
                    CyberObject.is_latest.is_(True),
                    visible_objects(self.caller, collection),
                )
            )
            for stix_id, subject in self.db.execute(query):
                found.setdefault(stix_id, []).append(subject)
        return found

    def visible_ids(self, collection_id: str, stix_ids: Sequence[str]) -> set[str]:
        """Those of these ids with a version the caller may see (none if the collection
        is not readable)."""
        collection = self.db.scalar(
            select(CyberCollection).where(
                CyberCollection.id == collection_id, readable_collections(self.caller)
            )
        )
        if collection is None:
            return set()
        seen: set[str] = set()
        wanted = sorted(set(stix_ids))
        for start in range(0, len(wanted), _CHUNK):
            query = select(CyberObject.stix_id).where(
                CyberObject.collection_id == collection.id,
                CyberObject.stix_id.in_(wanted[start : start + _CHUNK]),
                visible_objects(self.caller, collection),
            )
            seen.update(self.db.scalars(query))
        return seen

    def versions(
        self, collection: CyberCollection, stix_id: str, limit: int = 100
    ) -> list[CyberObject]:
        query = (
            select(CyberObject)
            .where(
                CyberObject.collection_id == collection.id,
                CyberObject.stix_id == stix_id,
                visible_objects(self.caller, collection),
            )
            .order_by(CyberObject.seq.desc())
            .limit(limit)
        )
        return list(self.db.scalars(query))
