"""Retention and deletion across two nodes, with real data: an officer's personal data
(name, contact channels) that India published to Canada's directory."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from liaison import domains
from liaison.kit import clock
from liaison.kit.db import unit_of_work
from liaison.models import AuditEntry, Officer, Tombstone
from liaison.retention import service as retention
from tests.support.pair import AppNode, exchange
from tests.support.web import HTML, web_login

NAME = "Asha Verma"


def _named_officer(india: AppNode, canada: AppNode) -> str:
    """India names its liaison officer; the record reaches Canada's directory."""
    headers = india.headers("in-admin")
    officer = next(
        o
        for o in india.client.get("/api/v1/officers", headers=headers).json()
        if o["host_party_code"] == "CA"
    )
    patched = india.client.patch(
        f"/api/v1/officers/{officer['id']}", json={"person_name": NAME}, headers=headers
    )
    assert patched.status_code == 200, patched.text
    exchange(india, canada)
    assert _name_at(canada, officer["id"]) == NAME
    return str(officer["id"])


def _name_at(node: AppNode, officer_id: str) -> str | None:
    with unit_of_work(node.factory) as db:
        return db.get_one(Officer, officer_id).person_name


def _requests(node: AppNode, username: str) -> list[dict]:  # type: ignore[type-arg]
    answer = node.client.get("/api/v1/retention/deletion-requests", headers=node.headers(username))
    assert answer.status_code == 200, answer.text
    rows: list[dict] = answer.json()  # type: ignore[type-arg]
    return rows


def _ask(india: AppNode, officer_id: str) -> dict:  # type: ignore[type-arg]
    sent = india.client.post(
        "/api/v1/retention/deletion-requests",
        json={
            "peer_party": "CA",
            "object_type": "directory.officer",
            "object_id": officer_id,
            "reason": "officer left the post; personal data no longer needed",
        },
        headers=india.headers("in-legal"),
    )
    assert sent.status_code == 201, sent.text
    row: dict = sent.json()  # type: ignore[type-arg]
    assert row["status"] == "sent"
    return row


def test_deletion_request_erases_and_returns_a_signed_certificate(
    pair: tuple[AppNode, AppNode],
) -> None:
    canada, india = pair
    officer_id = _named_officer(india, canada)
    request = _ask(india, officer_id)
    exchange(india, canada)

    assert _name_at(canada, officer_id) is None
    assert _name_at(india, officer_id) == NAME  # the originator keeps its own record
    with unit_of_work(canada.factory) as db:
        tombstone = db.scalars(select(Tombstone)).one()
        assert (tombstone.object_id, tombstone.origin_party) == (officer_id, "IN")
        assert tombstone.reason == "deletion_request"
        assert NAME not in tombstone.summary
        actions = db.scalars(select(AuditEntry.action).where(AuditEntry.object_id == officer_id))
        assert {"retention.erased", "retention.certificate.erased"} <= set(actions)
    at_india = next(r for r in _requests(india, "in-admin") if r["id"] == request["id"])
    assert at_india["status"] == "erased"
    assert at_india["certificate_verified"] is True
    certificate = at_india["certificate"]
    assert certificate["issued_by"] == "CA"
    assert certificate["requested_by"] == "IN"
    assert certificate["outcome"] == "erased"
    assert certificate["object_id"] == officer_id
    assert certificate["erased_at"]
    at_canada = next(r for r in _requests(canada, "ca-legal") if r["id"] == request["id"])
    assert (at_canada["direction"], at_canada["status"]) == ("inbound", "erased")

    # The originator's legal reviewer sees the certificate in the browser.
    assert web_login(india.client, "in-legal", "liaison-demo-in-legal") == 303
    assert 'href="/retention"' in india.client.get("/", headers=HTML).text
    page = india.client.get("/retention", headers=HTML)
    assert page.status_code == 200
    assert "Issued by CA" in page.text
    assert "signature verified" in page.text
    assert "outcome <strong>Erased</strong>" in page.text


