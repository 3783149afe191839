"""Run a coroutine to completion from a sync test, off the main thread: Playwright's sync
API (the browser tests, earlier in the same session) leaves an event loop marked running
on the main thread, so asyncio.run / anyio.run there would refuse."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")


def run_off_loop(coroutine: Coroutine[Any, Any, T]) -> T:
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()
