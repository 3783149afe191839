"""Federation pages through the real sign-in form: peers, the message log, ping, metrics."""

from __future__ import annotations

import re
from typing import get_args

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from liaison.config import Settings
from liaison.federation import control, keys, outbox
from liaison.federation.schemas import MessageStatus
from liaison.kit import clock
from liaison.kit.crypto import format_fingerprint
from liaison.kit.db import unit_of_work
from liaison.models import OutboxMessage, Refusal
from tests.support.peering import pin_peer
from tests.support.web import HTML, sign_in


@pytest.fixture
def india(settings: Settings, seeded: sessionmaker[Session]) -> str:
    """This node's key, and India pinned directly (no HTTP); returns IN's fingerprint."""
    with unit_of_work(seeded) as db:
        keys.ensure_node_key(db, settings)
        pair = pin_peer(db, "IN", own_party=settings.party)
    return pair.public.fingerprint()


def queued(seeded: sessionmaker[Session]) -> int:
    with seeded() as db:
        return int(db.scalar(select(func.count()).select_from(OutboxMessage)) or 0)


def own_fingerprint(settings: Settings, seeded: sessionmaker[Session]) -> str:
    with unit_of_work(seeded) as db:
        return keys.public_of(keys.ensure_node_key(db, settings)).fingerprint()


def log_rows(html: str) -> list[str]:
    region = html[html.index('id="message-log"') :]
    return re.findall(r'<tr class="log-row[^"]*">(.*?)</tr>', region, flags=re.S)


def test_admin_pings_a_peer_and_follows_it_in_the_log(
    client: TestClient,
    india: str,
    settings: Settings,
    seeded: sessionmaker[Session],
) -> None:
    token = sign_in(client, "ca-admin")
    home = client.get("/", headers=HTML)
    assert 'href="/federation/peers"' in home.text
    assert 'href="/federation/messages"' in home.text

    page = client.get("/federation/peers", headers=HTML)
    assert page.status_code == 200
    assert "India (IN)" in page.text
    assert "liaison-in" in page.text
    assert format_fingerprint(india) in page.text
    # This node's own fingerprint, grouped for reading aloud to the peer's operator.
    assert format_fingerprint(own_fingerprint(settings, seeded)) in page.text
    assert '<strong class="queue-depth">0</strong>' in page.text
    assert 'action="/federation/peers/IN/ping"' in page.text

    pinged = client.post(
        "/federation/peers/IN/ping",
        data={"csrf_token": token},
        headers=HTML,
        follow_redirects=False,
    )
    assert pinged.status_code == 303
    assert pinged.headers["location"] == "/federation/peers?pinged=IN"
    page = client.get(pinged.headers["location"], headers=HTML)
    assert "Ping queued for India (IN)" in page.text
    assert '<strong class="queue-depth">1</strong>' in page.text
    assert "oldest queued" in page.text

    log = client.get("/federation/messages", headers=HTML)
    assert log.status_code == 200
    rows = log_rows(log.text)
    assert len(rows) == 1
    assert "federation.ping" in rows[0]
    assert "Outgoing" in rows[0]
    assert "badge--queued" in rows[0]
    assert ">Queued<" in rows[0]
    assert "None yet" in rows[0]  # no signed receipt before delivery

    for query in ("status=queued", "peer=IN&direction=out", "type=federation.ping", "peer=in"):
        assert len(log_rows(client.get(f"/federation/messages?{query}", headers=HTML).text)) == 1
    for query in ("status=delivered", "direction=in", "type=directory.agency_upsert"):
        filtered = client.get(f"/federation/messages?{query}", headers=HTML)
        assert filtered.status_code == 200
        assert log_rows(filtered.text) == []
        assert "No messages match these filters" in filtered.text
    # The plain GET form submits empty fields for "any".
    everything = client.get("/federation/messages?peer=&direction=&status=&type=", headers=HTML)
    assert len(log_rows(everything.text)) == 1


