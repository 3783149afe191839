"""Attachments: uploaded as multipart, limited, sniffed, named in the envelope (the
peer pulls the content: tests/exchange/test_transfers.py)."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from liaison.kit.db import unit_of_work
from liaison.models import OutboxMessage
from tests.exchange import payloads
from tests.exchange.payloads import SMALL_ATTACHMENT_LIMIT

Headers = Callable[[str], dict[str, str]]
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


def test_attachment_travels_with_its_hash_and_downloads_intact(
    client: TestClient,
    auth_headers: Headers,
    agencies: dict[str, str],
    seeded: sessionmaker[Session],
) -> None:
    headers = auth_headers("ca-officer")
    uploaded = client.post(
        "/api/v1/exchange/attachments",
        files={"file": ("bill-of-lading.pdf", PDF, "application/pdf")},
        data={"tlp": "AMBER"},
        headers=headers,
    )
    assert uploaded.status_code == 201, uploaded.text
    attachment = uploaded.json()
    assert attachment["sha256"] == hashlib.sha256(PDF).hexdigest()
    assert attachment["mime"] == "application/pdf"
    body = payloads.compose(agencies, attachment_ids=[attachment["id"]])
    sent = client.post("/api/v1/exchange/cases", json=body, headers=headers)
    assert sent.status_code == 201, sent.text
    assert [a["sha256"] for a in sent.json()["attachments"]] == [attachment["sha256"]]
    with unit_of_work(seeded) as db:
        envelope = db.scalar(select(OutboxMessage).where(OutboxMessage.type == "exchange.message"))
        assert envelope is not None
        wire = json.loads(envelope.payload)["attachments"][0]
    assert "content_b64" not in wire  # the content stays here until the peer pulls it
    assert PDF not in envelope.payload.encode()
    assert (wire["sha256"], wire["size"], wire["mime"], wire["filename"]) == (
        attachment["sha256"],
        len(PDF),
        "application/pdf",
        "bill-of-lading.pdf",
    )
    assert wire["transfer"] == "pull-v1"
    download = client.get(
        f"/api/v1/exchange/attachments/{attachment['id']}/content", headers=headers
    )
    assert download.status_code == 200
    assert download.content == PDF
    assert download.headers["x-content-sha256"] == attachment["sha256"]
    # once sent it cannot be attached again
    again = client.post("/api/v1/exchange/cases", json=body, headers=headers)
    assert again.status_code == 422
    assert "attachment_ids" in again.text


def test_oversized_and_disguised_executable_are_refused_naming_the_field(
    client: TestClient, auth_headers: Headers, agencies: dict[str, str]
) -> None:
    headers = auth_headers("ca-officer")
    too_big = client.post(
        "/api/v1/exchange/attachments",
        files={"file": ("scan.pdf", PDF + b"0" * SMALL_ATTACHMENT_LIMIT, "application/pdf")},
        headers=headers,
    )
    assert too_big.status_code == 413, too_big.text
    assert "attachment" in too_big.text
    exe = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200
    disguised = client.post(
        "/api/v1/exchange/attachments",
        files={"file": ("invoice.pdf", exe, "application/pdf")},
        headers=headers,
    )
    assert disguised.status_code == 422, disguised.text
    assert "attachment" in disguised.text


def _zip(*entries: tuple[str, bytes], stored: bool = False) -> bytes:
    buffer = io.BytesIO()
    method = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
    with zipfile.ZipFile(buffer, "w", method) as archive:
        for name, data in entries:
            archive.writestr(name, data)
    return buffer.getvalue()


PE = b"MZ\x90\x00" + b"\x00" * 60 + b"This program cannot be run in DOS mode.\r\r\n$" + b"\x00" * 64


def test_archives_executables_inside_and_polyglots_are_refused_office_files_pass(
    client: TestClient, auth_headers: Headers
) -> None:
    headers = auth_headers("ca-officer")

    def upload(name: str, content: bytes) -> tuple[int, str]:
        response = client.post(
            "/api/v1/exchange/attachments",
            files={"file": (name, content, "application/octet-stream")},
            data={"tlp": "AMBER"},
            headers=headers,
        )
        return response.status_code, response.text

    docx = _zip(
        ("[Content_Types].xml", b"<Types/>"),
        ("word/document.xml", b"<w:document/>" * 50),
    )
    refused = {
        "plain zip": ("evidence.docx", _zip(("notes.txt", b"hello" * 100))),
        "zip holding an executable": ("report.docx", _zip(("invoice.pdf.exe", PE), stored=True)),
        "PDF with a PE inside": ("scan.pdf", PDF + PE + b"%%EOF\n"),
        "PE behind a PDF header": ("scan.pdf", b"\x00" * 16 + PDF),
        "gzip": ("logs.txt", b"\x1f\x8b\x08\x00" + b"\x00" * 100),
    }
    for label, (name, content) in refused.items():
        status, text = upload(name, content)
        assert status == 422, label
        assert "attachment" in text, label
    status, text = upload("memo.docx", docx)
    assert status == 201, text
    assert "zip" not in json.loads(text)["mime"]
