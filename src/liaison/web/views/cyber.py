"""Cyber pages: collections, their objects and indicators, one object with its versions."""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from liaison.api.deps import DbDep
from liaison.cyber.incidents import IncidentService, Severity, reporting_clock
from liaison.cyber.repository import CyberRepository
from liaison.cyber.tlp import Tlp
from liaison.cyber.validate import findings
from liaison.kit.roles import Caller
from liaison.web.views.common import PageCallerDep, render
from liaison.web.views.forms import FormState

router = APIRouter(prefix="/cyber", include_in_schema=False)
TYPES = ("indicator", "malware", "threat-actor", "attack-pattern", "vulnerability", "report")
TypeQuery = Annotated[str | None, Query(pattern=r"^(?:[a-z0-9-]{0,250})$")]


@router.get("")
def cyber_home(request: Request, db: DbDep, caller: PageCallerDep) -> Response:
    incidents = IncidentService(db, caller).recent()
    return render(
        request,
        "cyber/index.html",
        caller=caller,
        collections=CyberRepository(db, caller).collections(),
        incidents=[(i, reporting_clock(i)) for i in incidents],
        severities=[s.value for s in Severity],
        form=FormState(values={"severity": Severity.MEDIUM.value}),
    )


@router.get("/collections/{collection_id}")
def collection_page(
    request: Request,
    collection_id: str,
    db: DbDep,
    caller: PageCallerDep,
    type: TypeQuery = "indicator",
) -> Response:
    return collection_view(request, db, caller, collection_id, type or "")


def collection_view(
    request: Request,
    db: Session,
    caller: Caller,
    collection_id: str,
    chosen: str = "indicator",
    form: FormState | None = None,
    form_id: str = "indicator",
) -> Response:
    """The collection's latest objects, and (for a writer) the forms to add one;
    ``form`` carries a refused add back with its errors to the form ``form_id``
    ("indicator" or "stix")."""
    repo = CyberRepository(db, caller)
    collection = repo.collection(collection_id)
    found = repo.recent(collection, [chosen] if chosen else [], 200)
    names = {obj.seq: json.loads(obj.raw).get("name", "") for obj in found}
    return render(
        request,
        "cyber/collection.html",
        caller=caller,
        status=form.status if form else 200,
        collection=collection,
        objects=found,
        names=names,
        types=TYPES,
        chosen=chosen,
        can_write=repo.can_write(collection) and collection.origin_node is None,
        tlp_options=[(tlp.value, f"TLP:{tlp.value}") for tlp in Tlp],
        indicator_form=form
        if form and form_id == "indicator"
        else FormState(values={"tlp": collection.default_tlp}),
        stix_form=form if form and form_id == "stix" else FormState(),
    )


@router.get("/collections/{collection_id}/objects/{stix_id}")
def object_page(
    request: Request, collection_id: str, stix_id: str, db: DbDep, caller: PageCallerDep
) -> Response:
    repo = CyberRepository(db, caller)
    collection = repo.collection(collection_id)
    latest = repo.latest(collection, stix_id)
    parsed = json.loads(latest.raw)
    return render(
        request,
        "cyber/object.html",
        caller=caller,
        collection=collection,
        obj=latest,
        pretty=json.dumps(parsed, indent=2, ensure_ascii=False),
        warnings=findings(parsed),
        versions=repo.versions(collection, stix_id),
        can_revoke=repo.can_write(collection)
        and collection.origin_node is None
        and not latest.revoked
        and "modified" in parsed,
    )
