"""Idempotency keys (API) and one-time submit tokens (web forms): their expiry job."""

from __future__ import annotations

from liaison.kit.plugin import Job, Plugin, Ref

PLUGIN = Plugin(
    name="idempotency",
    jobs=(
        Job(
            "idempotency key expiry",
            Ref("liaison.idempotency.jobs:forget_expired"),
            every=lambda _settings: 3600.0,
        ),
    ),
)
