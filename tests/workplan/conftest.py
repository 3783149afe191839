"""A Canadian node (the app, on SQLite and PostgreSQL) with India pinned as a peer.

India's side of the protocol is played in-process: its envelopes are applied with the
registered handlers (as the inbox does after verifying them) and its signatures are
made with India's real Ed25519 key. tests/federation has the two-live-node version.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from liaison.config import Settings
from liaison.kit.db import unit_of_work
from liaison.models import OutboxMessage
from tests.support.peering import pin_peer_with_agencies
from tests.workplan.india import India, Outbox


@pytest.fixture
def india(seeded: sessionmaker[Session], settings: Settings) -> Iterator[India]:
    with unit_of_work(seeded) as db:
        pair = pin_peer_with_agencies(db, "IN")
    return India(seeded, settings, pair)


@pytest.fixture
def outbox(seeded: sessionmaker[Session]) -> Outbox:
    """The payloads queued for India of one message type, oldest first."""

    def read(message_type: str) -> list[dict[str, Any]]:
        with unit_of_work(seeded) as db:
            rows = db.scalars(
                select(OutboxMessage.payload)
                .where(OutboxMessage.type == message_type, OutboxMessage.peer_party == "IN")
                .order_by(OutboxMessage.id)
            ).all()
        return [json.loads(row) for row in rows]

    return read
