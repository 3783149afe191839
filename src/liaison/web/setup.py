"""Mount the web UI on the app (placeholder until the views land)."""

from __future__ import annotations

from fastapi import FastAPI


def install(app: FastAPI) -> None:
    return None
