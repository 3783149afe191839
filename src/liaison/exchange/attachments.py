"""Attachment blobs on disk: streamed, hashed, sniffed, size-limited, encrypted at rest.

A blob is written under ``<data_dir>/blobs/<2 chars>/<blob id>`` as a libsodium
secretstream (XChaCha20-Poly1305): the 24-byte stream header, then records of a
4-byte big-endian length and the ciphertext of at most ``CHUNK`` plaintext bytes.
The key is derived from the node secret with BLAKE2b and a context of its own; the
blob id is the associated data of every record, so a blob cannot be swapped for
another one, truncated (the last record carries the FINAL tag) or altered unnoticed.
Nothing holds the whole file in memory.
"""

from __future__ import annotations

import hashlib
import os
import struct
from collections.abc import AsyncIterator, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import puremagic
from nacl import bindings as sodium
from nacl.exceptions import CryptoError

from liaison.config import Settings
from liaison.exchange.archives import ContentScan, archive_kind, is_polyglot
from liaison.kit.errors import LiaisonError, NotFound, PayloadTooLarge, ValidationFailed
from liaison.kit.i18n import Text
from liaison.kit.ids import new_id
from liaison.kit.plugin import N_

CHUNK = 64 * 1024
SNIFF_BYTES = 8 * 1024
_KEY_CONTEXT = b"liaison/exchange/attachments/v1"
_LENGTH = struct.Struct(">I")
_PUSH_TAG = sodium.crypto_secretstream_xchacha20poly1305_TAG_MESSAGE
_FINAL_TAG = sodium.crypto_secretstream_xchacha20poly1305_TAG_FINAL
_ABYTES = sodium.crypto_secretstream_xchacha20poly1305_ABYTES
_HEADER = sodium.crypto_secretstream_xchacha20poly1305_HEADERBYTES

EXECUTABLE_EXTENSIONS = frozenset(
    [
        ".exe",
        ".dll",
        ".com",
        ".scr",
        ".cpl",
        ".sys",
        ".msi",
        ".msp",
        ".bat",
        ".cmd",
        ".ps1",
        ".psm1",
        ".vbs",
        ".vbe",
        ".js",
        ".jse",
        ".wsf",
        ".wsh",
        ".hta",
        ".jar",
        ".lnk",
        ".sh",
        ".bash",
        ".zsh",
        ".py",
        ".pl",
        ".rb",
        ".php",
        ".app",
        ".apk",
        ".deb",
        ".rpm",
        ".elf",
        ".so",
        ".dylib",
        ".reg",
        ".scf",
        ".inf",
        ".iso",
        ".appx",
    ]
)
_EXECUTABLE_MAGIC = (
    b"MZ",  # PE / DOS
    b"\x7fELF",
    b"\xfe\xed\xfa\xce",  # Mach-O 32
    b"\xfe\xed\xfa\xcf",  # Mach-O 64
    b"\xce\xfa\xed\xfe",
    b"\xcf\xfa\xed\xfe",
    b"\xca\xfe\xba\xbe",  # Mach-O universal / Java class
    b"#!",  # scripts
    b"dex\n",  # Android
)
_SCRIPT_HINTS = (b"@echo off", b"<script", b"wscript.", b"createobject(", b"powershell")


@dataclass(frozen=True)
class StoredBlob:
    blob_id: str
    sha256: str
    size: int
    mime: str
    filename: str


def _key(settings: Settings) -> bytes:
    return hashlib.blake2b(_KEY_CONTEXT, key=settings.secret_key, digest_size=32).digest()


def _path(settings: Settings, blob_id: str) -> Path:
    if not blob_id.replace("-", "").isalnum():
        raise NotFound(N_("no such attachment"))
    return settings.data_dir / "blobs" / blob_id[:2] / blob_id


def sniff(head: bytes) -> str:
    """The MIME type of content from its first bytes (not from its name)."""
    if not head:
        return "application/octet-stream"
    try:
        found = puremagic.from_string(head, mime=True)
    except puremagic.PureError:
        found = ""
    if found:
        return str(found)
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as error:
        if error.start < len(head) - 4:  # not just a character cut at the sniff boundary
            return "application/octet-stream"
    return "text/plain"


