"""TAXII feeds this node pulls, as the pages manage them: listed for whoever may read
the local collection; added, removed and pulled now by administrators; audited.
The pulling itself is ``cyber.pull`` (the scheduled job and ``liaison cyber pull``)."""

from __future__ import annotations

from pydantic import Field
from sqlalchemy import select

from liaison.cyber.access import readable_collections
from liaison.cyber.pull import PullResult, add_feed, pull_recorded
from liaison.cyber.service import CyberService
from liaison.kit.errors import Forbidden, ValidationFailed
from liaison.kit.i18n import Text
from liaison.kit.inputs import InputModel
from liaison.kit.plugin import N_
from liaison.ledger.service import trail
from liaison.models import CyberCollection, CyberFeed

OBJECT_TYPE = "cyber.feed"


class FeedCreate(InputModel):
    url: str = Field(min_length=8, max_length=480)
    collection_id: str = Field(min_length=1, max_length=36)
    username: str = Field(default="", max_length=200)
    secret_env: str = Field(default="", max_length=100, pattern=r"^(?:[A-Za-z_][A-Za-z0-9_]*)?$")


class Feeds:
    def __init__(self, service: CyberService) -> None:
        self.service = service
        self.db = service.db
        self.caller = service.caller

    def _admin(self) -> None:
        if not self.caller.is_admin:
            raise Forbidden(N_("only an administrator manages TAXII feeds"))

    def listed(self) -> list[tuple[CyberFeed, CyberCollection]]:
        """Feeds into collections the caller may read, by local collection and URL."""
        query = (
            select(CyberFeed, CyberCollection)
            .join(CyberCollection, CyberCollection.id == CyberFeed.collection_id)
            .where(readable_collections(self.caller))
            .order_by(CyberCollection.title, CyberFeed.url)
        )
        return [(feed, collection) for feed, collection in self.db.execute(query).all()]

    def _feed(self, feed_id: str) -> CyberFeed:
        query = (
            select(CyberFeed)
            .join(CyberCollection, CyberCollection.id == CyberFeed.collection_id)
            .where(CyberFeed.id == feed_id, readable_collections(self.caller))
        )
        return self.service.repo.one_or_404(query, Text(N_("no feed %(feed_id)s"), feed_id=feed_id))

    def add(self, data: FeedCreate) -> CyberFeed:
        self._admin()
        collection = self.service.repo.collection(data.collection_id)  # 404 unless readable
        if collection.origin_node is not None:
            raise ValidationFailed.on_field(
                "collection_id", N_("a mirror of a peer's collection is written by that peer only")
            )
        feed = add_feed(
            self.db, data.url, data.collection_id, data.username or None, data.secret_env or None
        )
        trail(self.db, self.caller, "cyber.feed.added", OBJECT_TYPE, feed.id, url=feed.url)
        return feed

    def remove(self, feed_id: str) -> None:
        self._admin()
        feed = self._feed(feed_id)
        trail(self.db, self.caller, "cyber.feed.removed", OBJECT_TYPE, feed.id, url=feed.url)
        self.db.delete(feed)
        self.db.flush()

    def run(self, feed_id: str) -> PullResult | str:
        """Pull now; a failure is recorded on the feed and returned as text."""
        self._admin()
        feed = self._feed(feed_id)
        result = pull_recorded(self.db, self.caller, feed)
        outcome = result.line() if isinstance(result, PullResult) else result
        trail(self.db, self.caller, "cyber.feed.pulled", OBJECT_TYPE, feed.id, result=outcome)
        return result
