"""The precursor pages on Canada's demo node: the dashboard with its charts, the
searchable register (an administrator's change is audited, an officer's refused), the
received notification with its answer form, and the import form's bad-row report."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from liaison.kit.db import unit_of_work
from liaison.models import AuditEntry, PrecursorNotice
from liaison.precursors.seed import stable_id
from tests.precursors import payloads
from tests.support.peering import pin_peer_with_agencies
from tests.support.web import HTML, sign_in


def test_dashboard_register_and_a_received_notification(client: TestClient) -> None:
    sign_in(client, "ca-officer")
    home = client.get("/precursors", headers=HTML)
    assert home.status_code == 200
    assert home.text.count("<svg") == 4
    assert 'id="total-notices">3<' in home.text
    assert "consignee is a freight consolidator" in home.text  # the demo objection
    found = client.get("/precursors/substances", params={"q": "piperidone"}, headers=HTML)
    rows = re.findall(r"<tr><td>([0-9-]+)</td>", found.text)
    assert set(rows) == {"41661-47-6", "79099-07-3", "40064-34-4", "39742-60-4", "3612-20-2"}
    by_hs = client.get("/precursors/substances", params={"q": "2933.36"}, headers=HTML)
    assert re.findall(r"<tr><td>([0-9-]+)</td>", by_hs.text) == ["21409-26-7"]
    notice = client.get(f"/precursors/notices/{stable_id('pen-3')}", headers=HTML)
    assert notice.status_code == 200
    assert 'id="notice-status">Received<' in notice.text
    assert 'id="answer-form"' in notice.text
    objected = client.get(f"/precursors/notices/{stable_id('pen-2')}", headers=HTML)
    assert 'id="answer-form"' not in objected.text, "an answered notification takes no answer"


def test_only_an_administrator_updates_the_register_and_the_change_is_audited(
    client: TestClient, seeded: sessionmaker[Session]
) -> None:
    form = {
        "cas": "41661-47-6", "name": "4-Piperidone", "category": "table_i",
        "unit": "kg", "family": "4-piperidone", "hs_code": "2933.39", "synonyms": "piperidin-4-one",
        "ca_status": "controlled", "ca_reference": "Precursor Control Regulations, 2026 amendment",
        "in_status": "pending", "in_reference": "", "note": "", "parent_cas": "",
    }  # fmt: skip
    token = sign_in(client, "ca-officer")
    refused = client.post(
        "/precursors/substances/41661-47-6", data=form | {"csrf_token": token}, headers=HTML
    )
    assert refused.status_code == 403
    client.post("/logout", data={"csrf_token": token}, headers=HTML)
    token = sign_in(client, "ca-admin")
    saved = client.post(
        "/precursors/substances/41661-47-6",
        data=form | {"csrf_token": token},
        headers=HTML,
        follow_redirects=False,
    )
    assert saved.status_code == 303, saved.text[:2000]
    page = client.get("/precursors/substances", params={"q": "41661-47-6"}, headers=HTML)
    assert "<td>Controlled</td><td>Pending</td>" in page.text.replace("\n", "").replace("  ", "")
    with unit_of_work(seeded) as db:
        actions = db.scalars(
            select(AuditEntry.actor).where(
                AuditEntry.action == "precursors.substance.save",
                AuditEntry.object_id == "41661-47-6",
            )
        ).all()
    assert actions == ["user:ca-admin"]


def test_the_import_form_lists_bad_rows_and_imports_nothing(
    client: TestClient, seeded: sessionmaker[Session]
) -> None:
    with unit_of_work(seeded) as db:
        pin_peer_with_agencies(db, "IN")
        before = len(db.scalars(select(PrecursorNotice.id)).all())
    token = sign_in(client, "ca-officer", "/precursors/import")
    rows = [payloads.row(n, importing_country="IN") for n in range(3)]
    rows[2] = payloads.row(2, importing_country="IN", cas="123-45-6")
    answer = client.post(
        "/precursors/import",
        data={"csrf_token": token, "tlp": "AMBER", "handling_code": "intelligence_only",
              "legal_basis": "statute", "respond_within_days": "15"},
        files={"file": ("extract.csv", payloads.extract(rows), "text/csv")},
        headers=HTML,
    )  # fmt: skip
    assert answer.status_code == 422
    assert "Nothing imported" in answer.text
    assert re.search(r"<td>4</td><td>substance_cas</td><td>Is not a valid CAS number", answer.text)
    with unit_of_work(seeded) as db:
        assert len(db.scalars(select(PrecursorNotice.id)).all()) == before
