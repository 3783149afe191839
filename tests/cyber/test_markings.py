"""Markings travel with the object: whatever TLP an object is stored under, TAXII
serves it with that TLP in ``object_marking_refs`` — for every collection default, for
every version, for SDOs, relationships and observables alike."""

from __future__ import annotations

import importlib.util
import json
import uuid
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from liaison.cyber.schemas import CollectionCreate
from liaison.cyber.service import CyberService
from liaison.cyber.tlp import MARKING_FOR, Tlp, tlp_of
from liaison.kit.db import unit_of_work
from liaison.models import CyberObject, User
from liaison.users.auth import caller_for
from tests.cyber.corpora import objects_of
from tests.cyber.stix import indicator
from tests.cyber.taxii import Headers, objects_url, post


def _collections(seeded: sessionmaker[Session]) -> dict[Tlp, str]:
    made: dict[Tlp, str] = {}
    with unit_of_work(seeded) as db:
        admin = db.scalar(select(User).where(User.username == "ca-admin"))
        assert admin is not None
        service = CyberService(db, caller_for(db, admin))
        for tlp in Tlp:
            data = CollectionCreate(title=f"default {tlp}", default_tlp=tlp, agency_acronym="CBSA")
            made[tlp] = service.create_collection(data).id
    return made


def _walk(client: TestClient, headers: dict[str, str], collection: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    params: dict[str, str] = {"limit": "7", "match[version]": "all"}
    while True:
        page = client.get(objects_url(collection), params=params, headers=headers).json()
        found.extend(page.get("objects", []))
        if not page.get("more"):
            return found
        params["next"] = page["next"]


@pytest.fixture
def corpus() -> list[dict[str, Any]]:
    attack = objects_of("attack-ics-18.1-slice.json")[:12]  # statement marking, no TLP
    observable = {
        "type": "ipv4-addr",
        "spec_version": "2.1",
        "id": f"ipv4-addr--{uuid.uuid5(uuid.NAMESPACE_URL, '198.51.100.7')}",
        "value": "198.51.100.7",
    }
    return [*attack, observable, indicator(1), indicator(2, tlp=Tlp.GREEN)]


def test_every_served_object_carries_the_tlp_it_is_stored_under(
    client: TestClient,
    seeded: sessionmaker[Session],
    taxii: Headers,
    corpus: list[dict[str, Any]],
) -> None:
    for default, collection in _collections(seeded).items():
        status = post(client, taxii("ca-analyst"), collection, *corpus)
        assert status["failure_count"] == 0, status["failures"]
        marked = [s for s in status["successes"] if "marked TLP" in s.get("message", "")]
        assert marked, "the status says which objects this node marked"
        # a later version from the source, still unmarked, is marked again
        newer = {**corpus[-2], "modified": "2026-03-01T00:00:00.000Z", "name": "v2"}
        assert post(client, taxii("ca-analyst"), collection, newer)["success_count"] == 1
        served = _walk(client, taxii("ca-analyst"), collection)
        assert len(served) >= len(corpus) + 1
        for obj in served:
            if obj["type"] == "marking-definition":  # immutable in STIX: stored as sent
                assert obj in corpus
                continue
            refs = obj.get("object_marking_refs", [])
            expected = Tlp.GREEN if obj["id"] == corpus[-1]["id"] else default
            assert tlp_of(refs) is expected, (default, obj["id"], refs)
        attack = next(o for o in served if o["id"] == corpus[0]["id"])
        assert attack["created"] == corpus[0]["created"]  # created kept, modified bumped
        assert attack["modified"] > corpus[0]["modified"]
        assert set(corpus[0].get("object_marking_refs", [])) < set(attack["object_marking_refs"])
        assert MARKING_FOR[default] in attack["object_marking_refs"]


def test_a_new_version_may_not_change_created(
    client: TestClient, taxii: Headers, cccs: str
) -> None:
    first = indicator(3, tlp=Tlp.GREEN)
    post(client, taxii("ca-analyst"), cccs, first)
    moved = {**first, "created": "2026-02-08T00:00:00.000Z", "modified": "2026-02-09T00:00:00.000Z"}
    refused = post(client, taxii("ca-analyst"), cccs, moved)
    assert refused["success_count"] == 0
    assert "'created' may not change" in refused["failures"][0]["message"]


def _migration(name: str) -> ModuleType:
    path = Path(__file__).resolve().parents[2] / "migrations" / "versions" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_objects_stored_before_markings_travelled_are_served_marked_after_the_upgrade(
    client: TestClient, seeded: sessionmaker[Session], taxii: Headers, cccs: str
) -> None:
    post(client, taxii("ca-analyst"), cccs, indicator(4, tlp=Tlp.AMBER), indicator(5))
    with unit_of_work(seeded) as db:  # as a node before 0011 stored them: raw unmarked
        rows = db.scalars(select(CyberObject).where(CyberObject.collection_id == cccs)).all()
        for row in rows:
            obj = json.loads(row.raw)
            if obj["type"] != "marking-definition":
                obj.pop("object_marking_refs", None)
                row.raw = json.dumps(obj)
        stored = {row.stix_id: Tlp(row.tlp) for row in rows if row.type != "marking-definition"}
    assert stored, "nothing to repair: the test would prove nothing"
    unmarked = client.get(objects_url(cccs), headers=taxii("ca-analyst")).json()["objects"]
    assert any("object_marking_refs" not in obj for obj in unmarked)

    with unit_of_work(seeded) as db:
        assert _migration("0014_cyber_more").mark_unmarked(db.connection()) == len(rows) - sum(
            1 for row in rows if row.type == "marking-definition"
        )
    served = client.get(objects_url(cccs), headers=taxii("ca-analyst")).json()["objects"]
    for obj in served:
        if obj["id"] in stored:
            assert tlp_of(obj.get("object_marking_refs")) is stored[obj["id"]], obj["id"]
    with unit_of_work(seeded) as db:  # run again (an interrupted upgrade): nothing to do
        assert _migration("0014_cyber_more").mark_unmarked(db.connection()) == 0
