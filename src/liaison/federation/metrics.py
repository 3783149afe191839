"""Prometheus metrics for federation: queue depth, delivery latency, failures, refusals."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram, generate_latest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from liaison.kit import clock
from liaison.kit.metrics import REGISTRY
from liaison.models import OutboxMessage

QUEUE_DEPTH = Gauge(
    "liaison_outbox_queue_depth", "Envelopes waiting for delivery", ["peer"], registry=REGISTRY
)
OLDEST_PENDING = Gauge(
    "liaison_outbox_oldest_pending_seconds",
    "Age of the oldest undelivered envelope",
    ["peer"],
    registry=REGISTRY,
)
DELIVERY_LATENCY = Histogram(
    "liaison_delivery_latency_seconds",
    "From queueing to a verified receipt",
    ["peer"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300),
    registry=REGISTRY,
)
SETTLED = Counter(
    "liaison_envelopes_settled_total",
    "Envelopes settled by a receipt",
    ["peer", "status"],
    registry=REGISTRY,
)
FAILURES = Counter(
    "liaison_delivery_failures_total", "Failed delivery attempts", ["peer"], registry=REGISTRY
)
INBOUND = Counter(
    "liaison_inbound_envelopes_total",
    "Envelopes received, by outcome and reason",
    ["status", "reason"],
    registry=REGISTRY,
)


def record_settled(peer: str, settled: list[tuple[str, float]]) -> None:
    """Envelopes settled by receipts: (status, seconds from queueing) each; every
    labelled series is looked up once per batch."""
    counts: dict[str, int] = {}
    latency = DELIVERY_LATENCY.labels(peer)
    for status, seconds in settled:
        counts[status] = counts.get(status, 0) + 1
        if status == "delivered":
            latency.observe(seconds)
    for status, count in counts.items():
        SETTLED.labels(peer, status).inc(count)


def record_failure(peer: str) -> None:
    FAILURES.labels(peer).inc()


def record_inbound(status: str, reason: str | None) -> None:
    INBOUND.labels(status, reason or "").inc()


def render(db: Session) -> bytes:
    """Refresh the queue gauges from the database, then render every metric."""
    rows = db.execute(
        select(
            OutboxMessage.peer_party,
            func.count(),
            func.min(OutboxMessage.created_at),
        )
        .where(OutboxMessage.status == "pending")
        .group_by(OutboxMessage.peer_party)
    ).all()
    QUEUE_DEPTH.clear()
    OLDEST_PENDING.clear()
    now = clock.now()
    for peer, depth, oldest in rows:
        QUEUE_DEPTH.labels(peer).set(depth)
        OLDEST_PENDING.labels(peer).set((now - clock.as_utc(oldest)).total_seconds())
    return generate_latest(REGISTRY)
