"""Pydantic models in and out of federation (peering, keys, message log)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, field_validator

from liaison.kit.inputs import InputModel

MessageDirection = Literal["out", "in"]
MessageStatus = Literal["queued", "retrying", "delivered", "applied", "refused"]


class PublicKeyOut(BaseModel):
    key_id: str
    fingerprint: str
    verify_key: str = Field(description="Ed25519 public key, base64url")
    encryption_key: str = Field(description="X25519 public key, base64url")
    not_before: datetime
    not_after: datetime
    current: bool


class KeysDocument(BaseModel):
    party: str
    node: str
    keys: list[PublicKeyOut]


class PeerCreate(InputModel):
    party_code: str = Field(min_length=2, max_length=2)
    base_url: HttpUrl
    fingerprint: str = Field(min_length=64, max_length=100)

    @field_validator("party_code", mode="before")
    @classmethod
    def _upper(cls, value: object) -> object:
        return value.strip().upper() if isinstance(value, str) else value


class PeerOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    party_code: str
    node_name: str
    base_url: str
    pinned_fingerprint: str
    added_at: datetime
    last_contact_at: datetime | None
    last_error: str | None
    last_error_at: datetime | None
    next_out_seq: int
    last_in_seq: int


class PeerStatus(PeerOut):
    queue_depth: int
    oldest_undelivered_at: datetime | None
    delivered: int
    refused_by_peer: int
    received: int
    refused_here: int


class MessageLogEntry(BaseModel):
    direction: MessageDirection
    id: str
    peer: str | None
    seq: int | None
    type: str | None
    status: MessageStatus
    reason: str | None
    created_at: datetime | None
    settled_at: datetime | None
    attempts: int
    detail: str | None
    has_receipt: bool


class PingRequest(InputModel):
    data: str = Field(default="", max_length=65_536, description="opaque padding or a note")
