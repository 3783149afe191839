"""Several delivery workers on one PostgreSQL database share peers without sending
out of order: the per-peer cursor is claimed with FOR UPDATE SKIP LOCKED."""

from __future__ import annotations

import threading

import httpx
import pytest

from tests.support.nodes import LiveNode, free_port, peer, wait_for

pytestmark = pytest.mark.live

CHANGES = 300


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_two_workers_deliver_each_envelope_once_in_order(nodes: tuple[LiveNode, LiveNode]) -> None:
    canada, india = nodes
    canada.extra_env["LIAISON_FEDERATION_BATCH_SIZE"] = "10"
    canada.start(with_worker=False)
    canada.start_worker()
    metrics_port = free_port()
    second = canada.spawn("worker", "--metrics-port", str(metrics_port))
    try:
        india.start()
        peer(canada, india)

        def produce(offset: int) -> None:
            with canada.api("ca-admin") as api:
                for i in range(offset, CHANGES, 2):
                    api.post(
                        "/api/v1/agencies",
                        json={
                            "party_code": "CA",
                            "name": f"Worker test {i:03d}",
                            "acronym": f"WT{i:03d}",
                        },
                    )

        producers = [threading.Thread(target=produce, args=(n,)) for n in (0, 1)]
        for thread in producers:
            thread.start()
        for thread in producers:
            thread.join(timeout=300)
        expected = canada.scalar("SELECT count(*) FROM outbox")
        wait_for(
            lambda: (
                canada.scalar("SELECT count(*) FROM outbox WHERE status='delivered'") == expected
            ),
            timeout=180,
            what="both workers to drain the outbox",
        )
        # a worker on its own exports its metrics: every job's passes, delivery counters
        metrics = httpx.get(f"http://127.0.0.1:{metrics_port}/metrics", timeout=10).text
        assert 'liaison_job_passes_total{job="federation delivery",outcome="worked"}' in metrics
        assert "liaison_job_pass_seconds_bucket" in metrics
    finally:
        second.terminate()
        second.wait(timeout=20)
    assert india.scalar("SELECT count(*) FROM inbox WHERE peer_party='CA'") == expected
    assert india.scalar("SELECT max(seq) FROM inbox WHERE peer_party='CA'") == expected
    # Out-of-order sends would have been refused as sequence gaps or replays. (Refusals
    # as unknown_sender are expected: Canada sends before India has pinned it; with the
    # 2 s test backoff and two workers that is more than the per-address limit a minute,
    # so India also throttles it: 429 rate_limited, summarised in one row.)
    refused = (
        "SELECT count(*) FROM federation_refusals"
        " WHERE reason NOT IN ('unknown_sender', 'rate_limited')"
    )
    assert india.scalar(refused) == 0
    assert india.scalar("SELECT count(*) FROM agencies WHERE name LIKE 'Worker test %'") == CHANGES
