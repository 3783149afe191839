"""The hit/no-hit exchange on the wire: one signed, encrypted envelope each way.

A query is a federation envelope (type ``hitcheck.query``) POSTed to the peer's
``/federation/v1/hitcheck``; the answer comes back in the response body as an envelope
(type ``hitcheck.answer``) signed by the peer and encrypted to this node. Points and
tags travel as one base64 string of fixed-size records.
"""

from __future__ import annotations

import json
from typing import Annotated, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from liaison.federation import envelope as env
from liaison.hitcheck import psi
from liaison.kit import clock
from liaison.kit.crypto import NodeKeyPair, PublicNodeKey, b64d, b64e
from liaison.kit.errors import InvalidEnvelope
from liaison.kit.ids import new_id

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


M = TypeVar("M", bound=_Wire)


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


def seal(
    type_: str,
    payload: _Wire,
    own_party: str,
    own_node: str,
    signer: NodeKeyPair,
    peer_party: str,
    peer_node: str,
    peer_key: PublicNodeKey,
) -> bytes:
    now = clock.now()
    header = env.EnvelopeHeader(
        v=1,
        id=new_id(),
        type=type_,
        sender=env.NodeRef(party=own_party, node=own_node, key=signer.public.key_id),
        recipient=env.NodeRef(party=peer_party, node=peer_node, key=peer_key.key_id),
        seq=1,
        created_at=now,
        sent_at=now,
    )
    body = payload.model_dump_json().encode("utf-8")
    return env.seal(header, body, signer, peer_key)


def payload_of(model: type[M], raw: bytes) -> M:
    try:
        return model.model_validate(json.loads(raw))
    except (ValidationError, ValueError) as error:
        raise InvalidEnvelope(
            "invalid_payload", f"the {model.__name__} is invalid: {error}"
        ) from None
