"""Times in the reader's zone: the party's default, a chosen zone, and a time typed in a
form read in the user's zone (the CERT-In 6-hour clock starts at the instant meant)."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from liaison.kit import clock
from liaison.kit.db import unit_of_work
from liaison.kit.security import hash_password
from liaison.models import Agency, CyberIncident, User
from liaison.users.auth import caller_for
from liaison.users.repository import find_login_user
from liaison.web import times
from tests.support.web import HTML, sign_in


def test_each_party_has_its_default_zone(seeded: sessionmaker[Session]) -> None:
    with unit_of_work(seeded) as db:
        ca_user = find_login_user(db, "ca-officer")
        assert ca_user is not None
        assert caller_for(db, ca_user).time_zone == "America/Toronto"
        agency = Agency(party_code="IN", name="Central Bureau of Investigation", acronym="CBI")
        db.add(agency)
        db.flush()
        in_user = User(
            username="in-visitor",
            display_name="Visiting officer",
            password_hash=hash_password("not-used-here-at-all"),
            role="analyst",
            agency_id=agency.id,
        )
        db.add(in_user)
        db.flush()
        assert caller_for(db, in_user).time_zone == "Asia/Kolkata"


def test_relative_deadlines_and_time_element() -> None:
    now = datetime(2026, 2, 10, 4, 30, tzinfo=UTC)
    assert times.relative(datetime(2026, 2, 10, 9, 30, tzinfo=UTC), now) == "due in 5 h"
    assert times.relative(datetime(2026, 2, 8, 4, 0, tzinfo=UTC), now) == "overdue by 2 d"
    assert times.relative(datetime(2026, 2, 10, 4, 42, tzinfo=UTC), now) == "due in 12 min"
    token = times.READER_ZONE.set("Asia/Kolkata")
    try:
        html = str(times.when(datetime(2026, 2, 10, 4, 30, tzinfo=UTC)))
        from_text = str(times.when("2026-02-10T04:30:00Z"))  # e.g. a certificate's time
    finally:
        times.READER_ZONE.reset(token)
    assert html == (
        '<time datetime="2026-02-10T04:30:00Z" title="2026-02-10 04:30 UTC">'
        "2026-02-10 10:00 IST</time>"
    )
    assert from_text == html


def test_indian_time_typed_sets_the_cert_in_deadline(
    client: TestClient, seeded: sessionmaker[Session]
) -> None:
    clock.set_clock(lambda: datetime(2026, 2, 10, 6, 30, tzinfo=UTC))  # 12:00 in New Delhi
    csrf = sign_in(client, "ca-analyst", "/preferences")
    saved = client.post(
        "/preferences",
        data={"csrf_token": csrf, "time_zone": "Asia/Kolkata", "language": "en"},
        headers=HTML,
    )
    assert saved.status_code == 200
    assert "Preferences saved" in saved.text
    assert "Asia/Kolkata (IST)" in saved.text
    form = client.get("/cyber", headers=HTML)
    assert "Your local time, Asia/Kolkata (IST)" in form.text
    created = client.post(
        "/cyber/incidents",
        data={
            "csrf_token": csrf,
            "title": "Phishing wave against a bank",
            "severity": "high",
            "detected_at": "2026-02-10T10:00",
            "reportable_cert_in": "true",
        },
        headers=HTML,
        follow_redirects=False,
    )
    assert created.status_code == 303, created.text
    page = client.get(created.headers["location"], headers=HTML)
    assert "2026-02-10 10:00 IST" in page.text  # detected, as typed
    assert 'title="2026-02-10 04:30 UTC"' in page.text
    due = page.text.split('id="cert-in-due"', 1)[1]
    assert 'title="2026-02-10 10:30 UTC">2026-02-10 16:00 IST</time>' in due
    assert "due in 4 h" in due
    # the timeline names people by name and agency, not by account id
    assert "— Demo analyst (" in page.text
    assert "user:CA:ca-analyst" not in page.text
    with unit_of_work(seeded) as db:
        incident = db.scalars(
            select(CyberIncident).where(CyberIncident.title == "Phishing wave against a bank")
        ).one()
        assert clock.as_utc(incident.detected_at) == datetime(2026, 2, 10, 4, 30, tzinfo=UTC)


def test_unknown_zone_is_refused_beside_the_field(client: TestClient) -> None:
    csrf = sign_in(client, "ca-officer", "/preferences")
    answer = client.post(
        "/preferences",
        data={"csrf_token": csrf, "time_zone": "Mars/Olympus", "language": "en"},
        headers=HTML,
    )
    assert answer.status_code == 422
    assert 'id="time_zone-error"' in answer.text
    assert "is not a time zone" in answer.text
