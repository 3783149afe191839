"""Networks API under /api/v1/networks: the graph, one entity with its explanation,
exports, and analysts' decisions. Thin: the service decides and audits."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response

from liaison.api.deps import DbDep
from liaison.networks import exports
from liaison.networks.graph import to_json
from liaison.networks.schemas import ConfirmIn, EntityOut, GraphOut, RecordOut, SplitIn, WhyOut
from liaison.networks.service import NetworksService
from liaison.users.deps import CallerDep

router = APIRouter(prefix="/api/v1/networks", tags=["networks"])
EntityId = Annotated[str, Path(pattern=r"^[A-Za-z0-9:_-]{1,50}$")]
Centre = Annotated[str | None, Query(pattern=r"^[A-Za-z0-9:_-]{1,50}$")]
Depth = Annotated[int, Query(ge=1, le=3)]
FORMATS = {
    "graphml": ("application/graphml+xml", exports.graphml),
    "csv": ("text/csv; charset=utf-8", exports.links_csv),
    "stix": ("application/stix+json;version=2.1", exports.stix_json),
}


@router.get("/graph", response_model=GraphOut)
def graph(db: DbDep, caller: CallerDep, centre: Centre = None, depth: Depth = 2) -> GraphOut:
    found, analytics = NetworksService(db, caller).graph(centre, depth)
    elements = to_json(found, analytics)
    return GraphOut(
        nodes=elements["nodes"],
        edges=elements["edges"],
        components=len(analytics.components),
        communities=len(analytics.communities),
        brokers=[{"id": node, "score": round(v, 4)} for node, v in analytics.brokers],
        link_types=analytics.link_types,
        timeline=analytics.timeline,
    )


@router.get("/export.{fmt}")
def export(
    fmt: Literal["graphml", "csv", "stix"],
    db: DbDep,
    caller: CallerDep,
    centre: Centre = None,
    depth: Depth = 2,
) -> Response:
    found, _ = NetworksService(db, caller).graph(centre, depth)
    media, render = FORMATS[fmt]
    suffix = "json" if fmt == "stix" else fmt
    return Response(
        render(found),
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="network.{suffix}"'},
    )


def _entity_out(svc: NetworksService, entity_id: str) -> EntityOut:
    view = svc.entity(entity_id)
    links = [
        {"id": other, "label": view.graph.nodes[other]["label"], "type": data["type"]}
        for _, other, data in view.graph.edges(entity_id, data=True)
    ]
    return EntityOut(
        id=view.cluster.id,
        kind=view.cluster.kind,
        label=view.cluster.label,
        confirmed=view.cluster.confirmed,
        records=[RecordOut.model_validate(r, from_attributes=True) for r in view.records],
        why=[WhyOut.model_validate(w) for w in view.why],
        links=links,
    )


@router.get("/entities/{entity_id}", response_model=EntityOut)
def entity(entity_id: EntityId, db: DbDep, caller: CallerDep) -> EntityOut:
    return _entity_out(NetworksService(db, caller), entity_id)


@router.post("/entities/{entity_id}/confirm", response_model=EntityOut)
def confirm(entity_id: EntityId, body: ConfirmIn, db: DbDep, caller: CallerDep) -> EntityOut:
    svc = NetworksService(db, caller)
    svc.confirm(entity_id, body.reason)
    return _entity_out(svc, entity_id)


@router.post("/entities/{entity_id}/split", response_model=EntityOut)
def split(entity_id: EntityId, body: SplitIn, db: DbDep, caller: CallerDep) -> EntityOut:
    svc = NetworksService(db, caller)
    svc.split(entity_id, body.record_id, body.reason)
    return _entity_out(svc, entity_id)
