"""A node scaled out on one PostgreSQL database: two API processes and two workers.
Workers share peers without sending out of order (the per-peer cursor is claimed with
FOR UPDATE SKIP LOCKED); a web session, the login lockout and a polled (HTMX) page hold
across the API processes; the audit chain written by all four verifies."""

from __future__ import annotations

import threading

import httpx
import pytest

from tests.support.accounts import demo_password
from tests.support.nodes import LiveNode, free_port, peer, wait_for, wait_healthy
from tests.support.web import HTML, sign_in, web_login

pytestmark = pytest.mark.live

CHANGES = 300


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_two_api_processes_and_two_workers_share_one_database(
    nodes: tuple[LiveNode, LiveNode],
) -> None:
    canada, india = nodes
    canada.extra_env["LIAISON_FEDERATION_BATCH_SIZE"] = "10"
    canada.start(with_worker=False)
    canada.start_worker()
    metrics_port = free_port()
    second = canada.spawn("worker", "--metrics-port", str(metrics_port))
    other_api_url = f"http://127.0.0.1:{free_port()}"
    other_api = canada.spawn("serve", "--no-worker", "--port", other_api_url.rsplit(":", 1)[1])
    try:
        wait_healthy(other_api_url, other_api, log=canada.data_dir / "serve.log")
        _session_and_lockout_hold_across_processes(canada.url, other_api_url)
        india.start()
        peer(canada, india)

        def produce(offset: int) -> None:
            # the two producers write through different API processes
            base_url = canada.url if offset == 0 else other_api_url
            with canada.api("ca-admin") as api:
                api.base_url = httpx.URL(base_url)
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
        _polled_page_follows_a_job_of_the_other_process(canada.url, other_api_url)
        # a worker on its own exports its metrics: every job's passes, delivery counters
        metrics = httpx.get(f"http://127.0.0.1:{metrics_port}/metrics", timeout=10).text
        assert 'liaison_job_passes_total{job="federation delivery",outcome="worked"}' in metrics
        assert "liaison_job_pass_seconds_bucket" in metrics
    finally:
        for process in (second, other_api):
            process.terminate()
            process.wait(timeout=20)
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
    assert "audit log OK" in canada.cli("audit", "verify").stdout


BULK = "category,value,country\nphone,+1 604 555 0199,\nphone,+91 98765 43210,\n"


def _polled_page_follows_a_job_of_the_other_process(first: str, second: str) -> None:
    """A bulk hit/no-hit check started through one API process (its background task runs
    there); the page that polls it, served by the other process, shows the progress to
    the end: job state lives in the database, not in a process."""
    with httpx.Client(base_url=first, timeout=60) as browser:
        csrf = sign_in(browser, "ca-officer", "/hitcheck")
        posted = browser.post(
            "/hitcheck/bulk",
            data={
                "csrf_token": csrf,
                "purpose": "fraud: load balancer",
                "legal_basis": "police_cooperation",
            },
            files={"file": ("numbers.csv", BULK.encode(), "text/csv")},
            headers=HTML,
            follow_redirects=False,
        )
        assert posted.status_code == 303, posted.text
        job_page = f"{second}{posted.headers['location']}"
        wait_for(
            lambda: "Done: 2 rows checked." in browser.get(job_page, headers=HTML).text,
            timeout=120,
            what="the other process's page to show the job done",
        )
        assert 'hx-trigger="every 1s"' not in browser.get(job_page, headers=HTML).text


def _session_and_lockout_hold_across_processes(first: str, second: str) -> None:
    """Signed in through one API process, the session works through the other; failed
    sign-ins through one lock the account in the other."""
    with httpx.Client(base_url=first, timeout=30) as browser:
        assert web_login(browser, "ca-officer", demo_password("ca-officer")) == 303
        page = browser.get(f"{second}/exchange", headers=HTML)
        assert page.status_code == 200
        assert "Sign out" in page.text
    with httpx.Client(base_url=second, timeout=30) as guesser:
        for _ in range(5):  # LIAISON_LOGIN_MAX_FAILURES' default
            assert web_login(guesser, "ca-viewer", "not the password") == 401
    with httpx.Client(base_url=first, timeout=30) as owner:
        assert web_login(owner, "ca-viewer", demo_password("ca-viewer")) == 429
