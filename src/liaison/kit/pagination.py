"""Bounded paging for every list: no endpoint returns an unbounded result."""

from __future__ import annotations

from pydantic import BaseModel, Field


class PageParams(BaseModel):
    limit: int = Field(default=100, ge=1, le=500)
    offset: int = Field(default=0, ge=0, le=10_000_000)
