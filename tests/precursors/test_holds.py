"""A notification the policy holds for legal review goes to the review queue like an
exchange message: stored held, nothing sent, then sent when a legal reviewer approves
or withdrawn when the reviewer refuses. An import's held rows are one review item;
a seizure's case message is held by the exchange. An answer to a notification is held the
same way (not refused)."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from liaison.kit.db import unit_of_work
from liaison.models import Message, OutboxMessage, PrecursorNotice
from liaison.policy.packs import shipped_sources
from tests.precursors import payloads
from tests.precursors.test_incidents import SEIZURE
from tests.support.fixtures_db import Headers
from tests.support.pair import AppNode, exchange
from tests.support.peering import pin_peer_with_agencies
from tests.support.web import HTML, sign_in

HOLD_RED_PEN = """
[[rule]]
id = "ca.test.red_pen_review"
description = "A TLP:RED pre-export notification goes to legal review in this test version"
citation = "Test directive 16"
explanation = "TLP:{tlp} notification of a precursor: a legal reviewer decides."
effect = "obligation"
when = '''context.direction == "outbound" && context.sender_party == "CA" &&
  context.tlp == "RED" && context.offences.contains("precursor_diversion")'''

[rule.obligation]
kind = "legal_review"
detail = "Legal review: a TLP:RED notification of a precursor."
"""


def _outbox(factory: sessionmaker[Session]) -> int:
    with unit_of_work(factory) as db:
        query = select(func.count()).where(OutboxMessage.type == "precursors.notices")
        return int(db.scalar(query) or 0)


def _statuses(factory: sessionmaker[Session], batch: str) -> list[str]:
    with unit_of_work(factory) as db:
        query = select(PrecursorNotice.status).where(PrecursorNotice.import_batch == batch)
        return sorted(db.scalars(query))


def _decide(
    client: TestClient, legal: dict[str, str], object_id: str, status: str, reasons: str
) -> None:
    """The legal reviewer finds the held item in the queue and decides on it."""
    queue = client.get("/api/v1/policy/reviews", params={"status": "held"}, headers=legal)
    assert queue.status_code == 200, queue.text
    item = next(r for r in queue.json() if r["object_id"] == object_id)
    assert "legal_review" in {o["kind"] for o in item["decision"]["obligations"]}
    decided = client.post(
        f"/api/v1/policy/reviews/{item['id']}/decide",
        json={"status": status, "reasons": reasons},
        headers=legal,
    )
    assert decided.status_code == 200, decided.text


def test_held_notification_waits_for_the_legal_reviewer_and_an_import_is_one_review(
    client: TestClient, seeded: sessionmaker[Session], auth_headers: Headers
) -> None:
    with unit_of_work(seeded) as db:
        pin_peer_with_agencies(db, "IN")
    admin, officer, legal = (auth_headers(u) for u in ("ca-admin", "ca-officer", "ca-legal"))
    source = shipped_sources()["ca.toml"].replace('version = "2026.12.1"', 'version = "2026.12.9"')
    loaded = client.post(
        "/api/v1/policy/packs", json={"source": source + HOLD_RED_PEN}, headers=admin
    )
    assert loaded.status_code == 201, loaded.text
    activated = client.post(f"/api/v1/policy/packs/{loaded.json()['id']}/activate", headers=admin)
    assert activated.status_code == 200, activated.text

    body = payloads.notice(importing_party="IN", exporter_country="CA") | {
        "markings": {"tlp": "RED"}
    }
    sent = client.post("/api/v1/precursors/notices", json=body, headers=officer)
    assert sent.status_code == 201, sent.text  # not a 409: it waits in the review queue
    notice = sent.json()
    assert notice["status"] == "held_for_review"
    assert _outbox(seeded) == 0
    _decide(client, legal, notice["id"], "approved", "Licensed exporter; risk assessed")
    assert _outbox(seeded) == 1
    after = client.get(f"/api/v1/precursors/notices/{notice['id']}", headers=officer).json()
    assert after["status"] == "sent"

    rows = [payloads.row(n, importing_country="IN", exporter_country="CA") for n in range(1, 4)]
    imported = client.post(
        "/api/v1/precursors/notices/import",
        headers=officer,
        files={"file": ("extract.csv", payloads.extract(rows), "text/csv")},
        data={"tlp": "RED", "legal_basis": "statute"},
    )
    assert imported.status_code == 201, imported.text
    report = imported.json()
    assert (report["imported"], report["held_for_review"]) == (3, 3)
    assert _statuses(seeded, report["batch_id"]) == ["held_for_review"] * 3
    assert _outbox(seeded) == 1
    _decide(client, legal, report["batch_id"], "refused", "No arrangement covers TLP:RED")
    assert _statuses(seeded, report["batch_id"]) == ["withdrawn"] * 3
    assert _outbox(seeded) == 1

    # A seizure reaches the peer as an exchange case: its message is held the same way.
    made = client.post(
        "/api/v1/precursors/incidents", json=SEIZURE | {"tlp": "RED"}, headers=officer
    )
    assert made.status_code == 201, made.text
    case = client.post(f"/api/v1/precursors/incidents/{made.json()['id']}/case", json={},
                       headers=officer)  # fmt: skip
    assert case.status_code == 201, case.text
    with unit_of_work(seeded) as db:
        query = select(Message.status).where(Message.case_id == case.json()["case_id"])
        assert list(db.scalars(query)) == ["held_for_review"]


def _answers_queued(node: AppNode) -> int:
    with unit_of_work(node.factory) as db:
        query = select(func.count()).where(OutboxMessage.type == "precursors.answer")
        return int(db.scalar(query) or 0)


def test_an_answer_the_policy_holds_waits_for_the_legal_reviewer(
    pair: tuple[AppNode, AppNode],
) -> None:
    """Canada's answer to India's TLP:RED notification is held (not refused with a 409):
    stored, unsent, until a legal reviewer approves; then India receives it."""
    canada, india = pair
    body = payloads.notice() | {"markings": {"tlp": "RED"}}
    sent = india.client.post(
        "/api/v1/precursors/notices", json=body, headers=india.headers("in-officer")
    )
    assert sent.status_code == 201, sent.text
    notice_id = sent.json()["id"]
    exchange(canada, india)
    admin = canada.headers("ca-admin")
    source = shipped_sources()["ca.toml"].replace('version = "2026.12.1"', 'version = "2026.12.9"')
    loaded = canada.client.post(
        "/api/v1/policy/packs", json={"source": source + HOLD_RED_PEN}, headers=admin
    )
    assert loaded.status_code == 201, loaded.text
    pack = loaded.json()["id"]
    assert canada.client.post(f"/api/v1/policy/packs/{pack}/activate", headers=admin).is_success

    url = f"/api/v1/precursors/notices/{notice_id}/answer"
    officer = canada.headers("ca-officer")
    answer = {"outcome": "objection", "reason": "Importer holds no licence"}
    held = canada.client.post(url, json=answer, headers=officer)
    assert held.status_code == 200, held.text  # not a 409: it waits in the review queue
    assert held.json()["status"] == "held_for_review"
    assert _answers_queued(canada) == 0
    again = canada.client.post(url, json=answer | {"outcome": "legitimate"}, headers=officer)
    assert again.status_code == 409, again.text
    sign_in(canada.client, "ca-officer")
    page = canada.client.get(f"/precursors/notices/{notice_id}", headers=HTML).text
    assert 'id="notice-status">Held for review' in page
    assert 'id="answer-form"' not in page  # the held answer is not offered again
    canada.client.cookies.clear()

    _decide(canada.client, canada.headers("ca-legal"), notice_id, "approved", "Risk assessed")
    after = canada.client.get(f"/api/v1/precursors/notices/{notice_id}", headers=officer).json()
    assert (after["status"], after["answer_reason"]) == ("objection", "Importer holds no licence")
    assert _answers_queued(canada) == 1
    exchange(canada, india)
    there = india.client.get(
        f"/api/v1/precursors/notices/{notice_id}", headers=india.headers("in-officer")
    ).json()
    assert there["status"] == "objection"
