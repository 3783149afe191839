"""A Canadian node with India's agencies as federation leaves them, India pinned as a peer."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from liaison import domains
from liaison.config import Settings
from liaison.directory import seed_data
from liaison.kit import clock
from liaison.kit.db import unit_of_work
from liaison.kit.ids import new_id
from liaison.kit.plugin import InboundContext
from liaison.models import Agency
from tests.federation.conftest import backend, nodes, peered  # noqa: F401  (two live nodes)
from tests.peering import pin_peer

SMALL_ATTACHMENT_LIMIT = 64 * 1024
T0 = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)


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
        for seed in seed_data.AGENCIES["IN"]:
            db.add(
                Agency(
                    party_code="IN",
                    name=seed.name,
                    acronym=seed.acronym,
                    mandate_areas=list(seed.mandate_areas),
                    origin_node="liaison-in",
                )
            )
        pin_peer(db, "IN")
        db.flush()
        rows = db.execute(select(Agency.acronym, Agency.party_code, Agency.id)).all()
    return {f"{party}:{acronym}": agency_id for acronym, party, agency_id in rows}


@pytest.fixture
def receive(seeded: sessionmaker[Session], settings: Settings) -> Callable[[dict[str, Any]], None]:
    """Apply an ``exchange.message`` payload as the inbox would, from India."""

    def apply(payload: dict[str, Any]) -> None:
        handler = domains.registry().handler_for("exchange.message")
        assert handler is not None
        context = InboundContext(
            settings=settings,
            sender_party="IN",
            sender_node="liaison-in",
            envelope_id=new_id(),
            seq=1,
            registry=domains.registry(),
        )
        with unit_of_work(seeded) as db:
            handler(db, context, payload)

    return apply
