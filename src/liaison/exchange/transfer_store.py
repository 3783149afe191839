"""Partial files of inbound attachments: what was pulled so far, verified, encrypted.

A partial file lives under ``<data_dir>/incoming/<attachment id>.part`` (outside the
blob store, whose sweep removes unreferenced files): records of a 4-byte big-endian
length, a 24-byte random nonce and the XChaCha20-Poly1305 ciphertext of one range,
with the attachment id and the range's offset as associated data, under a key
derived from the node secret with a context of its own. The database keeps how many
bytes of the file are committed (``part_bytes``); anything written after that (a
process killed between the write and the commit) is cut off before the next append.
"""

from __future__ import annotations

import hashlib
import os
import struct
from collections.abc import Iterator
from pathlib import Path

from nacl import bindings as sodium
from nacl.exceptions import CryptoError

from liaison.config import Settings
from liaison.exchange.attachments import BlobCorrupted
from liaison.kit.errors import NotFound

_KEY_CONTEXT = b"liaison/exchange/transfers/v1"
_LENGTH = struct.Struct(">I")
_OFFSET = struct.Struct(">Q")
_NONCE = sodium.crypto_aead_xchacha20poly1305_ietf_NPUBBYTES


def _key(settings: Settings) -> bytes:
    return hashlib.blake2b(_KEY_CONTEXT, key=settings.secret_key, digest_size=32).digest()


def part_path(settings: Settings, transfer_id: str) -> Path:
    if not transfer_id.replace("-", "").isalnum():
        raise NotFound("no such transfer")
    return settings.data_dir / "incoming" / f"{transfer_id}.part"


def _ad(transfer_id: str, offset: int) -> bytes:
    return transfer_id.encode() + _OFFSET.pack(offset)


def append(settings: Settings, transfer_id: str, committed: int, offset: int, data: bytes) -> int:
    """Append one verified range after the ``committed`` bytes of the partial file
    (cutting off anything uncommitted) and sync it; returns the new file length."""
    path = part_path(settings, transfer_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    nonce = os.urandom(_NONCE)
    cipher = sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(
        data, _ad(transfer_id, offset), nonce, _key(settings)
    )
    with path.open("r+b" if path.exists() else "w+b") as handle:
        handle.truncate(committed)
        handle.seek(committed)
        handle.write(_LENGTH.pack(len(nonce) + len(cipher)))
        handle.write(nonce)
        handle.write(cipher)
        handle.flush()
        os.fsync(handle.fileno())
        return handle.tell()


def read(settings: Settings, transfer_id: str, committed: int) -> Iterator[bytes]:
    """The ranges of the partial file in order, decrypted one at a time."""
    key = _key(settings)
    offset = 0
    with part_path(settings, transfer_id).open("rb") as handle:
        while handle.tell() < committed:
            prefix = handle.read(_LENGTH.size)
            (length,) = _LENGTH.unpack(prefix)
            record = handle.read(length)
            if len(record) != length or length <= _NONCE:
                raise BlobCorrupted("the partial attachment is truncated")
            try:
                plain = sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(
                    record[_NONCE:], _ad(transfer_id, offset), record[:_NONCE], key
                )
            except CryptoError as error:
                raise BlobCorrupted("the partial attachment failed its check") from error
            offset += len(plain)
            yield plain


def discard(settings: Settings, transfer_id: str) -> None:
    part_path(settings, transfer_id).unlink(missing_ok=True)
