"""What the inbox keeps for one batch (one transaction): the envelope ids already
received, fetched in one query, and the new inbox rows, inserted together at the end.

``expect`` names the batch's ids (read from the headers before anything is received);
they are looked up at the first sequence check, once the sender's peer row is locked,
so no concurrent worker can add one of them unseen. An id read under another peer's
lock (a batch that mixes senders) is looked up on its own.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from liaison.kit.bulk import BulkInsert
from liaison.kit.db import Base
from liaison.models import InboxMessage

_COLUMNS = (
    "id",
    "peer_party",
    "seq",
    "type",
    "created_at",
    "received_at",
    "status",
    "reason",
    "receipt",
)
_TABLE = Base.metadata.tables[InboxMessage.__tablename__]
_CHUNK = 500


@dataclass(frozen=True)
class Seen:
    """An envelope id already in the inbox (or received earlier in this batch)."""

    peer_party: str
    seq: int
    receipt: str
    reason: str | None


class InboxBatch:
    def __init__(self, db: Session) -> None:
        self.db = db
        self._wanted: list[str] = []
        self._seen: dict[str, Seen] = {}
        self._fetched: dict[str, str] = {}  # id -> the peer whose lock it was read under
        self._rows: list[dict[str, Any]] = []

    def expect(self, envelope_ids: Iterable[str]) -> None:
        self._wanted = list(dict.fromkeys(envelope_ids))

    def _fetch(self, party: str) -> None:
        wanted, self._wanted = self._wanted, []
        for start in range(0, len(wanted), _CHUNK):
            chunk = wanted[start : start + _CHUNK]
            found = self.db.execute(
                select(
                    InboxMessage.id,
                    InboxMessage.peer_party,
                    InboxMessage.seq,
                    InboxMessage.receipt,
                    InboxMessage.reason,
                ).where(InboxMessage.id.in_(chunk))
            )
            for row in found:
                self._seen[row.id] = Seen(row.peer_party, row.seq, row.receipt, row.reason)
            self._fetched.update(dict.fromkeys(chunk, party))

    def seen(self, envelope_id: str, party: str) -> Seen | None:
        """The inbox entry with this id, if any; call with ``party``'s peer row locked."""
        if self._wanted:
            self._fetch(party)
        if envelope_id in self._seen or self._fetched.get(envelope_id) == party:
            return self._seen.get(envelope_id)
        row = self.db.get(InboxMessage, envelope_id)
        if row is None:
            return None
        return Seen(row.peer_party, row.seq, row.receipt, row.reason)

    def add(
        self,
        *,
        envelope_id: str,
        peer_party: str,
        seq: int,
        message_type: str,
        created_at: datetime,
        received_at: datetime,
        status: str,
        reason: str | None,
        receipt: str,
    ) -> None:
        """A new inbox row, inserted by ``finish``."""
        self._rows.append(
            {
                "id": envelope_id,
                "peer_party": peer_party,
                "seq": seq,
                "type": message_type,
                "created_at": created_at,
                "received_at": received_at,
                "status": status,
                "reason": reason,
                "receipt": receipt,
            }
        )
        self._seen[envelope_id] = Seen(peer_party, seq, receipt, reason)

    def finish(self) -> None:
        rows, self._rows = self._rows, []
        if rows:
            BulkInsert(self.db, _TABLE, _COLUMNS).run(rows)
