"""Networks pages: the interactive link graph (cytoscape.js, vendored), one entity with
"why are these the same person?", and the analysts' confirm and split forms."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import JSONResponse, Response

from liaison.api.deps import DbDep
from liaison.kit.roles import Caller
from liaison.networks.graph import to_json
from liaison.networks.levels import TITLES
from liaison.networks.service import DECIDERS, NetworksService
from liaison.web.views.common import CsrfFormDep, PageCallerDep, form_text, render
from liaison.web.views.forms import FormState, FormValues, submit

router = APIRouter(prefix="/networks", include_in_schema=False)
EntityId = Annotated[str, Path(pattern=r"^[A-Za-z0-9:_-]{1,50}$")]
Centre = Annotated[str | None, Query(pattern=r"^[A-Za-z0-9:_-]{0,50}$")]
Depth = Annotated[int, Query(ge=1, le=3)]
TOP = 25


@router.get("")
def graph_page(
    request: Request, db: DbDep, caller: PageCallerDep, centre: Centre = None, depth: Depth = 2
) -> Response:
    graph, analytics = NetworksService(db, caller).graph(centre or None, depth)
    label = {node: data["label"] for node, data in graph.nodes(data=True)}
    top = sorted(analytics.degree.items(), key=lambda kv: -kv[1])[:TOP]
    query = f"?centre={centre}&depth={depth}" if centre else ""
    return render(
        request,
        "networks/graph.html",
        caller=caller,
        graph=graph,
        analytics=analytics,
        label=label,
        top=top,
        centre=centre or "",
        depth=depth,
        query=query,
    )


@router.get("/data")
def graph_data(
    db: DbDep, caller: PageCallerDep, centre: Centre = None, depth: Depth = 2
) -> Response:
    graph, analytics = NetworksService(db, caller).graph(centre or None, depth)
    return JSONResponse(to_json(graph, analytics))


def _entity_page(
    request: Request, db: DbDep, caller: Caller, entity_id: str, form: FormState | None = None
) -> Response:
    view = NetworksService(db, caller).entity(entity_id)
    links = [
        (other, view.graph.nodes[other], data)
        for _, other, data in view.graph.edges(entity_id, data=True)
    ]
    return render(
        request,
        "networks/entity.html",
        caller=caller,
        status=form.status if form else 200,
        view=view,
        links=links,
        can_decide=caller.role in DECIDERS,
        comparison_titles=TITLES,
        form=form or FormState(),
    )


@router.get("/entities/{entity_id}")
def entity_page(
    request: Request, entity_id: EntityId, db: DbDep, caller: PageCallerDep
) -> Response:
    return _entity_page(request, db, caller, entity_id)


@router.post("/entities/{entity_id}/confirm")
def confirm(
    request: Request, entity_id: EntityId, db: DbDep, caller: PageCallerDep, form: CsrfFormDep
) -> Response:
    values: FormValues = {"reason": form_text(form, "reason")}
    return submit(
        request,
        db,
        values,
        lambda: NetworksService(db, caller).confirm(entity_id, str(values["reason"])),
        then=lambda cluster: f"/networks/entities/{cluster.id}",
        again=lambda state: _entity_page(request, db, caller, entity_id, state),
    )


@router.post("/entities/{entity_id}/split")
def split(
    request: Request, entity_id: EntityId, db: DbDep, caller: PageCallerDep, form: CsrfFormDep
) -> Response:
    values: FormValues = {
        "record_id": form_text(form, "record_id"),
        "reason": form_text(form, "reason"),
    }
    return submit(
        request,
        db,
        values,
        lambda: NetworksService(db, caller).split(
            entity_id, str(values["record_id"]), str(values["reason"])
        ),
        then=lambda cluster: f"/networks/entities/{cluster.id}",
        again=lambda state: _entity_page(request, db, caller, entity_id, state),
    )
