"""The TAXII 2.1 server in process, on SQLite and PostgreSQL: media types, errors,
paging, versions and TLP enforcement."""

from __future__ import annotations

import base64

from fastapi.testclient import TestClient

from liaison.cyber.taxii_http import TAXII_MEDIA_TYPE
from liaison.cyber.tlp import Tlp
from tests.cyber.stix import indicator
from tests.cyber.taxii import Headers, objects_url, post


def _is_taxii_error(response: object, status: int) -> dict[str, str]:
    assert response.status_code == status, response.text  # type: ignore[attr-defined]
    assert response.headers["content-type"].startswith("application/taxii+json")  # type: ignore[attr-defined]
    body: dict[str, str] = response.json()  # type: ignore[attr-defined]
    assert body["http_status"] == str(status)
    assert body["title"]
    assert body["description"]
    return body


def test_discovery_api_root_and_collections(client: TestClient, taxii: Headers, cccs: str) -> None:
    discovery = client.get("/taxii2/", headers=taxii("ca-viewer"))
    assert discovery.status_code == 200
    assert discovery.headers["content-type"] == TAXII_MEDIA_TYPE
    assert discovery.json()["default"].endswith("/taxii2/cti/")
    root = client.get("/taxii2/cti/", headers=taxii("ca-viewer")).json()
    assert root["versions"] == [TAXII_MEDIA_TYPE]
    viewer = client.get("/taxii2/cti/collections/", headers=taxii("ca-viewer")).json()
    analyst = client.get("/taxii2/cti/collections/", headers=taxii("ca-analyst")).json()
    assert [(c["id"], c["can_read"], c["can_write"]) for c in viewer["collections"]] == [
        (cccs, True, False)
    ]
    assert analyst["collections"][0]["can_write"] is True


def test_media_types_and_authentication_errors(
    client: TestClient, taxii: Headers, cccs: str
) -> None:
    wrong_accept = {**taxii("ca-viewer"), "Accept": "application/json"}
    assert _is_taxii_error(client.get("/taxii2/", headers=wrong_accept), 406)
    wrong_type = {**taxii("ca-analyst"), "Content-Type": "application/json"}
    response = client.post(objects_url(cccs), json={"objects": [indicator(1)]}, headers=wrong_type)
    assert _is_taxii_error(response, 415)
    anonymous = client.get("/taxii2/", headers={"Accept": TAXII_MEDIA_TYPE})
    assert _is_taxii_error(anonymous, 401)
    assert anonymous.headers["www-authenticate"].startswith("Basic")
    bad = base64.b64encode(b"ca-viewer:wrong").decode()
    assert _is_taxii_error(client.get("/taxii2/", headers={"Authorization": f"Basic {bad}"}), 401)
    good = base64.b64encode(b"ca-viewer:liaison-demo-ca-viewer").decode()
    assert client.get("/taxii2/", headers={"Authorization": f"Basic {good}"}).status_code == 200


def test_post_then_page_with_next_and_date_headers(
    client: TestClient, taxii: Headers, cccs: str
) -> None:
    status = post(client, taxii("ca-analyst"), cccs, *[indicator(n) for n in range(25)])
    assert (status["status"], status["success_count"], status["failure_count"]) == (
        "complete",
        25,
        0,
    )
    again = client.get(f"/taxii2/cti/status/{status['id']}/", headers=taxii("ca-analyst"))
    assert again.json()["success_count"] == 25
    seen: list[str] = []
    params: dict[str, str] = {"limit": "10", "match[type]": "indicator"}
    while True:
        page = client.get(objects_url(cccs), params=params, headers=taxii("ca-viewer"))
        assert page.status_code == 200
        assert page.headers["X-TAXII-Date-Added-First"] <= page.headers["X-TAXII-Date-Added-Last"]
        body = page.json()
        seen.extend(obj["id"] for obj in body["objects"])
        if not body["more"]:
            break
        params["next"] = body["next"]
    assert len(seen) == len(set(seen)) == 27  # 2 seeded + 25 posted
    bad_next = client.get(
        objects_url(cccs), params={"next": "not-a-token"}, headers=taxii("ca-viewer")
    )
    assert _is_taxii_error(bad_next, 400)["error_code"] == "bad_next"
    none = client.get(
        objects_url(cccs), params={"match[type]": "malware"}, headers=taxii("ca-viewer")
    )
    assert none.json() == {"more": False}


def test_invalid_and_stale_objects_are_reported_not_stored(
    client: TestClient, taxii: Headers, cccs: str
) -> None:
    first = indicator(1, modified="2026-02-08T00:00:00.000Z")
    post(client, taxii("ca-analyst"), cccs, first)
    broken = indicator(2, pattern="ipv4 is 1.2.3.4")
    older = {**first, "modified": "2026-02-07T12:00:00.000Z", "name": "stale"}
    status = post(client, taxii("ca-analyst"), cccs, broken, older, {**first})
    assert (status["success_count"], status["failure_count"]) == (0, 3)
    messages = {f["id"]: f["message"] for f in status["failures"]}  # type: ignore[union-attr]
    assert "pattern" in messages[broken["id"]]
    assert "already stored" in messages[first["id"]]
    missing = client.get(f"{objects_url(cccs)}{broken['id']}/", headers=taxii("ca-viewer"))
    assert _is_taxii_error(missing, 404)
    stored = client.get(f"{objects_url(cccs)}{first['id']}/", headers=taxii("ca-viewer")).json()
    assert [o["name"] for o in stored["objects"]] == ["Test indicator 1"]
    not_json = client.post(objects_url(cccs), content=b"{", headers=taxii("ca-analyst"))
    assert _is_taxii_error(not_json, 400)


