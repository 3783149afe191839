"""The hit/no-hit exchange on the wire: one signed, encrypted envelope each way.

A query is a federation envelope (type ``hitcheck.query``) POSTed to the peer's
``/federation/v1/hitcheck``; the answer comes back in the response body as an envelope
(type ``hitcheck.answer``) signed by the peer and encrypted to this node, both sealed
and opened by ``federation.direct``. Points and tags travel as one base64 string of
fixed-size records.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator

from liaison.hitcheck import psi
from liaison.kit.crypto import b64d, b64e

QUERY = "hitcheck.query"
ANSWER = "hitcheck.answer"
PATH = "/federation/v1/hitcheck"


def pack(records: list[bytes]) -> str:
    return b64e(b"".join(records))


def unpack(text: str, size: int) -> list[bytes]:
    data = b64d(text)
    if len(data) % size:
        raise ValueError(f"is not a whole number of {size}-byte records")
    return [data[i : i + size] for i in range(0, len(data), size)]


class _Wire(BaseModel):
    model_config = ConfigDict(extra="forbid")


class QueryPayload(_Wire):
    purpose: Annotated[str, Field(min_length=3, max_length=300)]
    legal_basis: Annotated[str, Field(min_length=1, max_length=40)]
    points: str = Field(description="base64 of the blinded points, 32 bytes each")
    epoch: int = Field(ge=0)
    version: int = Field(ge=0)

    @field_validator("points")
    @classmethod
    def _points(cls, value: str) -> str:
        if not unpack(value, psi.POINT_BYTES):
            raise ValueError("asks about no identifier")
        return value


class AnswerPayload(_Wire):
    query_id: str
    points: str
    epoch: int
    version: int
    full: bool
    added: str
    removed: str
    size: int | None = Field(default=None, description="live tags; None: unchanged")
