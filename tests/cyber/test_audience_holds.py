"""A RED object stays with its audience: nobody outside it rewrites or revokes it, the
TAXII status resource and incident timelines do not name it, and no account can take
the console's name (which CLI-written objects are shared with)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from liaison.cyber.service import HIDDEN_VERSION
from liaison.cyber.tlp import Tlp
from tests.cyber.stix import indicator
from tests.cyber.taxii import Headers, objects_url, post
from tests.support.web import HTML, sign_in


def test_writer_outside_the_audience_cannot_revoke_or_rewrite_a_red_object(
    client: TestClient, taxii: Headers, cccs: str
) -> None:
    red = indicator(1, tlp=Tlp.RED, modified="2026-02-08T00:00:00.000Z")
    post(client, taxii("ca-analyst"), cccs, red)
    revoked = {**red, "modified": "2026-02-09T00:00:00.000Z", "revoked": True}
    refused = post(client, taxii("ca-admin"), cccs, revoked)  # admins write, outside RED
    assert refused["success_count"] == 0
    assert refused["failures"] == [{"id": red["id"], "message": HIDDEN_VERSION}]
    url = f"{objects_url(cccs)}{red['id']}/"
    shown = client.get(url, headers=taxii("ca-analyst")).json()["objects"]
    assert [(o["modified"], o.get("revoked", False)) for o in shown] == [
        ("2026-02-08T00:00:00.000Z", False)
    ]
    # the audience itself may still version it, and the new version keeps the audience
    renamed = {**red, "modified": "2026-02-10T00:00:00.000Z", "name": "renamed"}
    assert post(client, taxii("ca-analyst"), cccs, renamed)["success_count"] == 1
    assert client.get(url, headers=taxii("ca-analyst")).json()["objects"][0]["name"] == "renamed"
    assert client.get(url, headers=taxii("ca-officer")).status_code == 404


def test_status_resource_is_its_requesters_only(
    client: TestClient, taxii: Headers, cccs: str
) -> None:
    red = indicator(2, tlp=Tlp.RED)
    status = post(client, taxii("ca-analyst"), cccs, red)
    url = f"/taxii2/cti/status/{status['id']}/"
    mine = client.get(url, headers=taxii("ca-analyst"))
    assert [s["id"] for s in mine.json()["successes"]] == [red["id"]]
    for outsider in ("ca-officer", "ca-admin", "ca-viewer"):
        other = client.get(url, headers=taxii(outsider))
        assert other.status_code == 404
        assert red["id"] not in other.text


def test_incident_timeline_does_not_name_objects_the_reader_may_not_see(
    client: TestClient, taxii: Headers, cccs: str
) -> None:
    red = indicator(3, tlp=Tlp.RED)
    post(client, taxii("ca-analyst"), cccs, red)
    csrf = sign_in(client, "ca-analyst")
    created = client.post(
        "/cyber/incidents",
        data={
            "csrf_token": csrf,
            "title": "Phishing wave",
            "severity": "high",
            "detected_at": "2026-02-07T10:00",
        },
        headers=HTML,
        follow_redirects=False,
    )
    url = created.headers["location"]
    linked = client.post(
        f"{url}/links",
        data={"csrf_token": csrf, "collection_id": cccs, "stix_id": red["id"]},
        headers=HTML,
        follow_redirects=False,
    )
    assert linked.status_code == 303
    assert red["id"] in client.get(url, headers=HTML).text  # the audience sees the link
    client.cookies.clear()
    sign_in(client, "ca-officer")
    page = client.get(url, headers=HTML)
    assert page.status_code == 200
    assert red["id"] not in page.text
    assert "linked an object marked beyond what you may see" in page.text
    assert "1 linked object is marked beyond what you may see" in page.text


def test_no_account_may_take_the_consoles_name(client: TestClient, taxii: Headers) -> None:
    admin = taxii("ca-admin")
    agency_id = client.get("/api/v1/agencies?party=CA", headers=admin).json()[0]["id"]
    for name in ("operator", "Operator", "system"):
        response = client.post(
            "/api/v1/users",
            json={
                "username": name,
                "display_name": "Looks like the console",
                "password": "correct horse battery",
                "role": "analyst",
                "agency_id": agency_id,
            },
            headers={"Authorization": admin["Authorization"]},
        )
        assert response.status_code == 422, response.text
        error = response.json()["errors"][0]
        assert error["field"] == "username"
        assert "reserved" in error["message"]
