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

from sqlalchemy import ColumnElement, Select, false, or_, select
from sqlalchemy.orm import InstrumentedAttribute

from liaison.cyber.access import readable_collections, visible_objects, writable_collections
from liaison.kit.repository import Repository
from liaison.kit.roles import Caller
from liaison.models import CyberCollection, CyberObject


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
        return self.one_or_404(query, f"collection {collection_id}")

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
        return self.one_or_404(query, f"object {stix_id} in collection {collection.id}")

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
