"""Canada checks identifiers against India's holdings, both nodes in this process: hits,
misses, near misses, TLP:RED and the indexing policy, purge, quotas, forged and
replayed queries, the confirm-match step, and no plaintext on India's side."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from sqlalchemy import MetaData, select

from liaison import domains
from liaison.federation import direct, keys
from liaison.federation.delivery import recipient_key
from liaison.hitcheck import bulk_jobs, index, wire
from liaison.hitcheck.identifiers import Identifier, keys_of
from liaison.hitcheck.psi import Blinded
from liaison.kit.db import unit_of_work
from liaison.models import AuditEntry, Message, Peer
from liaison.retention.service import erase
from tests.exchange import payloads
from tests.support.pair import AppNode
from tests.support.web import HTML, sign_in

GURPREET = {
    "kind": "person",
    "name": "गुरप्रीत सिंह",
    "date_of_birth": "1994-05-17",
    "documents": [{"type": "study_permit", "number": "F301234567", "country": "CA"}],
}
PHONE = {"kind": "phone", "number": "+91 98765 43210"}
RED_PHONE = {"kind": "phone", "number": "+91 99887 76655"}
EMAIL = {"kind": "email", "address": "mule.recruiter@example.in"}
UPI = {"kind": "bank_account", "upi": "Mule.Acct-7@OKAXIS"}
MISS_PHONE = "+1 604 555 0199"
PURPOSE = "fraud: study-permit acceptance letters"


def _agencies(node: AppNode, username: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for party in ("CA", "IN"):
        rows = node.client.get(
            "/api/v1/agencies",
            params={"party": party, "limit": 100},
            headers=node.headers(username),
        ).json()
        found |= {f"{party}:{row['acronym']}": row["id"] for row in rows}
    return found


def _india_sends(india: AppNode, entities: list[dict[str, Any]], tlp: str = "AMBER") -> str:
    agencies = _agencies(india, "in-officer")
    body = payloads.compose(
        agencies,
        from_agency_id=agencies["IN:NCB"],
        to_agency_id=agencies["CA:RCMP"],
        entities=entities,
        markings=payloads.markings(tlp=tlp, named_recipients=[agencies["CA:RCMP"]]),
    )
    sent = india.client.post(
        "/api/v1/exchange/cases", json=body, headers=india.headers("in-officer")
    )
    assert sent.status_code == 201, sent.text
    return str(sent.json()["id"])


def _index(node: AppNode) -> None:
    with unit_of_work(node.factory) as db:
        index.catch_up(db, node.settings)


def _check(canada: AppNode, *items: dict[str, Any], user: str = "ca-officer") -> Any:
    return canada.client.post(
        "/api/v1/hitcheck/checks",
        json={"purpose": PURPOSE, "legal_basis": "police_cooperation", "identifiers": list(items)},
        headers=canada.headers(user),
    )


def _results(canada: AppNode, *items: dict[str, Any]) -> list[str]:
    answer = _check(canada, *items)
    assert answer.status_code == 200, answer.text
    return [row["result"] for row in answer.json()["rows"]]


@pytest.fixture
def nodes(pair: tuple[AppNode, AppNode]) -> tuple[AppNode, AppNode]:
    canada, india = pair
    canada.client.app.state.hitcheck_http = india.client  # type: ignore[attr-defined]
    india.settings.hitcheck_indexed_categories = [
        c for c in india.settings.hitcheck_indexed_categories if c != "email"
    ]
    return canada, india


def test_checks_between_two_nodes(
    nodes: tuple[AppNode, AppNode],
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """One pair of nodes for all scenarios (a node pair is the expensive part)."""
    caplog.set_level(logging.DEBUG)
    hits_misses_red_policy_purge_and_no_plaintext_on_the_answering_side(*nodes, caplog)
    quota_forged_and_replayed_queries_and_the_confirm_match_step(*nodes)
    a_bulk_check_shows_its_progress_then_its_result_file(*nodes, monkeypatch)


BULK = "category,value,country\nphone,+91 98765 43210,\nphone,+1 604 555 0199,\nupi,ravi,\n"


def a_bulk_check_shows_its_progress_then_its_result_file(
    canada: AppNode, india: AppNode, monkeypatch: pytest.MonkeyPatch
) -> None:
    """India holds PHONE (sent in the quota scenario)."""
    canada.settings.hitcheck_officer_daily_quota = 100
    started: list[tuple[Any, ...]] = []
    monkeypatch.setattr(bulk_jobs, "run", lambda *args: started.append(args))
    monkeypatch.setattr(bulk_jobs, "CHUNK", 1)  # one round trip per row: progress per row
    canada.client.cookies.clear()
    csrf = sign_in(canada.client, "ca-officer", "/hitcheck")
    posted = canada.client.post(
        "/hitcheck/bulk",
        data={"csrf_token": csrf, "purpose": PURPOSE, "legal_basis": "police_cooperation"},
        files={"file": ("applications.csv", BULK.encode(), "text/csv")},
        headers=HTML,
        follow_redirects=False,
    )
    assert posted.status_code == 303, posted.text
    job_page = posted.headers["location"]
    running = canada.client.get(job_page, headers=HTML)
    assert "<strong>0</strong> of 3 rows checked" in running.text
    assert 'id="bulk-progress" max="3" value="0"' in running.text
    assert 'hx-trigger="every 1s"' in running.text  # the page polls while it runs
    assert "Download results" not in running.text

    monkeypatch.undo()
    monkeypatch.setattr(bulk_jobs, "CHUNK", 1)
    bulk_jobs.run(*started[0])  # what the background task does after the answer
    done = canada.client.get(job_page, headers=HTML)
    assert "Done: 3 rows checked." in done.text
    assert 'hx-trigger="every 1s"' not in done.text
    assert "1</strong> hit of 2 identifiers" in done.text
    result = canada.client.get(f"{job_page}/results.csv")
    assert result.text.splitlines() == [
        "row,category,value,result,error",
        "1,phone,+91 98765 43210,hit,",
        "2,phone,+1 604 555 0199,no_hit,",
        "3,upi,ravi,invalid,\"upi 'ravi': is not a UPI id (name@handle, e.g. ravi.kumar@okaxis)\"",
    ]
    officer = canada.headers("ca-officer") | HTML
    canada.client.post("/language", data={"language": "fr", "next": "/"}, headers=officer)
    french = canada.client.get(job_page, headers=HTML)  # the reason in the reader's language
    assert "identifiant UPI (nom@identifiant, p. ex. ravi.kumar@okaxis)" in french.text
    assert "is not a UPI id" not in french.text
    assert canada.client.get(f"{job_page}/results.csv").text == result.text  # the file: English
    canada.client.post("/language", data={"language": "en", "next": "/"}, headers=officer)
    with unit_of_work(canada.factory) as db:  # one audited round trip per chunk
        sent = db.scalars(select(AuditEntry).where(AuditEntry.action == "hitcheck.query.sent"))
        assert len(sent.all()) >= 2
    canada.client.cookies.clear()
    sign_in(canada.client, "ca-analyst", "/hitcheck")
    assert canada.client.get(job_page, headers=HTML).status_code == 404  # the owner's only
    canada.client.cookies.clear()


def hits_misses_red_policy_purge_and_no_plaintext_on_the_answering_side(
    canada: AppNode, india: AppNode, caplog: pytest.LogCaptureFixture
) -> None:
    held = _india_sends(india, [GURPREET, PHONE, EMAIL, UPI])
    _india_sends(india, [RED_PHONE], tlp="RED")
    _index(india)
    with unit_of_work(india.factory) as db:
        live = index.status(db).live
    _index(india)  # a second pass re-reads recent rows and adds nothing twice
    with unit_of_work(india.factory) as db:
        assert index.status(db).live == live

    rows = _results(
        canada,
        {"category": "phone", "value": "098765 43210", "country": "IN"},  # a variant of PHONE
        {"category": "phone", "value": MISS_PHONE},
        {"category": "person", "value": "Gurpreet Singh", "date_of_birth": "1994-05-17"},
        {"category": "person", "value": "Gurpreet Singh", "date_of_birth": "1994-05-18"},
        {"category": "study_permit", "value": "f30 1234 567", "country": "CA"},
        {"category": "phone", "value": RED_PHONE["number"]},  # held, but TLP:RED
        {"category": "email", "value": EMAIL["address"]},  # held, but India does not index e-mail
        {"category": "phone", "value": "12"},
        {"category": "upi", "value": " mule.acct-7@okaxis"},  # a UPI id, case-folded
        {"category": "upi", "value": "mule.acct-7@oksbi"},  # another bank's handle
    )
    assert rows == [
        *("hit", "no_hit", "hit", "no_hit", "hit", "no_hit", "no_hit", "invalid"),
        *("hit", "no_hit"),
    ]

    answer = _check(canada, {"category": "phone", "value": "+91 98765-43210"}).json()
    assert answer["rows"][0]["follow_up"].startswith("/exchange/compose?")
    assert "entity_value=%2B91+98765-43210" in answer["rows"][0]["follow_up"]
    sign_in(canada.client, "ca-officer")
    draft = canada.client.get(answer["rows"][0]["follow_up"], headers=HTML)
    assert 'value="+91 98765-43210"' in draft.text  # the draft request, pre-filled
    assert "Follow-up of hit/no-hit check" in draft.text

    # India audits the answers with counts, purpose and legal basis; it never holds what was asked.
    with unit_of_work(india.factory) as db:
        answered = db.scalars(
            select(AuditEntry).where(AuditEntry.action == "hitcheck.query.answered")
        ).all()
        assert [e.actor for e in answered] == ["node:CA", "node:CA"]
        assert '"count":1' in answered[1].detail_json
        assert PURPOSE in answered[1].detail_json
        dump = _everything_in(db)
    assert "+919876543210" in dump  # India's own record: the dump does see stored text
    asked = keys_of(Identifier(category="phone", value=MISS_PHONE))[0].split(":", 1)[1]
    for secret in (asked, "6045550199", "1994-05-18"):
        assert secret not in dump, f"India's database holds {secret}"
        assert all(secret not in r.getMessage() for r in caplog.records)

    # Purged at India: the next check no longer hits.
    with unit_of_work(india.factory) as db:
        erase(db, domains.registry().purge_rules, "system", "exchange.message", held, reason="t")
    _index(india)
    assert _results(canada, {"category": "phone", "value": PHONE["number"]}) == ["no_hit"]


def _everything_in(db: Any) -> str:
    metadata = MetaData()
    metadata.reflect(bind=db.connection())
    text = []
    for table in metadata.sorted_tables:
        for row in db.execute(select(table)).all():
            text.append(repr(tuple(row)))
    return "\n".join(text)


def quota_forged_and_replayed_queries_and_the_confirm_match_step(
    canada: AppNode, india: AppNode
) -> None:
    message_id = _india_sends(india, [PHONE])
    _index(india)

    canada.settings.hitcheck_officer_daily_quota = 2
    phone = {"category": "phone", "value": PHONE["number"]}
    assert _check(canada, phone, user="ca-analyst").json()["rows"][0]["result"] == "hit"
    over = _check(
        canada,
        *[{"category": "phone", "value": f"+9198765432{n:02d}"} for n in range(2)],
        user="ca-analyst",
    )
    assert over.status_code == 429
    assert "officer quota" in over.json()["detail"]
    canada.settings.hitcheck_agency_daily_quota = 1  # the analyst's agency (CBSA) used 1
    over = _check(canada, phone, user="ca-analyst")
    assert over.status_code == 429
    assert "agency quota" in over.json()["detail"]
    canada.settings.hitcheck_agency_daily_quota = 1000
    canada.settings.hitcheck_officer_daily_quota = 1000
    india.settings.hitcheck_peer_daily_quota = 0  # India's own limit on what Canada asks
    refused = _check(canada, phone)
    assert refused.status_code == 502
    assert "HTTP 429" in refused.json()["detail"]
    india.settings.hitcheck_peer_daily_quota = 1000

    sealed = _sealed_query(canada, india)
    first = india.client.post(wire.PATH, content=sealed)
    assert first.status_code == 200, first.text
    replay = india.client.post(wire.PATH, content=sealed)
    assert replay.status_code == 400
    assert "answered before" in replay.json()["detail"]
    forged = bytearray(_sealed_query(canada, india))
    position = forged.index(b'"ciphertext":"') + 20
    forged[position] = ord("A") if forged[position] != ord("A") else ord("B")
    refused = india.client.post(wire.PATH, content=bytes(forged))
    assert refused.status_code == 400
    assert "signature" in refused.json()["detail"]
    with unit_of_work(india.factory) as db:
        reasons = [
            e.detail_json
            for e in db.scalars(
                select(AuditEntry).where(AuditEntry.action == "hitcheck.query.refused")
            )
        ]
    assert any("replayed" in r for r in reasons)
    assert any("bad_signature" in r for r in reasons)

    # After the follow-up names the phone, India's officer finds the record and confirms.
    identifier = {"category": "phone", "value": "+91 98765 43210"}
    found = india.client.post(
        "/api/v1/hitcheck/matches", json=identifier, headers=india.headers("in-officer")
    )
    assert [m["message_id"] for m in found.json()] == [message_id]
    confirmed = india.client.post(
        "/api/v1/hitcheck/confirmations",
        json={"identifier": identifier, "message_id": message_id, "confirmed": True},
        headers=india.headers("in-officer"),
    )
    assert confirmed.status_code == 201, confirmed.text
    with unit_of_work(india.factory) as db:
        assert (
            db.scalar(
                select(AuditEntry.actor).where(AuditEntry.action == "hitcheck.match.confirmed")
            )
            == "user:in-officer"
        )
        assert db.get(Message, message_id) is not None

    # The same step on the web page: find the record, then record "not a match".
    csrf = sign_in(india.client, "in-officer", "/hitcheck/confirm")
    form = {"csrf_token": csrf, "category": "phone", "value": "+919876543210"}
    page = india.client.post("/hitcheck/confirm", data=form, headers=HTML)
    assert f'value="rejected {message_id}"' in page.text
    decided = india.client.post(
        "/hitcheck/confirm", data=form | {"decision": f"rejected {message_id}"}, headers=HTML
    )
    assert "Recorded: match rejected." in decided.text
    with unit_of_work(india.factory) as db:
        rejected = select(AuditEntry.object_id).where(
            AuditEntry.action == "hitcheck.match.rejected"
        )
        assert db.scalar(rejected) == message_id


def _sealed_query(canada: AppNode, india: AppNode) -> bytes:
    with unit_of_work(canada.factory) as db:
        peer = db.get_one(Peer, "IN")
        payload = wire.QueryPayload(
            purpose=PURPOSE,
            legal_basis="police_cooperation",
            points=wire.pack(Blinded(["phone:+919876543210"]).points),
            epoch=0,
            version=0,
        )
        signer = keys.keypair(db, canada.settings)
        target = keys.public_of(recipient_key(db, peer))
        return direct.seal(canada.settings, wire.QUERY, payload, signer, peer, target)
