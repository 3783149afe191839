"""Retention of exchanged messages: the purge erases content and attachments, keeps the
frame and a tombstone; a legal hold suspends it; the blob file goes once unreferenced."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from liaison.config import Settings
from liaison.exchange.retention import ERASED_SUBJECT, sweep_blobs
from liaison.kit.db import unit_of_work
from tests.exchange import payloads
from tests.exchange.payloads import T0

Headers = Callable[[str], dict[str, str]]
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


def _send_with_attachment(
    client: TestClient, headers: dict[str, str], agencies: dict[str, str]
) -> str:
    uploaded = client.post(
        "/api/v1/exchange/attachments",
        files={"file": ("manifest.pdf", PDF, "application/pdf")},
        data={"tlp": "AMBER"},
        headers=headers,
    )
    assert uploaded.status_code == 201, uploaded.text
    body = payloads.compose(agencies, attachment_ids=[uploaded.json()["id"]])
    sent = client.post("/api/v1/exchange/cases", json=body, headers=headers)
    assert sent.status_code == 201, sent.text
    message_id: str = sent.json()["id"]
    return message_id


def _blob_files(settings: Settings) -> list[Path]:
    return [p for p in (settings.data_dir / "blobs").glob("*/*") if p.is_file()]


def test_purge_erases_content_and_attachments_and_keeps_a_tombstone(
    client: TestClient,
    auth_headers: Headers,
    agencies: dict[str, str],
    seeded: sessionmaker[Session],
    settings: Settings,
    at: list[datetime],
) -> None:
    officer, admin = auth_headers("ca-officer"), auth_headers("ca-admin")
    kept = _send_with_attachment(client, officer, agencies)
    untouched_subject = payloads.compose(agencies)["subject"]
    held = _send_with_attachment(client, officer, agencies)
    period = {"party_code": "CA", "category": "exchange.message", "days": 30}
    assert client.put("/api/v1/retention/periods", json=period, headers=admin).status_code == 200
    hold = {"object_type": "exchange.message", "object_id": held, "reason": "trial pending"}
    assert client.post("/api/v1/retention/holds", json=hold, headers=admin).status_code == 201

    at[0] = T0 + timedelta(days=29)
    assert client.post("/api/v1/retention/purge", headers=admin).json()["erased"] == []
    at[0] = T0 + timedelta(days=31)
    purged = client.post("/api/v1/retention/purge", headers=admin).json()["erased"]
    assert [t["object_id"] for t in purged] == [kept]

    erased = client.get(f"/api/v1/exchange/messages/{kept}", headers=officer).json()
    assert erased["subject"] == ERASED_SUBJECT
    assert (erased["body"], erased["entities"], erased["attachments"]) == ("", [], [])
    assert (erased["tlp"], erased["legal_basis"]) == ("AMBER", "police_cooperation")
    untouched = client.get(f"/api/v1/exchange/messages/{held}", headers=officer).json()
    assert (untouched["subject"], len(untouched["attachments"])) == (untouched_subject, 1)
    tombstones = client.get("/api/v1/retention/tombstones", headers=admin).json()
    assert [t["object_id"] for t in tombstones] == [kept]
    search = client.get("/api/v1/exchange/inbox", params={"search": "MSCU1234566"}, headers=officer)
    assert [item["id"] for item in search.json()["items"]] == [held]

    # the erased attachment's encrypted file goes at the next sweep, the held one stays
    for path in _blob_files(settings):
        os.utime(path, (0, 0))
    with unit_of_work(seeded) as db:
        assert sweep_blobs(db, settings) == 1
    assert len(_blob_files(settings)) == 1
