"""Fixtures for the TAXII tests: the seeded CCCS collection and TAXII headers."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from liaison.cyber.taxii_http import TAXII_MEDIA_TYPE
from liaison.kit.db import unit_of_work
from liaison.models import CyberCollection

Headers = Callable[[str], dict[str, str]]


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


def objects_url(collection_id: str) -> str:
    return f"/taxii2/cti/collections/{collection_id}/objects/"


def post(
    client: TestClient, headers: dict[str, str], collection_id: str, *objects: dict[str, object]
) -> dict[str, object]:
    response = client.post(
        objects_url(collection_id), json={"objects": list(objects)}, headers=headers
    )
    assert response.status_code == 202, response.text
    body: dict[str, object] = response.json()
    return body
