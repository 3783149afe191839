"""Retention actions from the web page: a legal reviewer places and releases a legal hold;
a record that is not here is refused beside the field."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from liaison.kit.db import unit_of_work
from liaison.models import LegalHold, Officer

Headers = Callable[[str], dict[str, str]]
HTML = {"Accept": "text/html"}


def test_legal_reviewer_places_and_releases_a_hold(
    client: TestClient, auth_headers: Headers, seeded: sessionmaker[Session]
) -> None:
    legal = auth_headers("ca-legal") | HTML
    with unit_of_work(seeded) as db:
        officer_id = db.scalars(select(Officer.id).limit(1)).one()
    page = client.get("/retention", headers=legal)
    assert page.status_code == 200
    assert "Place a legal hold" in page.text
    form = {"object_type": "directory.officer", "object_id": "no-such-officer", "reason": "Court"}
    missing = client.post("/retention/holds", data=form, headers=legal)
    assert missing.status_code == 422
    assert 'id="object_id-error"' in missing.text
    assert 'value="no-such-officer"' in missing.text  # what was typed is kept
    form["object_id"] = officer_id
    placed = client.post("/retention/holds", data=form, headers=legal, follow_redirects=False)
    assert placed.status_code == 303
    page = client.get(placed.headers["location"], headers=legal)
    assert "Legal hold placed" in page.text
    with unit_of_work(seeded) as db:
        hold = db.scalars(select(LegalHold).where(LegalHold.object_id == officer_id)).one()
        hold_id = hold.id
    assert f'action="/retention/holds/{hold_id}/release"' in page.text
    released = client.post(
        f"/retention/holds/{hold_id}/release", headers=legal, follow_redirects=False
    )
    assert released.status_code == 303
    page = client.get(released.headers["location"], headers=legal)
    assert "Legal hold released" in page.text
    assert f'id="hold-{hold_id}"' not in page.text
    assert client.get("/retention", headers=auth_headers("ca-officer") | HTML).status_code == 403
