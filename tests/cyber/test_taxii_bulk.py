"""The bulk TAXII write path and the page built from stored JSON, on both backends: a
large mixed envelope is stored in one go and paged back as sent (markings included),
audited once, and a version written by someone else meanwhile is a 409, not a 500."""

from __future__ import annotations

import json
from datetime import UTC
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from liaison.cyber.repository import CyberRepository
from liaison.cyber.store import format_timestamp
from liaison.cyber.tlp import MARKING_FOR, Tlp
from liaison.kit.db import unit_of_work
from liaison.models import AuditEntry, CyberObject
from tests.cyber.stix import indicator
from tests.cyber.taxii import Headers, objects_url, post


def _page_all(client: TestClient, headers: dict[str, str], url: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    params = {"limit": "250"}
    while True:
        response = client.get(url, params=params, headers=headers)
        assert response.status_code == 200, response.text
        body = response.json()
        found.extend(body.get("objects", []))
        if not body["more"]:
            return found
        params = {"limit": "250", "next": body["next"]}


def test_a_large_mixed_envelope_is_stored_once_and_paged_back_as_sent(
    client: TestClient, taxii: Headers, cccs: str, seeded: sessionmaker[Session]
) -> None:
    before = {o["id"] for o in _page_all(client, taxii("ca-analyst"), objects_url(cccs))}
    first = indicator(1, tlp=Tlp.GREEN, modified="2026-02-08T00:00:00.000Z")
    red = indicator(2, tlp=Tlp.RED)
    post(client, taxii("ca-analyst"), cccs, first, red)
    fresh = [indicator(n, tlp=Tlp.GREEN, description="é ✓ \u2028") for n in range(10, 606)]
    newer = {**first, "modified": "2026-02-09T00:00:00.000Z", "name": "second version"}
    red_newer = {**red, "modified": "2026-02-09T00:00:00.000Z", "name": "red, again"}
    unmarked = indicator(3)
    broken = indicator(4, pattern="not a pattern")
    status = post(client, taxii("ca-analyst"), cccs, *fresh, newer, red_newer, unmarked, broken)
    assert (status["total_count"], status["success_count"], status["failure_count"]) == (
        600,
        599,
        1,
    )

    served = [
        o
        for o in _page_all(client, taxii("ca-analyst"), objects_url(cccs))
        if o["id"] not in before
    ]
    # each object once, its latest version, in the order it was sent, byte for byte
    assert [o["id"] for o in served] == [
        *(o["id"] for o in fresh),
        first["id"],
        red["id"],
        unmarked["id"],
    ]
    by_id = {o["id"]: o for o in served}
    assert all(by_id[o["id"]] == o for o in fresh)
    assert by_id[first["id"]] == newer
    assert by_id[red["id"]] == red_newer
    # never served without its marking: the unmarked one carries the collection's default
    marking = by_id[unmarked["id"]]["object_marking_refs"]
    assert len(marking) == 1
    assert marking[0] in MARKING_FOR.values()

    # the page's date headers are the stored date_added, in UTC
    page = client.get(
        objects_url(cccs), params={"match[id]": first["id"]}, headers=taxii("ca-viewer")
    )
    with unit_of_work(seeded) as db:
        added = db.scalar(
            select(CyberObject.date_added).where(
                CyberObject.stix_id == first["id"], CyberObject.is_latest.is_(True)
            )
        )
    assert added is not None
    assert page.headers["X-TAXII-Date-Added-First"] == format_timestamp(added.astimezone(UTC))
    manifest = client.get(
        f"/taxii2/cti/collections/{cccs}/manifest/",
        params={"match[id]": first["id"]},
        headers=taxii("ca-viewer"),
    ).json()
    assert manifest["objects"][0]["date_added"] == page.headers["X-TAXII-Date-Added-Last"]

    seen_by_viewer = {o["id"] for o in _page_all(client, taxii("ca-viewer"), objects_url(cccs))}
    assert red["id"] not in seen_by_viewer
    assert {o["id"] for o in fresh} <= seen_by_viewer

    with unit_of_work(seeded) as db:
        entries = list(
            db.scalars(
                select(AuditEntry).where(
                    AuditEntry.action == "cyber.taxii.envelope_added",
                    AuditEntry.object_id == status["id"],
                )
            )
        )
    assert len(entries) == 1
    detail = json.loads(entries[0].detail_json)
    assert detail == {
        "collection": cccs,
        "total": 600,
        "stored": 599,
        "failed": 1,
        "marked": 1,
    }


def test_a_version_stored_meanwhile_is_a_conflict_to_resend(
    client: TestClient, taxii: Headers, cccs: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    stored = indicator(1, tlp=Tlp.GREEN)
    post(client, taxii("ca-analyst"), cccs, stored)
    newer = {**stored, "modified": "2026-02-09T00:00:00.000Z", "name": "newer"}
    read = CyberRepository.write_state

    def read_too_early(
        self: CyberRepository, collection: Any, stix_ids: Any
    ) -> tuple[dict[str, Any], set[str], dict[str, list[str]]]:
        read(self, collection, stix_ids)
        return {}, set(), {}  # as if the stored version was written after this read

    monkeypatch.setattr(CyberRepository, "write_state", read_too_early)
    response = client.post(
        objects_url(cccs), json={"objects": [newer]}, headers=taxii("ca-analyst")
    )
    assert response.status_code == 409, response.text
    assert "send the envelope again" in response.json()["description"]
    monkeypatch.setattr(CyberRepository, "write_state", read)
    page = client.get(f"{objects_url(cccs)}{stored['id']}/", headers=taxii("ca-viewer")).json()
    assert page["objects"] == [stored]  # nothing of the refused write remains
    status = post(client, taxii("ca-analyst"), cccs, newer)
    assert status["success_count"] == 1
    page = client.get(f"{objects_url(cccs)}{stored['id']}/", headers=taxii("ca-viewer")).json()
    assert [o["name"] for o in page["objects"]] == ["newer"]
