"""Two live nodes: CERT-In's collection on IN is shared with CA; indicators and their
revocation arrive in CA's mirror, TLP:RED reaches only its audience on either node."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from liaison.cyber.taxii_http import TAXII_MEDIA_TYPE
from liaison.cyber.tlp import Tlp
from tests.cyber.stix import indicator
from tests.support.nodes import LiveNode, wait_for

# two live nodes on two shared cores: setup alone can take minutes under load
pytestmark = [pytest.mark.live, pytest.mark.timeout(900)]


def _taxii(node: LiveNode, username: str) -> httpx.Client:
    """A TAXII client signing in with HTTP Basic (the demo user's password)."""
    headers = {"Accept": TAXII_MEDIA_TYPE, "Content-Type": TAXII_MEDIA_TYPE}
    return httpx.Client(
        base_url=f"{node.url}/taxii2/cti",
        headers=headers,
        auth=(username, f"liaison-demo-{username}"),
        timeout=30,
    )


def _collection_id(client: httpx.Client, title: str) -> str:
    collections = client.get("/collections/").json()["collections"]
    found: str = next(c["id"] for c in collections if c["title"] == title)
    return found


def _latest(client: httpx.Client, collection: str, stix_id: str) -> dict[str, Any] | None:
    response = client.get(f"/collections/{collection}/objects/{stix_id}/")
    if response.status_code == 404:
        return None
    assert response.status_code == 200, response.text
    found: dict[str, Any] = response.json()["objects"][0]
    return found


def test_shared_collection_mirrors_revocations_and_red_audience(
    peered: tuple[LiveNode, LiveNode], tmp_path: Path
) -> None:
    canada, india = peered
    writer = _taxii(india, "in-analyst")
    cert_in = _collection_id(writer, "CERT-In indicators")
    india.cli("cyber", "collections", "share", cert_in, "--peer", "CA", "--agency", "CCCS")

    amber = indicator(1, tlp=Tlp.AMBER)
    red_local = indicator(2, tlp=Tlp.RED)  # audience: only its writer, in-analyst
    with _taxii(india, "in-analyst") as writer:
        status = writer.post(
            f"/collections/{cert_in}/objects/", json={"objects": [amber, red_local]}
        )
        assert status.json()["success_count"] == 2
    red_shared = indicator(3, tlp=Tlp.RED)
    bundle = tmp_path / "red.json"
    bundle.write_text(
        json.dumps(
            {
                "type": "bundle",
                "id": "bundle--00000000-0000-4000-8000-000000000000",
                "objects": [red_shared],
            }
        )
    )
    india.cli(
        "cyber", "import", str(bundle), "--collection", cert_in, "--audience", "user:CA:ca-analyst"
    )

    ca_viewer = _taxii(canada, "ca-viewer")
    ca_analyst = _taxii(canada, "ca-analyst")
    wait_for(
        lambda: _latest(ca_viewer, cert_in, amber["id"]) is not None,
        what="indicator at CA",
        timeout=120,
    )
    wait_for(
        lambda: _latest(ca_analyst, cert_in, red_shared["id"]) is not None,
        what="RED at CA",
        timeout=120,
    )
    # the seeded CERT-In indicators were queued when the collection was shared
    seeded = ca_viewer.get(f"/collections/{cert_in}/objects/").json()["objects"]
    assert len(seeded) >= 4
    # RED: only its audience, on either node
    assert _latest(ca_viewer, cert_in, red_shared["id"]) is None
    with _taxii(india, "in-officer") as in_officer:
        assert _latest(in_officer, cert_in, red_shared["id"]) is None
        assert _latest(in_officer, cert_in, red_local["id"]) is None
        assert _latest(in_officer, cert_in, amber["id"]) is not None
    # provenance, and the mirror is read-only
    objects = canada.cli("cyber", "objects", cert_in).stdout
    assert "IN liaison-in" in objects
    refused = ca_analyst.post(f"/collections/{cert_in}/objects/", json={"objects": [indicator(9)]})
    assert refused.status_code == 403

    india.cli("cyber", "revoke", cert_in, amber["id"])
    wait_for(
        lambda: (_latest(ca_viewer, cert_in, amber["id"]) or {}).get("revoked") is True,
        what="revocation at CA",
        timeout=120,
    )
    # delivery is in order: the RED object with only an Indian audience never left IN
    assert _latest(ca_analyst, cert_in, red_local["id"]) is None
    versions = ca_viewer.get(f"/collections/{cert_in}/objects/{amber['id']}/versions/").json()
    assert len(versions["versions"]) == 2
    for client in (writer, ca_viewer, ca_analyst):
        client.close()
    # every release was put to the policy engine and audited on both sides
    released = _audit(india, "policy.decision", cert_in)
    assert {entry["detail"]["tlp"] for entry in released} >= {"AMBER", "RED"}
    assert all(entry["detail"]["kind"] == "cyber_object" for entry in released)
    received = _audit(canada, "cyber.received", cert_in)
    assert sum(entry["detail"]["objects"] for entry in received) >= 6
    assert all(entry["actor"] == "node:IN" for entry in received)


def _audit(node: LiveNode, action: str, collection: str) -> list[dict[str, Any]]:
    lines = node.cli("audit", "export", "-o", "-").stdout.splitlines()
    entries = [json.loads(line) for line in lines if line.strip()]
    return [e for e in entries if e["action"] == action and e["object_id"] == collection]
