"""GET /healthz: database reachable and migrations current."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import SQLAlchemyError

from liaison import __version__
from liaison.kit.migrate import current_and_head

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="Liveness and readiness of this node")
def healthz(request: Request) -> JSONResponse:
    settings = request.app.state.settings
    body: dict[str, object] = {
        "party": settings.party,
        "node": settings.node_name,
        "version": __version__,
    }
    try:
        current, head = current_and_head(request.app.state.engine)
    except SQLAlchemyError as exc:
        body |= {"status": "unavailable", "database": f"unreachable: {type(exc).__name__}"}
        return JSONResponse(body, status_code=503)
    body |= {"database": "ok", "migration": current, "migration_head": head}
    if current != head:
        body["status"] = "migrations pending: run 'liaison migrate'"
        return JSONResponse(body, status_code=503)
    body["status"] = "ok"
    return JSONResponse(body)
