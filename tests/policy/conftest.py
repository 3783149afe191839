"""The policy tests' node: the shipped domains plus the test plug-in that releases (or
drops) the test items held for legal review (``tests.policy.holds``)."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from liaison.domains import DOMAINS
from liaison.kit.db import unit_of_work
from liaison.kit.plugin import Registry
from liaison.models import Agency, Party
from tests.policy.holds import TEST_PLUGIN
from tests.support.peering import pin_peer_with_agencies


@pytest.fixture
def registry() -> Registry:
    return Registry([*DOMAINS, TEST_PLUGIN])


@pytest.fixture
def agencies(seeded: sessionmaker[Session]) -> dict[str, str]:
    """India's agencies as federation leaves them, and a third party's (for onward
    disclosure); India pinned as the peer."""
    with unit_of_work(seeded) as db:
        pin_peer_with_agencies(db, "IN")
        db.add(Party(code="US", name="United States"))
        db.flush()
        db.add(Agency(party_code="US", name="Federal Bureau of Investigation", acronym="FBI"))
        db.flush()
        rows = db.execute(select(Agency.acronym, Agency.party_code, Agency.id)).all()
    return {f"{party}:{acronym}": agency_id for acronym, party, agency_id in rows}