def test_htmx_filter_answers_the_page_with_the_log_region(client: TestClient, india: str) -> None:
    token = sign_in(client, "ca-admin")
    client.post("/federation/peers/IN/ping", data={"csrf_token": token}, headers=HTML)
    answer = client.get(
        "/federation/messages?status=queued", headers={**HTML, "HX-Request": "true"}
    )
    assert answer.status_code == 200
    # hx-select picks these out of the answer; the form pushes the filtered URL.
    assert 'hx-select="#message-log"' in answer.text
    assert 'hx-push-url="true"' in answer.text
    assert "1 message shown" in answer.text
    assert len(log_rows(answer.text)) == 1


def test_retrying_and_refused_rows_show_their_detail(
    client: TestClient, india: str, seeded: sessionmaker[Session]
) -> None:
    with unit_of_work(seeded) as db:
        retrying = control.ping(db, "IN", "first")
        retrying.attempts = 3
        retrying.last_error = "ConnectError: <connection refused>"
        refused = control.ping(db, "IN", "second")
        refused.status = "refused"
        refused.delivered_at = clock.now()
        refused.receipt = "{}"
        refused.receipt_status = "refused"
        refused.receipt_reason = "policy_refused"
        refused.last_error = "rule in.no_pings forbids it"
        db.add(
            Refusal(
                claimed_party=None,
                envelope_id=None,
                reason="bad_signature",
                detail="the signature does not verify",
                remote_addr="203.0.113.9",
            )
        )
    sign_in(client, "ca-officer")
    page = client.get("/federation/messages", headers=HTML)
    text = page.text
    assert len(log_rows(text)) == 3
    assert "badge--retrying" in text
    assert "Last error:" in text
    assert "ConnectError: &lt;connection refused&gt;" in text  # escaped, never markup
    assert "<code>policy_refused</code>" in text
    assert "rule in.no_pings forbids it" in text
    assert "<code>bad_signature</code>" in text
    assert "the signature does not verify" in text
    signed = [row for row in log_rows(text) if "Signed" in row]
    assert len(signed) == 2  # the peer's refusal receipt and ours for the bad envelope

    refusals = client.get("/federation/messages?status=refused", headers=HTML).text
    assert len(log_rows(refusals)) == 2
    incoming = log_rows(client.get("/federation/messages?direction=in", headers=HTML).text)
    assert len(incoming) == 1
    assert "Incoming" in incoming[0]
    assert ">unknown<" in incoming[0]
    retrying_only = client.get("/federation/messages?status=retrying", headers=HTML).text
    assert len(log_rows(retrying_only)) == 1
    assert "ConnectError" in retrying_only
    assert "<td>3</td>" in log_rows(retrying_only)[0]  # failed delivery attempts


@pytest.mark.parametrize("status", get_args(MessageStatus))
def test_every_status_is_a_valid_filter(client: TestClient, status: str) -> None:
    sign_in(client, "ca-officer")
    answer = client.get(f"/federation/messages?status={status}", headers=HTML)
    assert answer.status_code == 200
    assert f'<option value="{status}" selected>' in answer.text


@pytest.mark.parametrize(
    "query",
    [
        "status=bogus",
        "direction=sideways",
        "peer=CAN",
        "peer=C1",
        "type=Not%20A%20Type",
        "type=" + "a" * 101,
    ],
)
def test_bad_filters_answer_the_422_page(client: TestClient, query: str) -> None:
    sign_in(client, "ca-admin")
    answer = client.get(f"/federation/messages?{query}", headers=HTML)
    assert answer.status_code == 422
    assert answer.headers["content-type"].startswith("text/html")
    assert "<h1>Validation failed</h1>" in answer.text
    assert 'href="/federation/messages"' in answer.text  # navigation kept


def test_bad_peer_in_ping_path_is_422_and_unknown_peer_404(
    client: TestClient, seeded: sessionmaker[Session]
) -> None:
    token = sign_in(client, "ca-admin")
    bad = client.post("/federation/peers/CAN/ping", data={"csrf_token": token}, headers=HTML)
    assert bad.status_code == 422
    unknown = client.post("/federation/peers/IN/ping", data={"csrf_token": token}, headers=HTML)
    assert unknown.status_code == 404
    assert "No peer for party IN" in unknown.text
    assert queued(seeded) == 0


