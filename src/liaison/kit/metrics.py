"""The process's Prometheus metrics: one registry that every part records into, served at
``/metrics`` by ``liaison serve`` and, for a ``liaison worker`` on its own, on the port
given by ``--metrics-port`` (``LIAISON_WORKER_METRICS_PORT``)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram

REGISTRY = CollectorRegistry()

JOB_PASSES = Counter(
    "liaison_job_passes_total",
    "Passes of a periodic job, by outcome (worked, idle, failed)",
    ["job", "outcome"],
    registry=REGISTRY,
)
JOB_SECONDS = Histogram(
    "liaison_job_pass_seconds",
    "Time one pass of a periodic job took",
    ["job"],
    buckets=(0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30, 120),
    registry=REGISTRY,
)


def record_job_pass(job: str, outcome: str, seconds: float) -> None:
    JOB_PASSES.labels(job, outcome).inc()
    JOB_SECONDS.labels(job).observe(seconds)
