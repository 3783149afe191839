"""A TAXII page checks the caller's rights on the collection in the page's own query:
a reader who loses the grant gets a 404 (not the objects, not an empty page), and
AMBER+STRICT follows the collection's organisation as stored at the time of the read."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session, sessionmaker

from liaison.config import Settings
from liaison.cyber.tlp import Tlp
from liaison.kit import clock
from liaison.kit.db import unit_of_work
from liaison.models import ApiToken, CyberCollection, CyberGrant, User
from liaison.users import auth
from tests.cyber.stix import indicator
from tests.cyber.taxii import Headers, objects_url, post

MANIFEST = "/taxii2/cti/collections/{}/manifest/"


def _ids(client: TestClient, headers: dict[str, str], url: str) -> set[str]:
    page = client.get(url, headers=headers)
    assert page.status_code == 200, page.text
    return {o["id"] for o in page.json().get("objects", [])}


def test_amber_strict_follows_the_collections_organisation(
    client: TestClient, taxii: Headers, cccs: str, seeded: sessionmaker[Session]
) -> None:
    strict, green = indicator(1, tlp=Tlp.AMBER_STRICT), indicator(2, tlp=Tlp.GREEN)
    post(client, taxii("ca-analyst"), cccs, strict, green)
    with unit_of_work(seeded) as db:
        officer = db.scalar(select(User.agency_id).where(User.username == "ca-officer"))
        admin = db.scalar(select(User.agency_id).where(User.username == "ca-admin"))
        assert officer != admin
    for url in (objects_url(cccs), MANIFEST.format(cccs)):
        seen = _ids(client, taxii("ca-officer"), url)
        assert green["id"] in seen
        assert strict["id"] not in seen
    with unit_of_work(seeded) as db:  # the collection now belongs to the officer's agency
        db.execute(
            update(CyberCollection).where(CyberCollection.id == cccs).values(agency_id=officer)
        )
    for url in (objects_url(cccs), MANIFEST.format(cccs)):
        assert {green["id"], strict["id"]} <= _ids(client, taxii("ca-officer"), url)
        seen = _ids(client, taxii("ca-admin"), url)
        assert green["id"] in seen
        assert strict["id"] not in seen


def test_a_reader_without_a_grant_gets_404_for_a_full_collection(
    client: TestClient, taxii: Headers, cccs: str, seeded: sessionmaker[Session]
) -> None:
    green = indicator(1, tlp=Tlp.GREEN)
    post(client, taxii("ca-analyst"), cccs, green)
    assert green["id"] in _ids(client, taxii("ca-viewer"), objects_url(cccs))
    with unit_of_work(seeded) as db:  # the party-wide read grant withdrawn
        db.execute(
            delete(CyberGrant).where(
                CyberGrant.collection_id == cccs, CyberGrant.subject == "party:CA"
            )
        )
    for url in (objects_url(cccs), MANIFEST.format(cccs), f"{objects_url(cccs)}{green['id']}/"):
        refused = client.get(url, headers=taxii("ca-viewer"))
        assert refused.status_code == 404, refused.text
        assert green["id"] not in refused.text
        assert refused.json()["http_status"] == "404"
    assert green["id"] in _ids(client, taxii("ca-analyst"), objects_url(cccs))  # still granted


def test_a_bearer_token_stops_at_once_when_locked_or_revoked(
    client: TestClient,
    taxii: Headers,
    cccs: str,
    seeded: sessionmaker[Session],
    settings: Settings,
) -> None:
    """The token, its user and the user's recent failures are read in one query: a lock
    and a revocation both take effect on the next page (nothing is cached)."""
    viewer, legal = taxii("ca-viewer"), taxii("ca-legal")
    assert client.get(objects_url(cccs), headers=legal).status_code == 200
    for _ in range(settings.login_max_failures):
        with unit_of_work(seeded) as db:
            auth.check_password(db, settings, "ca-legal", "guess", "10.0.0.9")
    locked = client.get(objects_url(cccs), headers=legal)
    assert locked.status_code == 429
    assert int(locked.headers["retry-after"]) > 0
    assert client.get(objects_url(cccs), headers=viewer).status_code == 200
    with unit_of_work(seeded) as db:
        user_id = db.scalar(select(User.id).where(User.username == "ca-viewer"))
        db.execute(
            update(ApiToken).where(ApiToken.user_id == user_id).values(revoked_at=clock.now())
        )
    revoked = client.get(objects_url(cccs), headers=viewer)
    assert revoked.status_code == 401
    assert "revoked" in revoked.json()["description"]