def test_versions_and_marking_downgrade(client: TestClient, taxii: Headers, cccs: str) -> None:
    v1 = indicator(1, tlp=Tlp.AMBER, modified="2026-02-08T00:00:00.000Z")
    v2 = {**v1, "modified": "2026-02-09T00:00:00.000Z", "name": "v2"}
    post(client, taxii("ca-analyst"), cccs, v1, v2)
    downgrade = indicator(1, tlp=Tlp.GREEN, stix_id=v1["id"], modified="2026-02-10T00:00:00.000Z")
    refused = post(client, taxii("ca-analyst"), cccs, downgrade)
    assert "downgrade" in refused["failures"][0]["message"]  # type: ignore[index]
    url = f"{objects_url(cccs)}{v1['id']}/"
    versions = client.get(f"{url}versions/", headers=taxii("ca-viewer")).json()["versions"]
    assert versions == ["2026-02-08T00:00:00.000Z", "2026-02-09T00:00:00.000Z"]
    latest = client.get(url, headers=taxii("ca-viewer")).json()["objects"]
    assert [o["name"] for o in latest] == ["v2"]
    every = client.get(url, params={"match[version]": "all"}, headers=taxii("ca-viewer")).json()
    assert len(every["objects"]) == 2
    first = client.get(url, params={"match[version]": "first"}, headers=taxii("ca-viewer")).json()
    assert first["objects"][0]["modified"] == "2026-02-08T00:00:00.000Z"
    manifest = client.get(
        f"/taxii2/cti/collections/{cccs}/manifest/",
        params={"match[id]": v1["id"]},
        headers=taxii("ca-viewer"),
    ).json()
    assert [(m["id"], m["version"]) for m in manifest["objects"]] == [
        (v1["id"], "2026-02-09T00:00:00.000Z")
    ]


def test_red_and_amber_strict_are_served_only_to_their_audience(
    client: TestClient, taxii: Headers, cccs: str
) -> None:
    red = indicator(1, tlp=Tlp.RED)
    strict = indicator(2, tlp=Tlp.AMBER_STRICT)
    unmarked = indicator(3)  # takes the collection default (AMBER)
    post(client, taxii("ca-analyst"), cccs, red, strict, unmarked)

    def ids(username: str) -> set[str]:
        body = client.get(objects_url(cccs), headers=taxii(username)).json()
        return {o["id"] for o in body.get("objects", [])}

    assert {red["id"], strict["id"], unmarked["id"]} <= ids("ca-analyst")  # the writer
    for outsider in ("ca-officer", "ca-admin"):
        assert ids(outsider) & {red["id"], strict["id"]} == set()
        assert unmarked["id"] in ids(outsider)
        hidden = client.get(f"{objects_url(cccs)}{red['id']}/", headers=taxii(outsider))
        assert _is_taxii_error(hidden, 404)


def test_viewer_cannot_write_and_oversized_envelope_is_refused(
    client: TestClient, taxii: Headers, cccs: str
) -> None:
    refused = client.post(
        objects_url(cccs), json={"objects": [indicator(1)]}, headers=taxii("ca-viewer")
    )
    assert _is_taxii_error(refused, 403)
    limit = client.app.state.settings.taxii_max_content_length  # type: ignore[attr-defined]
    huge = b'{"objects":[' + b" " * limit + b"]}"
    response = client.post(objects_url(cccs), content=huge, headers=taxii("ca-analyst"))
    assert _is_taxii_error(response, 413)
    listed = client.get(objects_url(cccs), headers=taxii("ca-viewer")).json()["objects"]
    assert len(listed) == 2  # only the seeded two


def test_unknown_paths_and_methods_are_taxii_errors(
    client: TestClient, taxii: Headers, cccs: str
) -> None:
    assert _is_taxii_error(client.get("/taxii2/other-root/", headers=taxii("ca-viewer")), 404)
    response = client.delete(f"{objects_url(cccs)}indicator--x/", headers=taxii("ca-admin"))
    assert _is_taxii_error(response, 405)
    unknown = client.get(objects_url("no-such-collection"), headers=taxii("ca-viewer"))
    assert _is_taxii_error(unknown, 404)


def test_control_characters_in_filters_are_a_bad_request(
    client: TestClient, taxii: Headers, cccs: str
) -> None:
    for parameter in ("match[id]", "match[type]", "match[spec_version]"):
        response = client.get(
            objects_url(cccs), params={parameter: "indicator\x00"}, headers=taxii("ca-viewer")
        )
        assert parameter in _is_taxii_error(response, 400)["description"]
