"""Pulling TAXII 2.1 collections elsewhere into local collections (taxii2-client).

A feed names a remote collection URL and the local collection that mirrors it. Each pull
asks for what was added after the last pull (``added_after`` = the remote's
``X-TAXII-Date-Added-Last``), page by page, and stores the objects through the normal
write path: validated, versioned, and marked — an object the remote serves without a
TLP marking gets the local collection's default TLP as a marked version, so the mirror
never holds an object under a marking its wire form does not show. TLP 1 markings are
read as their TLP 2 equivalents.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import requests
from sqlalchemy import select
from sqlalchemy.orm import Session
from taxii2client.exceptions import TAXIIServiceException  # type: ignore[import-untyped]
from taxii2client.v21 import Collection, as_pages  # type: ignore[import-untyped]

from liaison.cyber.service import CyberService
from liaison.kit import clock
from liaison.kit.db import unit_of_work
from liaison.kit.errors import ValidationFailed
from liaison.kit.plugin import JobContext
from liaison.kit.roles import Caller, Role
from liaison.models import CyberFeed

PER_REQUEST = 500
Connect = Callable[[CyberFeed], Collection]


@dataclass
class PullResult:
    feed_id: str
    fetched: int = 0
    stored: int = 0
    refused: int = 0
    added_after: str | None = None

    def line(self) -> str:
        return (
            f"fetched {self.fetched}, stored {self.stored}, refused {self.refused}; "
            f"next pull asks for objects added after {self.added_after or '(beginning)'}"
        )


class _BearerAuth(requests.auth.AuthBase):
    def __init__(self, token: str) -> None:
        self.token = token

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = f"Bearer {self.token}"
        return request


def connect(feed: CyberFeed) -> Collection:
    """A taxii2-client collection with the feed's credentials (Basic with a username,
    Bearer without one; the secret comes from the environment)."""
    secret = os.environ.get(feed.secret_env) if feed.secret_env else None
    if feed.secret_env and secret is None:
        raise ValidationFailed.on_field("secret_env", f"{feed.secret_env} is not set")
    if feed.username:
        return Collection(feed.url, user=feed.username, password=secret or "")
    return Collection(feed.url, auth=_BearerAuth(secret) if secret else None)


def add_feed(
    db: Session,
    url: str,
    collection_id: str,
    username: str | None = None,
    secret_env: str | None = None,
) -> CyberFeed:
    if not url.startswith(("https://", "http://")):
        raise ValidationFailed.on_field("url", "a TAXII collection URL starts with https://")
    url = url if url.endswith("/") else url + "/"
    feed = db.scalar(
        select(CyberFeed).where(CyberFeed.url == url, CyberFeed.collection_id == collection_id)
    )
    if feed is None:
        feed = CyberFeed(url=url, collection_id=collection_id, last_result="")
        db.add(feed)
    feed.username = username
    feed.secret_env = secret_env
    db.flush()
    return feed


def pull(db: Session, caller: Caller, feed: CyberFeed, link: Connect = connect) -> PullResult:
    """One pull of one feed; flushes, the caller commits."""
    service = CyberService(db, caller)
    result = PullResult(feed.id, added_after=feed.added_after)
    remote = link(feed)
    last_added: list[str] = []

    def note_header(response: requests.Response, *args: Any, **kwargs: Any) -> None:
        value = response.headers.get("X-TAXII-Date-Added-Last")
        if value:
            last_added.append(value)

    # taxii2-client keeps its requests session on the connection; the hook reads the
    # paging header it does not surface.
    remote._conn.session.hooks["response"].append(note_header)
    filters = {"added_after": feed.added_after} if feed.added_after else {}
    try:
        for envelope in as_pages(remote.get_objects, per_request=PER_REQUEST, **filters):
            objects = envelope.get("objects", [])
            if not objects:
                continue
            written = service.write(feed.collection_id, objects)
            result.fetched += len(objects)
            result.stored += len(written.stored)
            result.refused += len(written.failures)
    except (TAXIIServiceException, requests.RequestException) as exc:
        raise ValidationFailed.on_field("url", f"pulling {feed.url} failed: {exc}") from exc
    if last_added:
        result.added_after = max(last_added)
        feed.added_after = result.added_after
    feed.last_pulled_at = clock.now()
    feed.last_result = result.line()
    db.flush()
    return result


def pull_job(context: JobContext) -> int:
    """The scheduled pass: pull every configured feed, as the node itself."""
    caller = Caller(
        user_id="feed-puller",
        username="feed-puller",
        display_name="TAXII feed puller",
        role=Role.ADMIN,
        agency_id="",
        party_code=context.settings.party,
    )
    stored = 0
    with unit_of_work(context.sessions) as db:
        feed_ids = list(db.scalars(select(CyberFeed.id)))
    for feed_id in feed_ids:
        with unit_of_work(context.sessions) as db:
            feed = db.get(CyberFeed, feed_id)
            if feed is not None:
                result = pull_recorded(db, caller, feed)
                stored += result.stored if isinstance(result, PullResult) else 0
    return stored


def pull_recorded(
    db: Session, caller: Caller, feed: CyberFeed, link: Connect = connect
) -> PullResult | str:
    """One pull whose failure (the remote unreachable, refusing, the secret unset) is
    recorded on the feed as its last result and returned as text, not raised: the
    scheduled pass and the page's "pull now" both go on."""
    savepoint = db.begin_nested()
    try:
        result = pull(db, caller, feed, link)
    except ValidationFailed as exc:
        savepoint.rollback()
        feed.last_result = f"failed: {exc.errors[0].message if exc.errors else exc}"[:2000]
        feed.last_pulled_at = clock.now()
        db.flush()
        return feed.last_result
    savepoint.commit()
    return result
