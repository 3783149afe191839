"""What a caller may see of the networks: records of the messages the caller may read.

The exchange's rule, in the query (``ExchangeRepository.messages_query``): the case
filter of the caller's role, and restricted (TLP:RED, AMBER+STRICT) messages only for
their audience. A cluster is shown with the records the caller may see, and a link
only when the message it comes from is visible, so nothing built from a restricted
item reaches anyone outside its audience.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, select

from liaison.exchange.repository import ExchangeRepository
from liaison.kit.errors import NotFound
from liaison.kit.i18n import Text
from liaison.kit.plugin import N_
from liaison.kit.repository import Repository
from liaison.kit.roles import Caller
from liaison.models import Message, NetworkCluster, NetworkRecord


@dataclass(frozen=True)
class SeenRecord:
    id: str
    message_id: str
    case_id: str
    kind: str
    label: str
    party: str
    cluster_id: str
    tlp: str
    at: datetime


class NetworksRepository(Repository[Caller]):
    def _visible_messages(self) -> Select[tuple[str]]:
        query = ExchangeRepository(self.db, self.caller).messages_query()
        return query.with_only_columns(Message.id)

    def _records(self) -> Select[NetworkRecord, Message]:
        return (
            select(NetworkRecord, Message)
            .join(Message, Message.id == NetworkRecord.message_id)
            .where(NetworkRecord.message_id.in_(self._visible_messages()))
        )

    @staticmethod
    def _seen(record: NetworkRecord, message: Message) -> SeenRecord:
        return SeenRecord(
            id=record.id,
            message_id=message.id,
            case_id=message.case_id,
            kind=record.kind,
            label=record.label,
            party=record.party,
            cluster_id=record.cluster_id,
            tlp=message.tlp,
            at=message.sent_at or message.received_at or message.created_at,
        )

    def records(
        self, cluster_ids: list[str] | None = None, limit: int = 200_000
    ) -> list[SeenRecord]:
        query = self._records()
        if cluster_ids is not None:
            query = query.where(NetworkRecord.cluster_id.in_(cluster_ids))
        return [self._seen(row[0], row[1]) for row in self.db.execute(query.limit(limit))]

    def records_of_messages(self, message_ids: list[str]) -> list[SeenRecord]:
        query = self._records().where(NetworkRecord.message_id.in_(message_ids))
        return [self._seen(row[0], row[1]) for row in self.db.execute(query)]

    def cluster(self, cluster_id: str) -> tuple[NetworkCluster, list[SeenRecord]]:
        """A cluster with the records the caller may see; 404 when none is visible."""
        found = self.db.get(NetworkCluster, cluster_id)
        members = self.records([cluster_id]) if found else []
        if found is None or not members:
            raise NotFound(Text(N_("no network entity %(cluster_id)s"), cluster_id=cluster_id))
        return found, members

    def clusters(self, ids: set[str]) -> dict[str, NetworkCluster]:
        if not ids:
            return {}
        rows = self.db.scalars(select(NetworkCluster).where(NetworkCluster.id.in_(sorted(ids))))
        return {c.id: c for c in rows}