def is_executable(head: bytes, filename: str) -> bool:
    """Executables and scripts, by content first, by name as well."""
    if head.startswith(_EXECUTABLE_MAGIC):
        return True
    lowered = head[:512].lower().lstrip()
    if any(hint in lowered for hint in _SCRIPT_HINTS):
        return True
    return Path(filename.lower().strip()).suffix in EXECUTABLE_EXTENSIONS


def _clean_filename(filename: str) -> str:
    name = Path(filename.replace("\\", "/")).name.strip()
    name = "".join(ch for ch in name if ch.isprintable())[:200]
    return name or "attachment"


class _Writer:
    """One blob being written: the sniffing window, hash, size and encrypted file."""

    def __init__(
        self, settings: Settings, filename: str, max_bytes: int, allow_executables: bool
    ) -> None:
        self.blob_id = new_id()
        self.filename = _clean_filename(filename)
        self.max_bytes = max_bytes
        self.allow_executables = allow_executables
        self.path = _path(settings, self.blob_id)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.temp = self.path.with_suffix(".part")
        self.file = self.temp.open("wb")
        self.state = sodium.crypto_secretstream_xchacha20poly1305_state()
        header = sodium.crypto_secretstream_xchacha20poly1305_init_push(self.state, _key(settings))
        self.file.write(header)
        self.ad = self.blob_id.encode()
        self.digest = hashlib.sha256()
        self.size = 0
        self.pending = bytearray()
        self.mime: str | None = None
        self.archive: str | None = None
        self.allow_archives = settings.exchange_allow_archives
        self.scan = ContentScan()

    def feed(self, data: bytes) -> None:
        self.size += len(data)
        if self.size > self.max_bytes:
            raise PayloadTooLarge.on_field(
                "attachment",
                Text(
                    N_("is larger than the limit of %(max_bytes)s bytes"), max_bytes=self.max_bytes
                ),
            )
        self.digest.update(data)
        self.scan.feed(data)
        self.pending += data
        if self.mime is None and len(self.pending) >= SNIFF_BYTES:
            self._check(bytes(self.pending[:SNIFF_BYTES]))
        while self.mime is not None and len(self.pending) > CHUNK:
            self._push(bytes(self.pending[:CHUNK]), _PUSH_TAG)
            del self.pending[:CHUNK]

    def _check(self, head: bytes) -> None:
        if not self.allow_executables and is_executable(head, self.filename):
            raise ValidationFailed.on_field(
                "attachment", N_("executable files and scripts are not accepted")
            )
        if is_polyglot(head):
            raise ValidationFailed.on_field(
                "attachment", N_("the content is more than one format (a PDF behind another)")
            )
        self.archive = archive_kind(head)
        self.mime = sniff(head)

    def _check_whole(self) -> None:
        """What only the whole content shows: archive entries, embedded executables."""
        refuse = ValidationFailed.on_field
        if not self.allow_executables:
            if self.scan.embedded_executable:
                raise refuse("attachment", "the content carries a Windows executable")
            inside = [name for name in self.scan.names if is_executable(b"", name)]
            if inside:
                raise refuse("attachment", f"the archive holds an executable ({inside[0][:80]})")
        if self.archive is None or self.scan.is_office_document():
            return
        if not self.allow_archives:
            raise refuse("attachment", f"archives ({self.archive}) are not accepted by this node")
        self.mime = "application/zip" if self.archive == "zip" else self.mime

    def _push(self, plain: bytes, tag: int) -> None:
        cipher = sodium.crypto_secretstream_xchacha20poly1305_push(self.state, plain, self.ad, tag)
        self.file.write(_LENGTH.pack(len(cipher)))
        self.file.write(cipher)

    def finish(self) -> StoredBlob:
        if self.mime is None:
            self._check(bytes(self.pending[:SNIFF_BYTES]))
        self._check_whole()
        while len(self.pending) > CHUNK:
            self._push(bytes(self.pending[:CHUNK]), _PUSH_TAG)
            del self.pending[:CHUNK]
        self._push(bytes(self.pending), _FINAL_TAG)
        self.file.flush()
        os.fsync(self.file.fileno())
        self.file.close()
        self.temp.replace(self.path)
        return StoredBlob(
            blob_id=self.blob_id,
            sha256=self.digest.hexdigest(),
            size=self.size,
            mime=self.mime or "application/octet-stream",
            filename=self.filename,
        )

    def abort(self) -> None:
        self.file.close()
        self.temp.unlink(missing_ok=True)


