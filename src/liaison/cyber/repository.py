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

from sqlalchemy import ColumnElement, Select, false, or_, select, true
from sqlalchemy.orm import InstrumentedAttribute

from liaison.cyber import bulk
from liaison.cyber.access import readable_collections, visible_objects, writable_collections
from liaison.cyber.store import Latest, audiences
from liaison.cyber.tlp import OPEN_RANK
from liaison.kit.i18n import Text
from liaison.kit.plugin import N_
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
            conditions.append(CyberObject.is_latest == true())
        if "first" in query.versions:
            conditions.append(CyberObject.is_first.is_(True))
        if query.version_times:
            conditions.append(CyberObject.modified.in_(list(query.version_times)))
        return or_(*conditions) if conditions else false()

    def _select(self, collection: CyberCollection | str, query: ObjectQuery) -> Select[Any]:
        """``collection`` an id: the collection joined, with the caller's rights on it
        (one query for the rights and the page)."""
        conditions: list[ColumnElement[bool]] = [CyberObject.seq > query.after_seq]
        statement = select(CyberObject.seq)
        if isinstance(collection, str):
            on = CyberCollection.id == CyberObject.collection_id
            statement = statement.join_from(CyberObject, CyberCollection, on)
            conditions += [
                CyberObject.collection_id == collection,
                readable_collections(self.caller),
                visible_objects(self.caller, None),
            ]
        else:
            conditions += [
                CyberObject.collection_id == collection.id,
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
        return statement.where(*conditions).order_by(CyberObject.seq)

    def page(
        self,
        collection: CyberCollection | str,
        query: ObjectQuery,
        *columns: InstrumentedAttribute[Any],
    ) -> list[tuple[Any, ...]]:
        """``limit + 1`` rows of (seq, date_added, *columns) in seq order.

        Executed on the session's connection, as Core, rows fetched at once: none of
        the ORM's per-row loading work (a page of 1,000 rows cost 5x the query itself
        that way), nor SQLAlchemy's rows around the driver's. ``collection`` an id: the
        caller's rights on it checked in the same query (NotFound if it may not read it:
        asked only when the page is empty)."""
        base = self._select(collection, query)
        statement = base.add_columns(CyberObject.date_added, *columns).limit(query.limit + 1)
        result = self.db.connection().execute(statement)
        try:
            # the driver's own tuples: none of SQLAlchemy's per-row work (date_added as
            # the driver reads it, naive text on SQLite: see taxii_http.utc_stamp)
            rows = [tuple(row) for row in result.cursor.fetchall()]
        finally:
            result.close()
        if not rows and isinstance(collection, str):
            self.collection(collection)  # 404 unless the caller may read it
        return rows

    def latest(self, collection: CyberCollection, stix_id: str) -> CyberObject:
        query = select(CyberObject).where(
            CyberObject.collection_id == collection.id,
            CyberObject.stix_id == stix_id,
            CyberObject.is_latest == true(),
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
                CyberObject.is_latest == true(),
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
            CyberObject.is_latest == true(),
            visible_objects(self.caller, collection),
        )
        return list(self.db.scalars(query))

    def write_state(
        self, collection: CyberCollection, stix_ids: Sequence[str]
    ) -> tuple[dict[str, Latest], set[str], dict[str, list[str]]]:
        """For a write of these ids: the stored latest version of each, those of them
        the caller may not see, and the audience of those it may see. One query for the
        versions (a PostgreSQL array parameter, not a list of 500), one for audiences of
        the few that are restricted."""
        latest: dict[str, Latest] = {}
        hidden: set[str] = set()
        visible_seqs: dict[int, str] = {}
        visible = visible_objects(self.caller, collection).label("visible")
        for part in bulk.chunks(self.db, sorted(set(stix_ids))):
            query = select(
                CyberObject.stix_id,
                CyberObject.seq,
                CyberObject.modified,
                CyberObject.tlp_rank,
                CyberObject.created,
                visible,
            ).where(
                CyberObject.collection_id == collection.id,
                bulk.one_of(self.db, CyberObject.stix_id, part),
                CyberObject.is_latest == true(),
            )
            for stix_id, seq, modified, rank, created, seen in self.db.execute(query):
                latest[stix_id] = Latest(seq, modified, rank, created)
                if not seen:
                    hidden.add(stix_id)
                elif rank > OPEN_RANK:
                    visible_seqs[seq] = stix_id
        found = audiences(self.db, sorted(visible_seqs))
        audience = {visible_seqs[seq]: subjects for seq, subjects in found.items()}
        return latest, hidden, audience

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
        for part in bulk.chunks(self.db, wanted):
            query = select(CyberObject.stix_id).where(
                CyberObject.collection_id == collection.id,
                bulk.one_of(self.db, CyberObject.stix_id, part),
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
