"""Crash safety: 500 directory changes cross while the sending worker and then the
receiving node are killed with SIGKILL; every change is applied exactly once, in order."""

from __future__ import annotations

import threading
import time

import pytest

from tests.support.nodes import LiveNode, peer, wait_for

pytestmark = pytest.mark.live

MESSAGES = 500
POSTING_UPDATES = 25
POSTING_EVERY = 19  # one posting update among every 19 changes, the last near the end


def received_from_ca(india: LiveNode) -> int:
    """Directory changes from Canada that India holds (the count the test plans for: the
    peering's other envelopes, such as workplan signatures, may come at any moment)."""
    return india.scalar(
        "SELECT count(*) FROM inbox WHERE peer_party = 'CA' AND type LIKE 'directory.%'"
    )


def test_kill_9_worker_and_receiver_mid_stream(nodes: tuple[LiveNode, LiveNode]) -> None:
    canada, india = nodes
    canada.extra_env["LIAISON_FEDERATION_BATCH_SIZE"] = "20"
    for node in (canada, india):  # no audit checkpoint traffic: count directory changes only
        node.extra_env["LIAISON_AUDIT_CHECKPOINT_EVERY"] = "1000000"
    canada.start(with_worker=False)
    canada.start_worker()
    india.start()
    peer(canada, india)
    wait_for(lambda: received_from_ca(india) >= 9, what="the initial directory sync")
    baseline = received_from_ca(india)

    with canada.api("ca-admin") as api:
        officer_id = next(
            o["id"] for o in api.get("/api/v1/officers").json() if o["host_party_code"] == "IN"
        )
    failures: list[str] = []

    def produce() -> None:
        with canada.api("ca-admin") as api:
            for i in range(MESSAGES - POSTING_UPDATES):
                reply = api.post(
                    "/api/v1/agencies",
                    json={
                        "party_code": "CA",
                        "name": f"Crash test agency {i:04d}",
                        "acronym": f"CT{i:04d}",
                    },
                )
                if reply.status_code != 201:
                    failures.append(reply.text)
                if i % POSTING_EVERY == 0 and i // POSTING_EVERY < POSTING_UPDATES:
                    api.patch(
                        f"/api/v1/officers/{officer_id}",
                        json={"posting": f"New Delhi, desk {i // POSTING_EVERY:02d}"},
                    )

    producer = threading.Thread(target=produce)
    producer.start()
    wait_for(lambda: received_from_ca(india) >= baseline + 60, what="first deliveries")
    canada.kill_worker()
    assert received_from_ca(india) < baseline + MESSAGES, "the worker died mid-stream"
    time.sleep(0.5)
    canada.start_worker()
    wait_for(lambda: received_from_ca(india) >= baseline + 220, what="deliveries to resume")
    india.kill_server()
    assert received_from_ca(india) < baseline + MESSAGES, "the receiver died mid-stream"
    time.sleep(1.0)
    india.start()
    producer.join(timeout=300)
    assert not failures

    total = baseline + MESSAGES
    wait_for(lambda: received_from_ca(india) >= total, timeout=240, what="every envelope")
    time.sleep(1.0)
    assert received_from_ca(india) == total
    assert canada.scalar("SELECT count(*) FROM outbox WHERE status <> 'delivered'") == 0
    # Exactly once: every sequence number once, none missing, nothing refused.
    held = india.scalar("SELECT count(*) FROM inbox WHERE peer_party='CA'")
    assert india.scalar("SELECT count(DISTINCT seq) FROM inbox WHERE peer_party='CA'") == held
    assert india.scalar("SELECT max(seq) FROM inbox WHERE peer_party='CA'") == held
    assert india.scalar("SELECT count(*) FROM inbox WHERE status <> 'applied'") == 0
    assert (
        india.scalar("SELECT count(*) FROM agencies WHERE name LIKE 'Crash test agency %'")
        == MESSAGES - POSTING_UPDATES
    )
    # In order: the last posting update sent is the one India shows.
    with india.api("in-viewer") as api:
        officer = api.get(f"/api/v1/officers/{officer_id}").json()
    assert officer["posting"] == f"New Delhi, desk {POSTING_UPDATES - 1:02d}"