def test_node_without_peers_says_how_to_pin_one(client: TestClient) -> None:
    sign_in(client, "ca-admin")
    page = client.get("/federation/peers", headers=HTML)
    assert "No peers are pinned yet" in page.text
    assert "liaison peer add --party IN --url" in page.text
    assert "--fingerprint" in page.text
    log = client.get("/federation/messages", headers=HTML)
    assert "No messages yet" in log.text


@pytest.mark.parametrize("username", ["ca-viewer", "ca-analyst", "ca-legal"])
def test_other_roles_get_403_and_no_navigation(
    client: TestClient, india: str, username: str
) -> None:
    sign_in(client, username)
    home = client.get("/", headers=HTML)
    assert home.status_code == 200
    assert "/federation/" not in home.text
    for path in ("/federation/peers", "/federation/messages", "/federation"):
        answer = client.get(path, headers=HTML, follow_redirects=False)
        assert answer.status_code == 403, path
        assert "<h1>Forbidden</h1>" in answer.text
        assert "administrators and liaison officers" in answer.text
        assert format_fingerprint(india) not in answer.text


def test_liaison_officer_reads_but_may_not_ping(
    client: TestClient, india: str, seeded: sessionmaker[Session]
) -> None:
    token = sign_in(client, "ca-officer")
    page = client.get("/federation/peers", headers=HTML)
    assert page.status_code == 200
    assert "India (IN)" in page.text
    assert "/ping" not in page.text
    answer = client.post("/federation/peers/IN/ping", data={"csrf_token": token}, headers=HTML)
    assert answer.status_code == 403
    assert "Only an administrator may ping" in answer.text
    assert queued(seeded) == 0


def test_ping_without_csrf_token_is_refused_and_queues_nothing(
    client: TestClient, india: str, seeded: sessionmaker[Session]
) -> None:
    sign_in(client, "ca-admin")
    for data in ({}, {"csrf_token": "forged"}):
        answer = client.post("/federation/peers/IN/ping", data=data, headers=HTML)
        assert answer.status_code == 403
        assert "CSRF token" in answer.text
    assert queued(seeded) == 0
    page = client.get("/federation/peers", headers=HTML)
    assert '<strong class="queue-depth">0</strong>' in page.text


def test_signed_out_browser_is_sent_to_sign_in(client: TestClient) -> None:
    answer = client.get("/federation/messages?status=queued", headers=HTML, follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/login?next=%2Ffederation%2Fmessages%3Fstatus%3Dqueued"


def test_metrics_show_the_queue_depth_per_peer(client: TestClient, india: str) -> None:
    token = sign_in(client, "ca-admin")
    client.post("/federation/peers/IN/ping", data={"csrf_token": token}, headers=HTML)
    answer = client.get("/metrics")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/plain")
    assert 'liaison_outbox_queue_depth{peer="IN"} 1.0' in answer.text
    families = {f.name: f for f in text_string_to_metric_families(answer.text)}
    depth = families["liaison_outbox_queue_depth"].samples
    assert [(s.labels, s.value) for s in depth] == [({"peer": "IN"}, 1.0)]
    oldest = families["liaison_outbox_oldest_pending_seconds"].samples
    assert [s.labels for s in oldest] == [{"peer": "IN"}]
    assert oldest[0].value >= 0


def test_message_log_hides_audit_checkpoints_unless_asked(
    client: TestClient, india: str, seeded: sessionmaker[Session]
) -> None:
    with unit_of_work(seeded) as db:
        outbox.enqueue(db, "audit.checkpoint", {"at": "2026-02-07T12:00:00Z"}, peers=["IN"])
        outbox.enqueue(db, "federation.ping", {"note": "hello"}, peers=["IN"])
    sign_in(client, "ca-admin")
    default = log_rows(client.get("/federation/messages", headers=HTML).text)
    assert len(default) == 1
    assert "federation.ping" in default[0]
    shown = client.get("/federation/messages?checkpoints=true", headers=HTML).text
    assert "audit.checkpoint" in "".join(log_rows(shown))
    assert 'id="checkpoints" name="checkpoints" value="true" checked' in shown
    named = log_rows(client.get("/federation/messages?type=audit.checkpoint", headers=HTML).text)
    assert len(named) == 1
