"""The attachment pull between nodes (docs/protocol.md, "Attachments"): the wire.

An ``exchange.message`` names each attachment (id, filename, media type, size,
SHA-256, markings) with ``"transfer": "pull-v1"``; the receiving node then asks the
sender for the content range by range, each request and each answer one sealed
envelope (signed by its sender, encrypted to its recipient) POSTed to ``PATH``. An
answer carries the range's bytes and their SHA-256; the receiver checks both, and
the whole file's SHA-256 at the end, before the attachment is shown.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from liaison.federation import envelope as env
from liaison.kit.inputs import ID_PATTERN

PATH = "/federation/v1/attachments/chunk"
REQUEST = "exchange.attachment.chunk"
ANSWER = "exchange.attachment.chunk_answer"
TRANSFER = "pull-v1"
CHUNK_BYTES = 512 * 1024  # plaintext per request; its sealed answer is about 1 MiB
MAX_REQUEST_BYTES = 16_384
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
    size: int = Field(ge=0, description="the whole attachment's size")
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$", description="SHA-256 of this range")
    data_b64: str = Field(max_length=(CHUNK_BYTES + 2) // 3 * 4)


PullTransfer = Literal["pull-v1"]
