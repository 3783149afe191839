"""The TAXII feeds page: India's administrator adds a feed of Canada's CCCS collection,
pulls it now over real HTTP (Canada's app served by uvicorn on a local port), and sees
the result; an unreachable feed shows its error; a reader sees the list and no form;
removing a feed takes it off the page. Each action is audited."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
import uvicorn
from sqlalchemy import select
from sqlalchemy.orm import Session

from liaison.kit.db import unit_of_work
from liaison.models import AuditEntry, CyberCollection, CyberObject
from tests.support.nodes import free_port
from tests.support.pair import AppNode
from tests.support.web import HTML, sign_in

pytestmark = pytest.mark.parametrize("url_factory", ["sqlite"], indirect=True)


@pytest.fixture
def canada_served(pair: tuple[AppNode, AppNode]) -> Iterator[str]:
    """Canada's app on a real port, in a thread of this process: its base URL."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(pair[0].client.app, host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def _id_of(db: Session, title: str) -> str:
    found = db.scalar(select(CyberCollection.id).where(CyberCollection.title == title))
    assert found is not None
    return found


def test_admin_adds_pulls_and_removes_a_feed(
    pair: tuple[AppNode, AppNode], canada_served: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    canada, india = pair
    with unit_of_work(canada.factory) as db:
        cccs = _id_of(db, "CCCS indicators")
    with unit_of_work(india.factory) as db:
        into = _id_of(db, "CERT-In indicators")
    monkeypatch.setenv("CCCS_FEED_PASSWORD", "liaison-demo-ca-analyst")
    client = india.client
    csrf = sign_in(client, "in-admin", "/cyber/feeds")

    refused = client.post(
        "/cyber/feeds",
        data={"url": "ftp://x.example/c/", "collection_id": into, "csrf_token": csrf},
        headers=HTML,
    )
    assert refused.status_code == 422
    assert 'id="url-error"' in refused.text

    url = f"{canada_served}/taxii2/cti/collections/{cccs}/"
    for target, username in ((url, "ca-analyst"), ("http://127.0.0.1:9/taxii2/c/", "")):
        added = client.post(
            "/cyber/feeds",
            data={
                "url": target,
                "collection_id": into,
                "username": username,
                "secret_env": "CCCS_FEED_PASSWORD",
                "csrf_token": csrf,
            },
            headers=HTML,
            follow_redirects=False,
        )
        assert added.status_code == 303, added.text
    page = client.get("/cyber/feeds", headers=HTML).text
    assert url in page
    assert "never" in page

    with unit_of_work(india.factory) as db:
        feeds = {
            str(e.detail["url"]): e.object_id
            for e in db.scalars(select(AuditEntry).where(AuditEntry.action == "cyber.feed.added"))
        }
    for feed_id in feeds.values():
        ran = client.post(f"/cyber/feeds/{feed_id}/run", data={"csrf_token": csrf}, headers=HTML)
        assert ran.status_code == 200
    page = client.get("/cyber/feeds", headers=HTML).text
    assert "fetched 2, stored 2, refused 0" in page  # Canada's two seeded indicators
    assert "failed: pulling http://127.0.0.1:9/taxii2/c/ failed" in page  # beside the feed
    with unit_of_work(india.factory) as db:
        mirrored = db.scalars(
            select(CyberObject.stix_id).where(CyberObject.collection_id == into)
        ).all()
        assert len(mirrored) >= 5  # India's three and Canada's two

    client.cookies.clear()
    csrf = sign_in(client, "in-viewer", "/cyber/feeds")
    page = client.get("/cyber/feeds", headers=HTML).text
    assert url in page
    assert 'id="feed-form"' not in page
    feed_id = feeds[url]
    assert (
        client.post(
            f"/cyber/feeds/{feed_id}/remove", data={"csrf_token": csrf}, headers=HTML
        ).status_code
        == 403
    )

    client.cookies.clear()
    csrf = sign_in(client, "in-admin", "/cyber/feeds")
    client.post(f"/cyber/feeds/{feed_id}/remove", data={"csrf_token": csrf}, headers=HTML)
    assert url not in client.get("/cyber/feeds", headers=HTML).text
    with unit_of_work(india.factory) as db:
        actions = set(db.scalars(select(AuditEntry.action).where(AuditEntry.object_id == feed_id)))
    assert {"cyber.feed.added", "cyber.feed.pulled", "cyber.feed.removed"} <= actions