async def store_stream(
    settings: Settings,
    chunks: AsyncIterator[bytes],
    *,
    filename: str,
    max_bytes: int,
    allow_executables: bool = False,
) -> StoredBlob:
    """Store an uploaded stream chunk by chunk; nothing is kept if it is refused."""
    writer = _Writer(settings, filename, max_bytes, allow_executables)
    try:
        async for chunk in chunks:
            writer.feed(chunk)
        return writer.finish()
    except BaseException:
        writer.abort()
        raise


def store_chunks(
    settings: Settings,
    chunks: Iterable[bytes],
    *,
    filename: str,
    max_bytes: int,
    allow_executables: bool = False,
) -> StoredBlob:
    """Store chunks as they come (a file, an inbound transfer's ranges); nothing is kept
    if it is refused."""
    writer = _Writer(settings, filename, max_bytes, allow_executables)
    try:
        for chunk in chunks:
            writer.feed(chunk)
        return writer.finish()
    except BaseException:
        writer.abort()
        raise


def store_file(settings: Settings, file: BinaryIO, *, filename: str, max_bytes: int) -> StoredBlob:
    """The same from an open file (a web form's spooled upload), chunk by chunk."""
    return store_chunks(
        settings, iter(lambda: file.read(CHUNK), b""), filename=filename, max_bytes=max_bytes
    )


def store_bytes(
    settings: Settings,
    data: bytes,
    *,
    filename: str,
    max_bytes: int,
    allow_executables: bool = False,
) -> StoredBlob:
    """The same for content already in memory (inbound federation)."""
    view = memoryview(data)
    return store_chunks(
        settings,
        (bytes(view[i : i + CHUNK]) for i in range(0, len(data), CHUNK)),
        filename=filename,
        max_bytes=max_bytes,
        allow_executables=allow_executables,
    )


class BlobCorrupted(LiaisonError):
    status = 500
    code = "blob_corrupted"
    title = N_("Stored attachment failed its integrity check")


def read_blob(settings: Settings, blob_id: str) -> Iterator[bytes]:
    """Decrypt a blob record by record; raises BlobCorrupted on any tampering."""
    path = _path(settings, blob_id)
    if not path.exists():
        raise NotFound(N_("no such attachment"))
    return _decrypt(path, _key(settings), blob_id.encode())


def _decrypt(path: Path, key: bytes, ad: bytes) -> Iterator[bytes]:
    state = sodium.crypto_secretstream_xchacha20poly1305_state()
    with path.open("rb") as handle:
        header = handle.read(_HEADER)
        if len(header) != _HEADER:
            raise BlobCorrupted(N_("attachment is truncated"))
        sodium.crypto_secretstream_xchacha20poly1305_init_pull(state, header, key)
        while True:
            prefix = handle.read(_LENGTH.size)
            if len(prefix) != _LENGTH.size:
                raise BlobCorrupted(N_("attachment is truncated"))
            (length,) = _LENGTH.unpack(prefix)
            if length < _ABYTES or length > CHUNK + _ABYTES:
                raise BlobCorrupted(N_("attachment record has a bad length"))
            cipher = handle.read(length)
            try:
                plain, tag = sodium.crypto_secretstream_xchacha20poly1305_pull(state, cipher, ad)
            except CryptoError as error:
                raise BlobCorrupted(N_("attachment failed its integrity check")) from error
            if plain:
                yield plain
            if tag == _FINAL_TAG:
                if handle.read(1):
                    raise BlobCorrupted(N_("attachment has data after its end"))
                return


def delete_blob(settings: Settings, blob_id: str) -> None:
    """Remove a blob; deleting one that is already gone is not an error."""
    _path(settings, blob_id).unlink(missing_ok=True)
