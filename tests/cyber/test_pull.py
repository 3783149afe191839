"""``cyber pull``: India's node mirrors Canada's TAXII collection with taxii2-client —
only what was added since the last pull, and every mirrored object marked."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import requests
from fastapi.testclient import TestClient
from requests.structures import CaseInsensitiveDict
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from taxii2client.v21 import Collection

from liaison import domains
from liaison.config import Settings
from liaison.cyber.pull import add_feed, connect, pull, pull_job
from liaison.cyber.schemas import CollectionCreate
from liaison.cyber.service import CyberService
from liaison.cyber.tlp import MARKING_FOR, Tlp, tlp_of
from liaison.kit.db import unit_of_work
from liaison.kit.plugin import JobContext
from liaison.models import CyberCollection, CyberFeed, User
from liaison.users.auth import caller_for
from tests.cyber.stix import indicator
from tests.cyber.taxii import objects_url
from tests.support.pair import AppNode

TAXII = "application/taxii+json;version=2.1"


class _ToApp(requests.adapters.BaseAdapter):
    """Sends taxii2-client's requests to a node's in-process app."""

    def __init__(self, client: TestClient) -> None:
        super().__init__()
        self.client = client

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        answer = self.client.request(
            str(request.method),
            str(request.url),
            headers=dict(request.headers),
            content=request.body,
        )
        response = requests.Response()
        response.status_code = answer.status_code
        response.headers = CaseInsensitiveDict(answer.headers)
        response._content = answer.content
        response.url = str(request.url)
        response.request = request
        response.encoding = "utf-8"
        return response

    def close(self) -> None:
        pass


def _admin(node: AppNode, db: Any) -> Any:
    user = db.scalar(select(User).where(User.username == f"{node.party.lower()}-admin"))
    return caller_for(db, user)


def test_pull_mirrors_a_remote_collection_incrementally(
    pair: tuple[AppNode, AppNode], monkeypatch: pytest.MonkeyPatch
) -> None:
    canada, india = pair
    with unit_of_work(canada.factory) as db:
        cccs = db.scalar(
            select(CyberCollection.id).where(CyberCollection.title == "CCCS indicators")
        )
    headers = {**canada.headers("ca-analyst"), "Accept": TAXII, "Content-Type": TAXII}
    unmarked, green = indicator(1), indicator(2, tlp=Tlp.GREEN)
    posted = canada.client.post(
        objects_url(str(cccs)), json={"objects": [unmarked, green]}, headers=headers
    )
    assert posted.status_code == 202

    monkeypatch.setenv("CCCS_FEED_PASSWORD", "liaison-demo-ca-analyst")

    def link(feed: CyberFeed) -> Collection:
        remote = connect(feed)
        remote._conn.session.mount("http://testserver/", _ToApp(canada.client))
        return remote

    url = f"http://testserver/taxii2/cti/collections/{cccs}/"
    with unit_of_work(india.factory) as db:
        admin = _admin(india, db)
        mirror = (
            CyberService(db, admin)
            .create_collection(
                CollectionCreate(title="CCCS mirror", default_tlp=Tlp.AMBER, agency_acronym="NCB")
            )
            .id
        )
        feed = add_feed(db, url, mirror, "ca-analyst", "CCCS_FEED_PASSWORD")
        first = pull(db, admin, feed, link)
    assert first.refused == 0
    assert first.stored == first.fetched >= 3  # the seeded indicators and ours

    later = indicator(3)
    canada.client.post(objects_url(str(cccs)), json={"objects": [later]}, headers=headers)
    with unit_of_work(india.factory) as db:
        feed = db.scalar(select(CyberFeed))
        assert feed is not None
        assert feed.added_after is not None
        second = pull(db, _admin(india, db), feed, link)
    assert (second.fetched, second.stored) == (1, 1)  # only what was added since

    reader = {**india.headers("in-analyst"), "Accept": TAXII}
    served = india.client.get(objects_url(mirror), headers=reader)
    assert served.status_code == 200, served.text
    mirrored = {o["id"]: o for o in served.json()["objects"]}
    assert {unmarked["id"], green["id"], later["id"]} <= set(mirrored)
    assert tlp_of(mirrored[green["id"]]["object_marking_refs"]) is Tlp.GREEN
    for obj in mirrored.values():  # Canada marked them AMBER (its default); they arrive marked
        assert tlp_of(obj.get("object_marking_refs")) is not None, obj["id"]
    assert MARKING_FOR[Tlp.AMBER] in mirrored[unmarked["id"]]["object_marking_refs"]


def test_scheduled_pull_records_an_unreachable_feed(
    seeded: sessionmaker[Session], settings: Settings, cccs: str
) -> None:
    with unit_of_work(seeded) as db:
        add_feed(db, "http://127.0.0.1:9/taxii2/cti/collections/x/", cccs)
    with httpx.Client() as http:
        context = JobContext(settings, seeded, domains.registry(), http)
        assert pull_job(context) == 0
    with unit_of_work(seeded) as db:
        feed = db.scalar(select(CyberFeed))
        assert feed is not None
        assert feed.last_result.startswith("failed: ")
        assert feed.last_pulled_at is not None
        assert feed.added_after is None  # nothing pulled, nothing skipped next time
