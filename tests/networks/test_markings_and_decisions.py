"""Resolution on a node's own and received messages: the graph per role (TLP:RED links
only for their audience), every view of a person's network audited, analysts' splits
kept by the next full run, and the incremental pass for a new message."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from liaison.kit.db import unit_of_work
from liaison.models import AuditEntry, MessageEntity, NetworkRecord
from liaison.networks.resolve import full_run, resolve_pending, sweep_erased
from tests.exchange import payloads
from tests.networks.conftest import PERSON_DEVANAGARI, PHONE
from tests.support.web import HTML, sign_in

Headers = Callable[[str], dict[str, str]]


def _graph(client: TestClient, headers: dict[str, str]) -> dict[str, Any]:
    answer = client.get("/api/v1/networks/graph", headers=headers)
    assert answer.status_code == 200, answer.text
    return answer.json()


def _person(graph: dict[str, Any]) -> dict[str, Any]:
    found = [n["data"] for n in graph["nodes"] if "Sandhu" in n["data"]["label"]]
    assert len(found) == 1, found  # Latin (CA seed) and Devanagari (IN) records: one person
    return found[0]


def test_graph_per_role_red_links_only_for_their_audience(
    client: TestClient,
    auth_headers: Headers,
    seeded: sessionmaker[Session],
    shared: dict[str, dict[str, Any]],
) -> None:
    with unit_of_work(seeded) as db:
        report = full_run(db)
    assert report.persons >= 3
    officer = _graph(client, auth_headers("ca-officer"))  # RCMP: in the RED audience
    person = _person(officer)
    assert person["parties"] == ["CA", "IN"]
    kinds = {n["data"]["kind"] for n in officer["nodes"]}
    assert {"bank_account", "phone", "flight"} <= kinds
    assert any(e["data"]["type"] == "financial" for e in officer["edges"])
    admin = _graph(client, auth_headers("ca-admin"))  # PS: routes traffic, not in RED audience
    assert _person(admin)["parties"] == ["CA", "IN"]
    assert "bank_account" not in {n["data"]["kind"] for n in admin["nodes"]}
    assert not any(e["data"]["type"] == "financial" for e in admin["edges"])
    mule = next(n["data"]["id"] for n in officer["nodes"] if n["data"]["kind"] == "bank_account")
    hidden = client.get(f"/api/v1/networks/entities/{mule}", headers=auth_headers("ca-admin"))
    assert hidden.status_code == 404
    stix = client.get("/api/v1/networks/export.stix", headers=auth_headers("ca-admin")).json()
    assert "50100234567891" not in str(stix)
    assert {o["type"] for o in stix["objects"]} == {"identity", "relationship"}
    viewer = _graph(client, auth_headers("ca-viewer"))
    assert viewer["nodes"] == []
    # explained, and audited as a read of personal data
    entity = client.get(
        f"/api/v1/networks/entities/{person['id']}", headers=auth_headers("ca-officer")
    ).json()
    levels = {level["level"] for why in entity["why"] for level in why["levels"]}
    assert "same phonetic name" in levels
    assert "same date of birth" in levels
    with unit_of_work(seeded) as db:
        reads = db.scalars(
            select(AuditEntry.actor).where(
                AuditEntry.action == "networks.person.read", AuditEntry.object_id == person["id"]
            )
        ).all()
    assert reads == ["user:ca-officer"]


def test_split_is_kept_by_the_next_run_and_new_messages_resolve_incrementally(
    client: TestClient,
    seeded: sessionmaker[Session],
    shared: dict[str, dict[str, Any]],
    agencies: dict[str, str],
    receive: Callable[[dict[str, Any]], None],
) -> None:
    with unit_of_work(seeded) as db:
        full_run(db)
    csrf = sign_in(client, "ca-officer", "/networks")
    page = client.get("/networks", headers=HTML)
    assert "Gurpreet Sandhu" in page.text
    assert "network-graph" in page.text
    person = _person(client.get("/networks/data", headers=HTML).json())
    entity = client.get(f"/networks/entities/{person['id']}", headers=HTML)
    assert "Why are these the same?" in entity.text
    assert "गुरप्रीत सिंह संधू" in entity.text
    assert "<td>same date of birth</td>" in entity.text
    # the reasons in the reader's language: comparisons and levels in words, not codes
    french = client.get(
        f"/networks/entities/{person['id']}", headers=HTML | {"Accept-Language": "fr"}
    )
    assert '<th scope="row">Date de naissance</th><td>même date de naissance</td>' in french.text
    assert "Poids de correspondance" in french.text
    assert "same date of birth" not in french.text
    with unit_of_work(seeded) as db:
        red_record = db.scalar(
            select(NetworkRecord.id).where(
                NetworkRecord.message_id == shared["red"]["id"], NetworkRecord.kind == "person"
            )
        )
    assert red_record is not None
    split = client.post(
        f"/networks/entities/{person['id']}/split",
        data={"csrf_token": csrf, "record_id": red_record, "reason": "different father's name"},
        headers=HTML,
        follow_redirects=False,
    )
    assert split.status_code == 303, split.text
    with unit_of_work(seeded) as db:
        full_run(db)
        moved = db.get(NetworkRecord, red_record)
        assert moved is not None
        assert moved.cluster_id != person["id"]
        split_out = moved.cluster_id
    # new messages from India, resolved against the existing entities (no full run): a
    # name and date of birth alone fit the split-out record as well as the person, so
    # the record is left on its own for an analyst; with the person's phone it joins
    latin = {**PERSON_DEVANAGARI, "name": "Gurprit Sandhoo"}
    receive(payloads.inbound(agencies, entities=[latin]))
    with unit_of_work(seeded) as db:
        assert resolve_pending(db) == 1
        alone = db.scalars(select(NetworkRecord).where(NetworkRecord.label.like("%Sandhoo%"))).one()
        assert alone.cluster_id not in (person["id"], split_out)
    receive(payloads.inbound(agencies, entities=[{**latin, "name": "Gurpreet Sandhoo"}, PHONE]))
    with unit_of_work(seeded) as db:
        assert resolve_pending(db) == 2
        assert resolve_pending(db) == 0
        new = db.scalars(
            select(NetworkRecord).where(NetworkRecord.label.like("%Gurpreet Sandhoo%"))
        ).one()
        assert new.cluster_id == person["id"]
        # the RED message's entities erased (retention): its records are forgotten too
        db.execute(delete(MessageEntity).where(MessageEntity.message_id == shared["red"]["id"]))
        assert sweep_erased(db) == 2
        assert db.get(NetworkRecord, red_record) is None
