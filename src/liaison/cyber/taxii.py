"""The TAXII 2.1 server (OASIS TAXII 2.1, sections 4-5) at /taxii2/.

One API root, ``/taxii2/cti/``; its collections are Liaison's cyber collections, each
filtered by the caller's rights and the objects' TLP markings.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from sqlalchemy.orm import Session

from liaison.api.deps import DbDep, SettingsDep
from liaison.config import Settings
from liaison.cyber.repository import CyberRepository, ObjectQuery
from liaison.cyber.schemas import Envelope
from liaison.cyber.service import CyberService
from liaison.cyber.store import format_timestamp
from liaison.cyber.taxii_http import (
    STIX_MEDIA_TYPE,
    TAXII_MEDIA_TYPE,
    TaxiiCaller,
    TaxiiError,
    TaxiiRoute,
    answer,
    check_content_type,
    date_headers,
    decode_next,
    encode_next,
    parse_added_after,
    split,
    taxii_response,
    utc_stamp,
)
from liaison.cyber.validate import StixInvalid, parse_timestamp
from liaison.kit.roles import Caller
from liaison.models import CyberCollection, CyberObject, TaxiiStatus

API_ROOT = "cti"
MAX_LIMIT = 10_000
router = APIRouter(prefix="/taxii2", route_class=TaxiiRoute, tags=["taxii"])
ROOT = f"/{API_ROOT}"


class Filters:
    """The query parameters of the object, manifest and versions endpoints."""

    def __init__(self, query: ObjectQuery) -> None:
        self.query = query

    def with_id(self, stix_id: str, all_versions: bool = False) -> ObjectQuery:
        q = self.query
        return ObjectQuery(
            added_after=q.added_after,
            after_seq=q.after_seq,
            limit=q.limit,
            ids=[stix_id],
            types=q.types,
            versions=["all"] if all_versions else q.versions,
            version_times=q.version_times,
            spec_versions=q.spec_versions,
        )


async def read_filters(
    added_after: str | None = None,
    limit: Annotated[int, Query(ge=1)] = 1000,
    next: str | None = None,
    match_id: Annotated[str | None, Query(alias="match[id]")] = None,
    match_type: Annotated[str | None, Query(alias="match[type]")] = None,
    match_version: Annotated[str | None, Query(alias="match[version]")] = None,
    match_spec_version: Annotated[str | None, Query(alias="match[spec_version]")] = None,
) -> Filters:
    """Parsed on the event loop (no I/O: a sync dependency would be a trip to the
    thread pool of its own)."""
    versions = split(match_version, "match[version]") or ["last"]
    times: list[datetime] = []
    for value in versions:
        if value not in ("last", "first", "all"):
            try:
                times.append(parse_timestamp(value, "match[version]"))
            except StixInvalid as exc:
                raise TaxiiError(400, "Bad request", str(exc), "bad_request") from exc
    return Filters(
        ObjectQuery(
            added_after=parse_added_after(added_after),
            after_seq=decode_next(next) if next else 0,
            limit=min(limit, MAX_LIMIT),
            ids=split(match_id, "match[id]"),
            types=split(match_type, "match[type]"),
            versions=versions,
            version_times=times,
            spec_versions=split(match_spec_version, "match[spec_version]"),
        )
    )


FiltersDep = Annotated[Filters, Depends(read_filters)]


def _collection_info(repo: CyberRepository, collection: CyberCollection) -> dict[str, Any]:
    return {
        "id": collection.id,
        "title": collection.title,
        "description": collection.description,
        "can_read": repo.can_read(collection),
        "can_write": repo.can_write(collection),
        "media_types": [STIX_MEDIA_TYPE],
    }


def _root_url(request: Request) -> str:
    return str(request.base_url).rstrip("/") + f"/taxii2{ROOT}/"


@router.get("/")
async def discovery(request: Request) -> Response:
    settings: Settings = request.app.state.settings
    body = {
        "title": f"Liaison {settings.node_name} TAXII server",
        "description": f"STIX 2.1 collections of the {settings.party} Liaison node",
        "default": _root_url(request),
        "api_roots": [_root_url(request)],
    }
    return await answer(request, lambda db, caller: taxii_response(body))


@router.get(f"{ROOT}/")
async def api_root(request: Request) -> Response:
    settings: Settings = request.app.state.settings
    body = {
        "title": f"Liaison {settings.node_name} cyber information sharing",
        "versions": [TAXII_MEDIA_TYPE],
        "max_content_length": settings.taxii_max_content_length,
    }
    return await answer(request, lambda db, caller: taxii_response(body))


@router.get(f"{ROOT}/collections/")
async def collections(request: Request) -> Response:
    def work(db: Session, caller: Caller) -> Response:
        repo = CyberRepository(db, caller)
        found = [_collection_info(repo, c) for c in repo.collections()]
        return taxii_response({"collections": found} if found else {})

    return await answer(request, work)


@router.get(f"{ROOT}/collections/{{collection_id}}/")
async def collection(collection_id: str, request: Request) -> Response:
    def work(db: Session, caller: Caller) -> Response:
        repo = CyberRepository(db, caller)
        return taxii_response(_collection_info(repo, repo.collection(collection_id)))

    return await answer(request, work)


def _page(
    repo: CyberRepository, collection_id: str, query: ObjectQuery, *columns: Any
) -> tuple[list[tuple[Any, ...]], dict[str, Any], dict[str, str]]:
    rows = repo.page(collection_id, query, *columns)  # 404 unless the caller may read it
    more = len(rows) > query.limit
    rows = rows[: query.limit]
    meta: dict[str, Any] = {"more": more}
    if more:
        meta["next"] = encode_next(int(rows[-1][0]))
    headers = date_headers(rows[0][1], rows[-1][1]) if rows else {}
    return rows, meta, headers


def _objects_response(
    rows: list[tuple[Any, ...]], meta: dict[str, Any], headers: dict[str, str]
) -> Response:
    """The envelope built from the stored JSON text, without re-encoding each object."""
    head = json.dumps(meta)[:-1]
    if not rows:
        return taxii_response((head + "}").encode(), headers=headers)
    body = head + ',"objects":[' + ",".join(row[2] for row in rows) + "]}"
    return taxii_response(body.encode(), headers=headers)


@router.get(f"{ROOT}/collections/{{collection_id}}/objects/")
async def get_objects(collection_id: str, request: Request, filters: FiltersDep) -> Response:
    def work(db: Session, caller: Caller) -> Response:
        repo = CyberRepository(db, caller)
        return _objects_response(*_page(repo, collection_id, filters.query, CyberObject.raw))

    return await answer(request, work)


async def _envelope(request: Request, settings: SettingsDep) -> Envelope:
    check_content_type(request)
    body = await request.body()
    limit = settings.taxii_max_content_length
    if len(body) > limit:
        raise TaxiiError(
            413,
            "Payload too large",
            f"envelopes are limited to {limit} bytes (the API root's max_content_length)",
            "payload_too_large",
        )
    try:
        return Envelope.model_validate_json(body)
    except ValueError as exc:
        detail = f"not a TAXII envelope: {str(exc)[:300]}"
        raise TaxiiError(400, "Bad request", detail, "bad_request") from exc


def _status_body(
    status: TaxiiStatus, successes: list[dict[str, str]] | None = None
) -> dict[str, Any]:
    shown = status.successes if successes is None else successes
    return {
        "id": status.id,
        "status": status.status,
        "request_timestamp": format_timestamp(status.request_timestamp),
        "total_count": status.total_count,
        "success_count": len(shown),
        "successes": shown,
        "failure_count": status.failure_count,
        "failures": status.failures,
        "pending_count": status.pending_count,
        "pendings": [],
    }


@router.post(f"{ROOT}/collections/{{collection_id}}/objects/")
def add_objects(
    collection_id: str,
    db: DbDep,
    caller: TaxiiCaller,
    envelope: Annotated[Envelope, Depends(_envelope)],
) -> Response:
    status = CyberService(db, caller).add_envelope(collection_id, envelope.objects)
    return taxii_response(_status_body(status), status=202)


def _not_found(object_id: str) -> TaxiiError:
    return TaxiiError(404, "Not found", f"no object {object_id} in this collection", "not_found")


@router.get(f"{ROOT}/collections/{{collection_id}}/objects/{{object_id}}/")
async def get_object(
    collection_id: str, object_id: str, request: Request, filters: FiltersDep
) -> Response:
    def work(db: Session, caller: Caller) -> Response:
        repo = CyberRepository(db, caller)
        query = filters.with_id(object_id)
        rows, meta, headers = _page(repo, collection_id, query, CyberObject.raw)
        if not rows and filters.query.after_seq == 0:
            raise _not_found(object_id)
        return _objects_response(rows, meta, headers)

    return await answer(request, work)


@router.get(f"{ROOT}/collections/{{collection_id}}/objects/{{object_id}}/versions/")
async def get_versions(
    collection_id: str, object_id: str, request: Request, filters: FiltersDep
) -> Response:
    def work(db: Session, caller: Caller) -> Response:
        repo = CyberRepository(db, caller)
        query = filters.with_id(object_id, all_versions=True)
        rows, meta, headers = _page(repo, collection_id, query, CyberObject.version)
        if not rows and filters.query.after_seq == 0:
            raise _not_found(object_id)
        return taxii_response({**meta, "versions": [row[2] for row in rows]}, headers=headers)

    return await answer(request, work)


@router.get(f"{ROOT}/collections/{{collection_id}}/manifest/")
async def get_manifest(collection_id: str, request: Request, filters: FiltersDep) -> Response:
    def work(db: Session, caller: Caller) -> Response:
        repo = CyberRepository(db, caller)
        columns = (CyberObject.stix_id, CyberObject.version)
        rows, meta, headers = _page(repo, collection_id, filters.query, *columns)
        manifest = [
            {
                "id": row[2],
                "date_added": utc_stamp(row[1]),
                "version": row[3],
                "media_type": STIX_MEDIA_TYPE,
            }
            for row in rows
        ]
        body = {**meta, "objects": manifest} if manifest else meta
        return taxii_response(body, headers=headers)

    return await answer(request, work)


@router.get(f"{ROOT}/status/{{status_id}}/")
async def get_status(status_id: str, request: Request) -> Response:
    def work(db: Session, caller: Caller) -> Response:
        status, successes = CyberService(db, caller).status(status_id)
        return taxii_response(_status_body(status, successes))

    return await answer(request, work)


@router.api_route(
    "/{rest:path}",
    methods=["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"],
    include_in_schema=False,
)
def not_served(rest: str, request: Request) -> Response:
    """Unknown TAXII paths and methods still answer with TAXII error messages."""
    if request.method in ("GET", "HEAD"):
        raise TaxiiError(
            404, "Not found", f"no TAXII resource at /taxii2/{rest[:200]}", "not_found"
        )
    raise TaxiiError(
        405, "Method not allowed", f"{request.method} is not served here", "method_not_allowed"
    )
