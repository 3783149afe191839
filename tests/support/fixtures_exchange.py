"""A Canadian node with India's agencies as federation leaves them, India pinned as a
peer, and a way to receive India's exchange messages (the exchange and networks tests)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from liaison.config import Settings
from liaison.kit.db import unit_of_work
from liaison.models import Agency
from tests.support.peering import apply_inbound, pin_peer_with_agencies


@pytest.fixture
def agencies(seeded: sessionmaker[Session]) -> dict[str, str]:
    """Acronym -> id for both parties; India's as if published over federation."""
    with unit_of_work(seeded) as db:
        pin_peer_with_agencies(db, "IN")
        rows = db.execute(select(Agency.acronym, Agency.party_code, Agency.id)).all()
    return {f"{party}:{acronym}": agency_id for acronym, party, agency_id in rows}


@pytest.fixture
def receive(seeded: sessionmaker[Session], settings: Settings) -> Callable[[dict[str, Any]], None]:
    """Apply an ``exchange.message`` payload as the inbox would, from India."""

    def apply(payload: dict[str, Any]) -> None:
        apply_inbound(seeded, settings, "exchange.message", payload)

    return apply
