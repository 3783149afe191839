"""Interop: the third-party ``taxii2-client`` against a live Liaison node (a real
``liaison serve`` process), on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests
from stix2validator import ValidationOptions, validate_instance
from taxii2client.v21 import Collection, Server, as_pages

from tests.cyber.stix import indicator
from tests.support.fixtures_live import Prepared
from tests.support.nodes import LiveNode, drop_schemas, pg_schema

ORACLE = ValidationOptions(version="2.1")

# two live nodes on two shared cores: setup alone can take minutes under load
pytestmark = [pytest.mark.live, pytest.mark.timeout(900)]


class Bearer(requests.auth.AuthBase):
    def __init__(self, token: str) -> None:
        self.token = token

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = f"Bearer {self.token}"
        return request


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def live(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, prepared: Prepared
) -> Iterator[LiveNode]:
    tmp_path = tmp_path_factory.mktemp("taxii")
    schema, url = pg_schema("taxii") if request.param == "postgresql" else ("", "")
    node = LiveNode(party="CA", data_dir=tmp_path / "ca", database_url=url)
    node.prepare(like=prepared("CA", request.param))
    node.start(with_worker=False)
    yield node
    node.stop()
    if schema:
        drop_schemas(schema)


def _ids(pages: list[dict[str, Any]], key: str = "objects") -> list[str]:
    return [item["id"] for page in pages for item in page.get(key, [])]


def test_taxii2_client_discovers_writes_pages_and_filters(live: LiveNode) -> None:
    server = Server(f"{live.url}/taxii2/", user="ca-analyst", password="liaison-demo-ca-analyst")
    assert "Liaison" in server.title
    api_root = server.default
    assert api_root is not None
    found = [c for c in api_root.collections if c.title == "CCCS indicators"]
    assert len(found) == 1
    assert found[0].can_write
    collection = Collection(found[0].url, auth=Bearer(live.token("ca-analyst")))

    seeded = next(iter(as_pages(collection.get_manifest, per_request=100)))["objects"]
    objects = [indicator(n) for n in range(60)]
    malware = {**indicator(99), "type": "malware", "is_family": True, "name": "LockBit"}
    for key in ("pattern", "pattern_type", "valid_from", "indicator_types"):
        malware.pop(key)
    malware["id"] = malware["id"].replace("indicator--", "malware--")
    status = collection.add_objects({"objects": [*objects, malware]}, poll_interval=1)
    assert (status.status, status.success_count, status.failure_count) == ("complete", 61, 0)

    pages = list(as_pages(collection.get_objects, per_request=25))
    assert [len(page["objects"]) for page in pages] == [25, 25, 13]
    ids = _ids(pages)
    assert len(set(ids)) == 63
    assert {o["id"] for o in objects} <= set(ids)
    for page in pages:  # everything served passes the OASIS validator
        for obj in page["objects"]:
            assert validate_instance(obj, ORACLE).is_valid, obj["id"]

    newer = collection.get_objects(added_after=seeded[-1]["date_added"])
    assert len(newer["objects"]) == 61
    only_malware = collection.get_objects(type="malware")
    assert [o["name"] for o in only_malware["objects"]] == ["LockBit"]

    manifest = list(as_pages(collection.get_manifest, per_request=30))
    assert len(_ids(manifest)) == 63

    v2 = {**objects[0], "modified": "2026-02-09T00:00:00.000Z", "name": "updated"}
    assert collection.add_objects({"objects": [v2]}).success_count == 1
    versions = collection.object_versions(objects[0]["id"])["versions"]
    # unmarked objects are marked with the collection's default TLP, as new versions
    assert versions == ["2026-02-07T10:00:00.001Z", "2026-02-09T00:00:00.001Z"]
    assert collection.get_object(objects[0]["id"])["objects"][0]["name"] == "updated"


def test_taxii2_client_sees_taxii_errors(live: LiveNode) -> None:
    collection_url = (
        Server(f"{live.url}/taxii2/", user="ca-viewer", password="liaison-demo-ca-viewer")
        .default.collections[0]
        .url
    )
    viewer = Collection(collection_url, user="ca-viewer", password="liaison-demo-ca-viewer")
    assert viewer.can_read
    assert not viewer.can_write
    response = requests.get(
        f"{collection_url}objects/",
        params={"next": "bogus"},
        auth=("ca-viewer", "liaison-demo-ca-viewer"),
        headers={"Accept": "application/taxii+json;version=2.1"},
        timeout=10,
    )
    assert response.status_code == 400
    assert response.json()["error_code"] == "bad_next"
