"""A Canadian node with India's agencies as federation leaves them, India pinned as a peer."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from liaison.config import Settings
from liaison.kit import clock
from liaison.kit.db import unit_of_work
from liaison.models import Agency
from tests.exchange.payloads import SMALL_ATTACHMENT_LIMIT, T0
from tests.support.peering import apply_inbound, pin_peer_with_agencies


@pytest.fixture
def at() -> Iterator[list[datetime]]:
    """The node's clock, starting at T0; set ``at[0]`` to move it."""
    now = [T0]
    clock.set_clock(lambda: now[0])
    yield now
    clock.reset_clock()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    node = Settings(
        party="CA",
        node_name="liaison-ca",
        data_dir=tmp_path / "node",
        exchange_max_attachment_bytes=SMALL_ATTACHMENT_LIMIT,
    )
    node.ensure_secret_key()
    return node


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
