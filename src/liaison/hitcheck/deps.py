"""The HTTP client a check reaches the peer with (tests put another on ``app.state``)."""

from __future__ import annotations

from functools import cache
from typing import Annotated

import httpx
from fastapi import Depends, Request


@cache
def _shared() -> httpx.Client:
    return httpx.Client(headers={"User-Agent": "liaison-hitcheck"})


def peer_http(request: Request) -> httpx.Client:
    client: httpx.Client | None = getattr(request.app.state, "hitcheck_http", None)
    return client or _shared()


PeerHttpDep = Annotated[httpx.Client, Depends(peer_http)]
