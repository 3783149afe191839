"""Two live nodes exchange the directory over real HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.support.nodes import LiveNode, wait_for

pytestmark = pytest.mark.live


def _officers(node: LiveNode, username: str) -> list[dict[str, Any]]:
    with node.api(username) as api:
        result: list[dict[str, Any]] = api.get("/api/v1/officers").json()
    return result


def _messages(node: LiveNode, **params: str) -> list[dict[str, Any]]:
    with node.api(f"{node.party.lower()}-admin") as api:
        result: list[dict[str, Any]] = api.get("/api/v1/messages", params=params).json()
    return result


def test_nomination_travels_and_accreditation_comes_back(peered: tuple[LiveNode, LiveNode]) -> None:
    canada, india = peered
    indian_post = "Liaison Officer (security and law enforcement), Ministry of Home Affairs"

    def arrived() -> bool:
        return any(o["role_title"] == indian_post for o in _officers(canada, "ca-viewer"))

    wait_for(arrived, what="the Indian nomination at the Canadian node")
    with canada.api("ca-admin") as api:
        officer = next(
            o for o in api.get("/api/v1/officers").json() if o["role_title"] == indian_post
        )
        assert officer["accreditation_status"] == "nominated"
        agencies = api.get("/api/v1/agencies", params={"party": "IN"}).json()
        assert {"MHA", "NCB", "CERT-In"} <= {a["acronym"] for a in agencies}
        # Federated records are read-only here.
        mha = next(a for a in agencies if a["acronym"] == "MHA")
        assert (
            api.patch(f"/api/v1/agencies/{mha['id']}", json={"name": "Renamed here"}).status_code
            == 403
        )
        # Canada may not accredit its own officer: the host party decides.
        own = next(o for o in api.get("/api/v1/officers").json() if o["host_party_code"] == "IN")
        refused = api.post(
            f"/api/v1/officers/{own['id']}/accreditation",
            json={"status": "accredited", "on": "2026-04-01"},
        )
        assert refused.status_code == 403
        decided = api.post(
            f"/api/v1/officers/{officer['id']}/accreditation",
            json={"status": "accredited", "on": "2026-03-16"},
        )
        assert decided.status_code == 200, decided.text

    def decision_arrived() -> bool:
        mine = [o for o in _officers(india, "in-viewer") if o["role_title"] == indian_post]
        return bool(mine) and mine[0]["accreditation_status"] == "accredited"

    wait_for(decision_arrived, what="the accreditation decision at the Indian node")
    sent = _messages(canada, direction="out", type="directory.accreditation_decision")
    assert [m["status"] for m in sent] == ["delivered"]
    assert sent[0]["has_receipt"] is True
    received = _messages(india, direction="in", type="directory.accreditation_decision")
    assert [m["status"] for m in received] == ["applied"]
    assert received[0]["id"] == sent[0]["id"]


def test_peer_down_then_back_drains_the_backlog(peered: tuple[LiveNode, LiveNode]) -> None:
    canada, india = peered
    wait_for(lambda: not _messages(canada, status="queued"), what="initial sync")
    india.stop()
    with canada.api("ca-admin") as api:
        for i in range(30):
            created = api.post(
                "/api/v1/agencies",
                json={"party_code": "CA", "name": f"Backlog agency {i}", "acronym": f"BKL{i}"},
            )
            assert created.status_code == 201
        wait_for(
            lambda: api.get("/api/v1/peers").json()[0]["last_error"] is not None,
            what="a delivery failure to be recorded",
        )
        status = api.get("/api/v1/peers").json()[0]
        assert status["queue_depth"] == 30
        assert status["oldest_undelivered_at"] is not None
    india.start()
    wait_for(
        lambda: (
            not _messages(canada, direction="out", status="retrying")
            and not _messages(canada, direction="out", status="queued")
        ),
        what="the backlog to drain",
    )
    with india.api("in-viewer") as api:
        names = [
            a["name"]
            for a in api.get("/api/v1/agencies", params={"party": "CA", "limit": 500}).json()
        ]
    assert sorted(n for n in names if n.startswith("Backlog")) == sorted(
        f"Backlog agency {i}" for i in range(30)
    )


def test_key_rotation_is_announced_over_the_channel(peered: tuple[LiveNode, LiveNode]) -> None:
    canada, india = peered
    wait_for(lambda: not _messages(canada, status="queued"), what="initial sync")
    old = canada.fingerprint()
    rotated = canada.cli("keys", "rotate")
    assert "announced to every peer" in rotated.stdout
    new = canada.fingerprint()
    assert new != old
    with canada.api("ca-admin") as api:
        created = api.post(
            "/api/v1/agencies",
            json={"party_code": "CA", "name": "Signed with the new key", "acronym": "NEWKEY"},
        )
        assert created.status_code == 201

    def arrived() -> bool:
        with india.api("in-viewer") as api:
            names = {a["name"] for a in api.get("/api/v1/agencies", params={"party": "CA"}).json()}
        return "Signed with the new key" in names

    wait_for(arrived, what="a change signed with the rotated key")
    announced = _messages(india, direction="in", type="federation.key_announce")
    assert [m["status"] for m in announced] == ["applied"]
    published = httpx.get(f"{canada.url}/federation/v1/keys", timeout=5).json()["keys"]
    assert sorted(k["current"] for k in published) == [False, True]  # old key still valid
    assert {k["fingerprint"] for k in published} == {old, new}
