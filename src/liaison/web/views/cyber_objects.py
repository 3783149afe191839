"""Analysts add an object (an indicator form or one STIX object as JSON) to a collection
they may write, and revoke one: the pages' side of ``cyber.authoring``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from liaison.api.deps import DbDep
from liaison.cyber import authoring
from liaison.cyber.service import CyberService
from liaison.kit.roles import Caller
from liaison.web.views.common import CsrfFormDep, PageCallerDep, redirect_after_post
from liaison.web.views.cyber import collection_view
from liaison.web.views.forms import FormValues, read_values, submit

router = APIRouter(prefix="/cyber/collections/{collection_id}", include_in_schema=False)
INDICATOR_FIELDS = ("name", "pattern", "tlp", "description")


def _object_url(collection_id: str, stix_id: str) -> str:
    return f"/cyber/collections/{collection_id}/objects/{quote(stix_id, safe='-')}"


def _add(
    request: Request,
    db: Session,
    caller: Caller,
    collection_id: str,
    values: FormValues,
    make: Callable[[], dict[str, Any]],
    form_id: str,
) -> Response:
    """Write the object ``make`` builds from the form; its refusal goes beside the
    form's field (``pattern`` or ``stix``) and the page is shown again."""
    field = "pattern" if form_id == "indicator" else "stix"
    service = CyberService(db, caller)
    return submit(
        request,
        db,
        values,
        lambda: authoring.add(service, collection_id, make(), field),
        then=lambda stored: _object_url(collection_id, stored.stix_id),
        again=lambda result: collection_view(
            request, db, caller, collection_id, form=result, form_id=form_id
        ),
    )


@router.post("/indicators")
def add_indicator(
    request: Request, collection_id: str, db: DbDep, caller: PageCallerDep, form: CsrfFormDep
) -> Response:
    values = read_values(form, INDICATOR_FIELDS)

    def make() -> dict[str, Any]:
        return authoring.indicator(authoring.IndicatorCreate.model_validate(values))

    return _add(request, db, caller, collection_id, values, make, "indicator")


@router.post("/stix")
def add_stix(
    request: Request, collection_id: str, db: DbDep, caller: PageCallerDep, form: CsrfFormDep
) -> Response:
    values = read_values(form, ("stix",))

    def make() -> dict[str, Any]:
        return authoring.parse(authoring.ObjectJson.model_validate(values))

    return _add(request, db, caller, collection_id, values, make, "stix")


@router.post("/objects/{stix_id}/revoke")
def revoke_object(
    request: Request,
    collection_id: str,
    stix_id: str,
    db: DbDep,
    caller: PageCallerDep,
    form: CsrfFormDep,
) -> Response:
    authoring.revoke(CyberService(db, caller), collection_id, stix_id)
    return redirect_after_post(request, _object_url(collection_id, stix_id))
