"""Cyber pages through the real sign-in form: browse collections and objects, and an
incident record with timeline, linked objects and the CERT-In 6-hour reminder."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi.testclient import TestClient

from liaison.cyber.tlp import Tlp
from liaison.kit import clock
from tests.cyber.corpora import objects_of
from tests.cyber.stix import indicator
from tests.cyber.taxii import Headers, post
from tests.support.web import HTML, sign_in


def test_browse_collection_object_and_red_stays_hidden(
    client: TestClient, taxii: Headers, cccs: str
) -> None:
    red = indicator(7, tlp=Tlp.RED, name="Red-only indicator")
    post(client, taxii("ca-analyst"), cccs, red)
    sign_in(client, "ca-officer", "/cyber")
    home = client.get("/cyber", headers=HTML)
    assert "CCCS indicators" in home.text
    page = client.get(f"/cyber/collections/{cccs}", headers=HTML)
    assert page.status_code == 200
    assert "Credential-harvesting URL" in page.text  # a seeded indicator
    assert "Red-only indicator" not in page.text
    hidden = client.get(f"/cyber/collections/{cccs}/objects/{red['id']}", headers=HTML)
    assert hidden.status_code == 404
    client.cookies.clear()
    sign_in(client, "ca-analyst", "/cyber")
    shown = client.get(f"/cyber/collections/{cccs}/objects/{red['id']}", headers=HTML)
    assert shown.status_code == 200
    assert "TLP:RED" in shown.text
    assert "ipv4-addr:value = &#39;10.0.0.7&#39;" in shown.text


def test_incident_with_cert_in_clock_timeline_and_links(
    client: TestClient, taxii: Headers, cccs: str
) -> None:
    # 17:00 in Ottawa (EST, UTC-5), where the analyst reads and types times
    clock.set_clock(lambda: datetime(2026, 2, 7, 22, 0, tzinfo=UTC))
    linked = indicator(8, name="Linked indicator")
    post(client, taxii("ca-analyst"), cccs, linked)
    csrf = sign_in(client, "ca-analyst", "/cyber")
    created = client.post(
        "/cyber/incidents",
        data={
            "csrf_token": csrf,
            "title": "Ransomware at a port operator",
            "severity": "high",
            "detected_at": "2026-02-07T10:00",
            "reportable_cert_in": "true",
            "summary": "Joint response",
        },
        headers=HTML,
        follow_redirects=False,
    )
    assert created.status_code == 303, created.text
    url = created.headers["location"]
    page = client.get(url, headers=HTML)
    assert "2026-02-07 16:00 EST</time>" in page.text  # 6 hours after 10:00 EST
    assert "overdue" in page.text
    entry = client.post(
        f"{url}/entries",
        data={"csrf_token": csrf, "kind": "task", "side": "IN", "text": "CERT-In to block C2"},
        headers=HTML,
        follow_redirects=False,
    )
    assert entry.status_code == 303
    link = client.post(
        f"{url}/links",
        data={"csrf_token": csrf, "collection_id": cccs, "stix_id": linked["id"]},
        headers=HTML,
        follow_redirects=False,
    )
    assert link.status_code == 303
    missing = client.post(
        f"{url}/links",
        data={
            "csrf_token": csrf,
            "collection_id": cccs,
            "stix_id": "indicator--00000000-0000-4000-8000-000000000000",
        },
        headers=HTML,
    )
    assert missing.status_code == 404
    reported = client.post(
        f"{url}/status",
        data={"csrf_token": csrf, "action": "reported"},
        headers=HTML,
        follow_redirects=False,
    )
    assert reported.status_code == 303
    page = client.get(url, headers=HTML)
    assert "CERT-In to block C2" in page.text
    assert linked["id"] in page.text
    assert 'reported <time datetime="2026-02-07T22:00:00Z"' in page.text
    assert "2026-02-07 17:00 EST</time>" in page.text
    assert "overdue" not in page.text
    bad = client.post(
        "/cyber/incidents",
        data={"csrf_token": csrf, "title": "", "severity": "high", "detected_at": "yesterday"},
        headers=HTML,
    )
    assert bad.status_code == 422
    assert "detected_at" in bad.text


def test_uuid5_object_is_stored_with_its_warning_shown(
    client: TestClient, taxii: Headers, cccs: str
) -> None:
    """An OpenCTI-style object (UUIDv5 id) is accepted; the SHOULD finding is in the
    TAXII status and on the object's page."""
    opencti = next(o for o in objects_of("opencti-style.json") if o["type"] == "indicator")
    status = post(client, taxii("ca-analyst"), cccs, opencti)
    assert status["failure_count"] == 0
    assert "SHOULD be version 4" in status["successes"][0]["message"]
    sign_in(client, "ca-analyst", "/cyber")
    page = client.get(f"/cyber/collections/{cccs}/objects/{opencti['id']}", headers=HTML)
    assert page.status_code == 200
    assert "Validation warnings" in page.text
    assert "SHOULD be version 4 (random), not 5" in page.text
