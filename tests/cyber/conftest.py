"""Fixtures for the TAXII tests: the seeded CCCS collection and TAXII headers."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from liaison.cyber.taxii_http import TAXII_MEDIA_TYPE
from liaison.kit.db import unit_of_work
from liaison.models import CyberCollection
from tests.cyber.taxii import Headers


@pytest.fixture
def cccs(seeded: sessionmaker[Session]) -> str:
    """Id of the demo CCCS collection (CA node): everyone reads, the analyst writes."""
    with unit_of_work(seeded) as db:
        found = db.scalar(
            select(CyberCollection.id).where(CyberCollection.title == "CCCS indicators")
        )
    assert found is not None
    return found


@pytest.fixture
def taxii(auth_headers: Headers) -> Headers:
    def make(username: str) -> dict[str, str]:
        return {
            **auth_headers(username),
            "Accept": TAXII_MEDIA_TYPE,
            "Content-Type": TAXII_MEDIA_TYPE,
        }

    return make
