"""Analysts add and revoke STIX objects from the collection pages: an indicator form or
one object as JSON, validated like TAXII writes, marked, audited; a refusal comes back
beside its field with what was typed; readers get no form and cannot post one."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from liaison.cyber.tlp import MARKING_FOR, Tlp, tlp_of
from liaison.kit.db import unit_of_work
from liaison.models import AuditEntry
from tests.cyber.stix import indicator
from tests.cyber.taxii import Headers, objects_url, post
from tests.support.web import HTML, sign_in

# Forms over the one write path: the store's backends are covered by the TAXII tests.
pytestmark = pytest.mark.parametrize("db_factory", ["sqlite"], indirect=True)


def _audited(seeded: sessionmaker[Session], action: str, stix_id: str) -> list[AuditEntry]:
    with unit_of_work(seeded) as db:
        query = select(AuditEntry).where(
            AuditEntry.action == action, AuditEntry.object_id == stix_id
        )
        return list(db.scalars(query))


def _served(client: TestClient, taxii: Headers, cccs: str, stix_id: str) -> dict[str, object]:
    response = client.get(f"{objects_url(cccs)}{stix_id}/", headers=taxii("ca-analyst"))
    assert response.status_code == 200, response.text
    found: dict[str, object] = response.json()["objects"][-1]
    return found


def test_analyst_adds_and_revokes_from_the_pages(
    client: TestClient, seeded: sessionmaker[Session], taxii: Headers, cccs: str
) -> None:
    page = f"/cyber/collections/{cccs}"
    csrf = sign_in(client, "ca-analyst", page)
    assert 'id="indicator-form"' in client.get(page, headers=HTML).text

    typed = {"name": "Loader C2", "pattern": "[ipv4-addr:value = '203.0.113", "tlp": "GREEN"}
    refused = client.post(f"{page}/indicators", data={**typed, "csrf_token": csrf}, headers=HTML)
    assert refused.status_code == 422
    assert 'id="pattern-error"' in refused.text  # beside the field, what to change
    assert "Loader C2" in refused.text  # what was typed is kept

    typed["pattern"] = "[ipv4-addr:value = '203.0.113.99']"
    added = client.post(
        f"{page}/indicators",
        data={**typed, "csrf_token": csrf},
        headers=HTML,
        follow_redirects=False,
    )
    assert added.status_code == 303, added.text
    stix_id = added.headers["location"].rsplit("/", 1)[-1]
    shown = client.get(added.headers["location"], headers=HTML)
    assert "Loader C2" in shown.text
    assert 'id="revoke-form"' in shown.text
    served = _served(client, taxii, cccs, stix_id)
    assert served["object_marking_refs"] == [MARKING_FOR[Tlp.GREEN]]
    assert _audited(seeded, "cyber.object.added", stix_id)

    revoked = client.post(
        f"{page}/objects/{stix_id}/revoke",
        data={"csrf_token": csrf},
        headers=HTML,
        follow_redirects=False,
    )
    assert revoked.status_code == 303
    after = client.get(revoked.headers["location"], headers=HTML).text
    assert "revoked" in after
    assert 'id="revoke-form"' not in after  # nothing left to revoke
    served = _served(client, taxii, cccs, stix_id)
    assert served["revoked"] is True
    assert tlp_of(served["object_marking_refs"]) is Tlp.GREEN  # type: ignore[arg-type]
    assert _audited(seeded, "cyber.object.revoked", stix_id)


def test_a_stix_object_pasted_as_json_is_validated_and_marked(
    client: TestClient, seeded: sessionmaker[Session], taxii: Headers, cccs: str
) -> None:
    page = f"/cyber/collections/{cccs}"
    csrf = sign_in(client, "ca-analyst", page)
    for text, says in (
        ("{not json", "not JSON"),
        ('{"type": "bundle", "id": "bundle--1", "objects": []}', "bundle"),
        (json.dumps({**indicator(41), "pattern": "[nonsense"}), "pattern"),
    ):
        refused = client.post(f"{page}/stix", data={"stix": text, "csrf_token": csrf}, headers=HTML)
        assert refused.status_code == 422, text
        assert 'id="stix-error"' in refused.text
        assert says in refused.text
        assert 'id="pattern-error"' not in refused.text  # the other form stays clean
    unmarked = indicator(42)
    added = client.post(
        f"{page}/stix",
        data={"stix": json.dumps(unmarked), "csrf_token": csrf},
        headers=HTML,
        follow_redirects=False,
    )
    assert added.status_code == 303, added.text
    served = _served(client, taxii, cccs, str(unmarked["id"]))
    assert MARKING_FOR[Tlp.AMBER] in served["object_marking_refs"]  # type: ignore[operator]
    assert _audited(seeded, "cyber.object.added", str(unmarked["id"]))


def test_a_reader_gets_no_form_and_may_not_add(client: TestClient, cccs: str) -> None:
    page = f"/cyber/collections/{cccs}"
    csrf = sign_in(client, "ca-viewer", page)
    assert 'id="indicator-form"' not in client.get(page, headers=HTML).text
    data = {"name": "x", "pattern": "[ipv4-addr:value = '198.51.100.1']", "tlp": "GREEN"}
    refused = client.post(f"{page}/indicators", data={**data, "csrf_token": csrf}, headers=HTML)
    assert refused.status_code == 403


def test_a_french_analyst_reads_the_stix_refusal_in_french(
    client: TestClient, taxii: Headers, cccs: str
) -> None:
    page = f"/cyber/collections/{cccs}"
    csrf = sign_in(client, "ca-analyst", page)
    french = HTML | {"Accept-Language": "fr-CA,fr;q=0.9"}
    no_version = {k: v for k, v in indicator(43).items() if k != "spec_version"}
    refused = client.post(
        f"{page}/stix", data={"stix": json.dumps(no_version), "csrf_token": csrf}, headers=french
    )
    assert refused.status_code == 422
    assert "spec_version : doit valoir « 2.1 »" in refused.text
    assert "must be" not in refused.text
    # TAXII clients read the same refusal in English, whatever they accept
    status = post(client, taxii("ca-analyst") | {"Accept-Language": "fr"}, cccs, no_version)
    assert status["failures"] == [
        {"id": no_version["id"], "message": "spec_version: must be '2.1'"}
    ]
