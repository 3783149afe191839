"""The federation's periodic job: deliver the outbox to peers."""

from __future__ import annotations

from liaison.federation.delivery import Deliverer
from liaison.kit.plugin import JobContext


def deliver(context: JobContext) -> int:
    """One delivery pass over every peer with due envelopes; how many were settled."""
    return Deliverer(context.sessions, context.settings, context.http, context.registry).run_once()
