"""The attachment pull between nodes (docs/protocol.md, "Attachments"): the wire.

An ``exchange.message`` names each attachment (id, filename, media type, size,
SHA-256, markings) with ``"transfer": "pull-v1"``; the receiving node then asks the
sender for the content range by range: each request is one sealed envelope (signed by
its sender, encrypted to its recipient) POSTed to ``PATH``. The answer is framed:

    4-byte big-endian length n | sealed answer envelope (n bytes) | range ciphertext

The sealed answer names the range (offset, length, SHA-256) and carries a one-time
key and nonce; the ciphertext is the range under XChaCha20-Poly1305 with that key and
nonce and the request's envelope id as associated data. So the bytes are as
authenticated as the envelope, without being base64-encoded inside it; the receiver
checks the range's SHA-256, and the whole file's at the end, before showing it.
"""

from __future__ import annotations

import base64
import os
import struct
from typing import Annotated, Literal

from nacl import bindings as sodium
from pydantic import BaseModel, ConfigDict, Field

from liaison.federation import envelope as env
from liaison.kit.inputs import ID_PATTERN

PATH = "/federation/v1/attachments/chunk"
REQUEST = "exchange.attachment.chunk"
ANSWER = "exchange.attachment.chunk_answer"
TRANSFER = "pull-v1"
CHUNK_BYTES = 512 * 1024  # plaintext per request
MAX_REQUEST_BYTES = 16_384
MAX_ANSWER_ENVELOPE_BYTES = 16_384
FRAME = struct.Struct(">I")
KEY_BYTES = sodium.crypto_aead_xchacha20poly1305_ietf_KEYBYTES
NONCE_BYTES = sodium.crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
TAG_BYTES = sodium.crypto_aead_xchacha20poly1305_ietf_ABYTES
Id = Annotated[str, Field(pattern=ID_PATTERN)]
EnvelopeId = Annotated[str, Field(pattern=env.UUID_PATTERN)]


class _Wire(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ChunkRequest(_Wire):
    message_id: Id
    attachment_id: Id
    offset: int = Field(ge=0)
    length: int = Field(ge=1, le=CHUNK_BYTES)


class ChunkAnswer(_Wire):
    request_id: EnvelopeId
    attachment_id: Id
    offset: int = Field(ge=0)
    length: int = Field(ge=0, le=CHUNK_BYTES)
    size: int = Field(ge=0, description="the whole attachment's size")
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$", description="SHA-256 of this range")
    key: str = Field(pattern=r"^[A-Za-z0-9+/]{43}=$", description="one-time key, base64")
    nonce: str = Field(pattern=r"^[A-Za-z0-9+/]{32}$", description="its nonce, base64")


def frame(sealed: bytes, cipher: bytes) -> bytes:
    return FRAME.pack(len(sealed)) + sealed + cipher


def unframe(body: bytes) -> tuple[bytes, memoryview]:
    """(sealed answer, range ciphertext); ValueError if the frame is broken."""
    if len(body) < FRAME.size:
        raise ValueError("the answer is shorter than its frame")
    (length,) = FRAME.unpack_from(body)
    if length > MAX_ANSWER_ENVELOPE_BYTES or FRAME.size + length > len(body):
        raise ValueError(f"the answer's envelope length {length} is out of bounds")
    view = memoryview(body)
    return bytes(view[FRAME.size : FRAME.size + length]), view[FRAME.size + length :]


def encrypt(data: bytes, request_id: str) -> tuple[bytes, bytes, bytes]:
    """(ciphertext, key, nonce) of a range, under a fresh key."""
    key = os.urandom(KEY_BYTES)
    nonce = os.urandom(NONCE_BYTES)
    cipher = sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(
        data, request_id.encode(), nonce, key
    )
    return cipher, key, nonce


def decrypt(cipher: bytes, answer: ChunkAnswer) -> bytes:
    """The range; ``nacl.exceptions.CryptoError`` if it was altered."""
    return sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(
        cipher,
        answer.request_id.encode(),
        base64.b64decode(answer.nonce, validate=True),
        base64.b64decode(answer.key, validate=True),
    )


PullTransfer = Literal["pull-v1"]
