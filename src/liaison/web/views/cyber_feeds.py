"""The TAXII feeds page: what this node pulls (URL, local collection, where the next
pull starts, the last result or error); administrators add, remove and pull now."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from liaison.api.deps import DbDep
from liaison.cyber.feeds import FeedCreate, Feeds
from liaison.cyber.service import CyberService
from liaison.kit.roles import Caller
from liaison.web.views.common import CsrfFormDep, PageCallerDep, redirect_after_post, render
from liaison.web.views.forms import FormState, read_values, submit

router = APIRouter(prefix="/cyber/feeds", include_in_schema=False)
FIELDS = ("url", "collection_id", "username", "secret_env")


def _page(request: Request, db: Session, caller: Caller, form: FormState | None = None) -> Response:
    service = CyberService(db, caller)
    own = [c for c in service.repo.collections() if c.origin_node is None]
    return render(
        request,
        "cyber/feeds.html",
        caller=caller,
        status=form.status if form else 200,
        feeds=Feeds(service).listed(),
        collections=[(c.id, c.title) for c in own],
        form=form or FormState(),
    )


@router.get("")
def feeds_page(request: Request, db: DbDep, caller: PageCallerDep) -> Response:
    return _page(request, db, caller)


@router.post("")
def add_feed(request: Request, db: DbDep, caller: PageCallerDep, form: CsrfFormDep) -> Response:
    values = read_values(form, FIELDS)
    feeds = Feeds(CyberService(db, caller))
    return submit(
        request,
        db,
        values,
        lambda: feeds.add(FeedCreate.model_validate(values)),
        then=lambda feed: f"/cyber/feeds#feed-{feed.id}",
        again=lambda result: _page(request, db, caller, result),
    )


@router.post("/{feed_id}/run")
def run_feed(
    request: Request, feed_id: str, db: DbDep, caller: PageCallerDep, form: CsrfFormDep
) -> Response:
    Feeds(CyberService(db, caller)).run(feed_id)
    return redirect_after_post(request, f"/cyber/feeds#feed-{feed_id}")


@router.post("/{feed_id}/remove")
def remove_feed(
    request: Request, feed_id: str, db: DbDep, caller: PageCallerDep, form: CsrfFormDep
) -> Response:
    Feeds(CyberService(db, caller)).remove(feed_id)
    return redirect_after_post(request, "/cyber/feeds")
