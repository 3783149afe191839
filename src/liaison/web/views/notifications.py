"""The signed-in user's in-app notifications, and the unread count in the navigation."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from liaison.api.deps import DbDep
from liaison.kit.inputs import IdPath
from liaison.kit.roles import Caller
from liaison.notifications import service
from liaison.web.views.common import (
    CsrfFormDep,
    PageCallerDep,
    redirect_after_post,
    render,
    templates,
)

router = APIRouter(prefix="/notifications", include_in_schema=False)


def unread_notifications(request: Request, me: Caller | None) -> int:
    """For the navigation badge: one indexed count in a short read-only session."""
    if me is None:
        return 0
    factory = request.app.state.session_factory
    with factory() as db:
        return service.unread_count(db, me.user_id)


# Every page extends base.html, whose navigation shows the unread count.
templates.env.globals["unread_notifications"] = unread_notifications


@router.get("")
def notifications_page(request: Request, db: DbDep, caller: PageCallerDep) -> Response:
    return render(
        request,
        "notifications.html",
        caller=caller,
        items=service.list_for(db, caller.user_id),
    )


@router.post("/read-all")
def mark_all_read(
    request: Request, db: DbDep, caller: PageCallerDep, form: CsrfFormDep
) -> Response:
    service.mark_all_read(db, caller.user_id)
    return redirect_after_post(request, "/notifications")


@router.post("/{notification_id}/read")
def mark_read(
    notification_id: IdPath,
    request: Request,
    db: DbDep,
    caller: PageCallerDep,
    form: CsrfFormDep,
) -> Response:
    service.mark_read(db, caller.user_id, notification_id)
    return redirect_after_post(request, "/notifications")
