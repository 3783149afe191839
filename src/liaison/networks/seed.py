"""For the demo, once both nodes hold each other's cases: resolve them now, so the
networks page shows the demo's network at once, not after the job's first run."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError

from liaison.config import Settings
from liaison.kit.db import make_engine, make_session_factory, unit_of_work
from liaison.networks.resolve import resolve_pending


def resolve_demo_nodes(nodes: list[Settings]) -> str:
    """Resolve each node's unresolved messages (what the job does). One line of account."""
    counts = []
    for node in nodes:
        engine = make_engine(node.effective_database_url)
        try:
            with unit_of_work(make_session_factory(engine)) as db:
                counts.append(f"{node.party} {resolve_pending(db)}")
        except IntegrityError:  # the node's own job resolved the same messages first
            counts.append(f"{node.party} by its job")
        finally:
            engine.dispose()
    return "networks: entities resolved: " + ", ".join(counts) + " (see Networks on each node)"
