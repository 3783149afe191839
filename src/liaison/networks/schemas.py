"""Networks API shapes."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from liaison.kit.inputs import InputModel


class LevelOut(BaseModel):
    comparison: str
    level: str
    weight: float


class WhyOut(BaseModel):
    a: str
    b: str
    weight: float
    probability: float
    levels: list[LevelOut]


class RecordOut(BaseModel):
    id: str
    message_id: str
    case_id: str
    kind: str
    label: str
    party: str
    tlp: str


class EntityOut(BaseModel):
    id: str
    kind: str
    label: str
    confirmed: bool
    records: list[RecordOut]
    why: list[WhyOut] = Field(description="the joins that made this entity, with their weights")
    links: list[dict[str, Any]]


class GraphOut(BaseModel):
    nodes: list[dict[str, Any]]
    edges: list[dict[str, Any]]
    components: int
    communities: int
    brokers: list[dict[str, Any]]
    link_types: dict[str, int]
    timeline: list[tuple[str, int]]


class ConfirmIn(InputModel):
    reason: str = Field(default="", max_length=2000)


class SplitIn(InputModel):
    record_id: str = Field(min_length=1, max_length=50)
    reason: str = Field(default="", max_length=2000)


class RunOut(BaseModel):
    records: int
    persons: int
    clusters: int
    trained: bool
    seconds: float