def test_legal_hold_defers_erasure_until_released(pair: tuple[AppNode, AppNode]) -> None:
    canada, india = pair
    officer_id = _named_officer(india, canada)
    legal = canada.headers("ca-legal")
    hold = canada.client.post(
        "/api/v1/retention/holds",
        json={"object_type": "directory.officer", "object_id": officer_id, "reason": "court order"},
        headers=legal,
    )
    assert hold.status_code == 201, hold.text
    request = _ask(india, officer_id)
    exchange(india, canada)
    assert _name_at(canada, officer_id) == NAME
    held = next(r for r in _requests(india, "in-admin") if r["id"] == request["id"])
    assert (held["status"], held["certificate"]["outcome"]) == ("held", "held")

    released = canada.client.post(
        f"/api/v1/retention/holds/{hold.json()['id']}/release", headers=legal
    )
    assert released.status_code == 200, released.text
    exchange(canada, india)
    assert _name_at(canada, officer_id) is None
    done = next(r for r in _requests(india, "in-admin") if r["id"] == request["id"])
    assert (done["status"], done["certificate_verified"]) == ("erased", True)


def test_only_the_originator_may_ask_and_unknown_objects_are_certified_not_held(
    pair: tuple[AppNode, AppNode],
) -> None:
    canada, india = pair
    officer_id = _named_officer(india, canada)
    refused = canada.client.post(
        "/api/v1/retention/deletion-requests",
        json={
            "peer_party": "IN",
            "object_type": "directory.officer",
            "object_id": officer_id,
            "reason": "not ours to ask",
        },
        headers=canada.headers("ca-admin"),
    )
    assert refused.status_code == 422
    assert "only the originator" in refused.text
    viewer = india.client.get(
        "/api/v1/retention/deletion-requests", headers=india.headers("in-viewer")
    )
    assert viewer.status_code == 403


def test_purge_job_erases_after_the_period_but_not_under_hold(
    pair: tuple[AppNode, AppNode],
) -> None:
    canada, india = pair
    officer_id = _named_officer(india, canada)
    withdrawn = india.client.post(
        f"/api/v1/officers/{officer_id}/accreditation",
        json={"status": "withdrawn", "on": "2026-04-01"},
        headers=india.headers("in-admin"),
    )
    assert withdrawn.status_code == 200, withdrawn.text
    exchange(india, canada)
    legal = canada.headers("ca-legal")
    period = canada.client.put(
        "/api/v1/retention/periods",
        json={"party_code": "IN", "category": "directory.officer", "days": 90},
        headers=legal,
    )
    assert period.status_code == 200, period.text
    bad = canada.client.put(
        "/api/v1/retention/periods",
        json={"party_code": "IN", "category": "nonsense", "days": 90},
        headers=legal,
    )
    assert bad.status_code == 422
    assert "category" in bad.text

    def purge_on(day: date) -> list[Tombstone]:
        clock.set_clock(lambda: datetime.combine(day, datetime.min.time(), UTC))
        with unit_of_work(canada.factory) as db:
            return retention.purge(db, domains.registry().purge_rules)

    assert purge_on(date(2026, 6, 29)) == []  # 89 days after withdrawal
    hold = canada.client.post(
        "/api/v1/retention/holds",
        json={"object_type": "directory.officer", "object_id": officer_id, "reason": "inquiry"},
        headers=legal,
    ).json()
    assert purge_on(date(2026, 7, 15)) == []  # expired, but on hold
    assert _name_at(canada, officer_id) == NAME
    clock.reset_clock()
    canada.client.post(f"/api/v1/retention/holds/{hold['id']}/release", headers=legal)
    erased = purge_on(date(2026, 7, 15))
    assert [t.object_id for t in erased] == [officer_id]
    assert _name_at(canada, officer_id) is None
    assert purge_on(date(2026, 7, 16) + timedelta(days=1)) == []  # nothing left to erase


def test_retention_is_for_administrators_and_legal(pair: tuple[AppNode, AppNode]) -> None:
    canada, _ = pair
    for username in ("ca-officer", "ca-analyst", "ca-viewer"):
        headers = canada.headers(username)
        assert canada.client.get("/api/v1/retention/periods", headers=headers).status_code == 403
    legal = canada.headers("ca-legal")
    assert canada.client.get("/api/v1/retention/periods", headers=legal).json() == []
