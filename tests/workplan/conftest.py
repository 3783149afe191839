"""A Canadian node (the app, on SQLite and PostgreSQL) with India pinned as a peer.

India's side of the protocol is played in-process: its envelopes are applied with the
registered handlers (as the inbox does after verifying them) and its signatures are
made with India's real Ed25519 key. tests/federation has the two-live-node version.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from liaison import domains
from liaison.config import Settings
from liaison.directory import seed_data
from liaison.kit.crypto import NodeKeyPair, b64e
from liaison.kit.db import unit_of_work
from liaison.kit.ids import new_id
from liaison.kit.plugin import InboundContext
from liaison.models import Agency, OutboxMessage
from liaison.workplan.consent import signed_message
from tests.peering import pin_peer


@dataclass
class India:
    factory: sessionmaker[Session]
    settings: Settings
    pair: NodeKeyPair
    seq: int = 0

    def send(self, message_type: str, payload: dict[str, Any]) -> None:
        """Apply an envelope from India, as the inbox would, in its own transaction."""
        self.seq += 1
        handler = domains.registry().handler_for(message_type)
        assert handler is not None, message_type
        context = InboundContext(
            settings=self.settings,
            sender_party="IN",
            sender_node="liaison-in",
            envelope_id=new_id(),
            seq=self.seq,
            registry=domains.registry(),
        )
        with unit_of_work(self.factory) as db:
            handler(db, context, payload)

    def signature(self, number: int, sha256: str) -> dict[str, Any]:
        signed = self.pair.signing_key.sign(signed_message(sha256)).signature
        return {
            "version": number,
            "sha256": sha256,
            "key_id": self.pair.public.key_id,
            "signature": b64e(signed),
        }


@pytest.fixture
def india(seeded: sessionmaker[Session], settings: Settings) -> Iterator[India]:
    with unit_of_work(seeded) as db:
        pair = pin_peer(db, "IN")
        for agency in seed_data.AGENCIES["IN"]:
            db.add(
                Agency(
                    party_code="IN",
                    name=agency.name,
                    acronym=agency.acronym,
                    mandate_areas=list(agency.mandate_areas),
                    origin_node="liaison-in",
                )
            )
    return India(seeded, settings, pair)


Outbox = Callable[[str], list[dict[str, Any]]]


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


def new_action(**overrides: Any) -> dict[str, Any]:
    action: dict[str, Any] = {
        "area": "drugs_precursors",
        "description": "Joint training on precursor chemical identification",
        "leads": {"CA": "CBSA", "IN": "NCB"},
        "deliverables": ["Two training sessions"],
        "milestones": [{"title": "First session held", "due": "2026-12-15"}],
    }
    action.update(overrides)
    return action
