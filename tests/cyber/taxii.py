"""TAXII requests for the cyber tests (the in-process app)."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

Headers = Callable[[str], dict[str, str]]


def objects_url(collection_id: str) -> str:
    return f"/taxii2/cti/collections/{collection_id}/objects/"


def post(
    client: TestClient, headers: dict[str, str], collection_id: str, *objects: dict[str, object]
) -> dict[str, object]:
    response = client.post(
        objects_url(collection_id), json={"objects": list(objects)}, headers=headers
    )
    assert response.status_code == 202, response.text
    body: dict[str, object] = response.json()
    return body
