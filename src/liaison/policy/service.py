"""evaluate / enforce: the policy decision for an item, and its enforcement.

``evaluate`` is a pure read: the active packs (both parties' and the joint pack)
compiled once into an ``Engine`` and asked about the subject. ``enforce`` also
records the decision in the audit log and raises ``PolicyBlocked`` on a block.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from liaison.policy.engine import Engine
from liaison.policy.packs import shipped_packs
from liaison.policy.schemas import Decision, PolicySubject

_ENGINES: dict[tuple[tuple[str, str], ...], Engine] = {}


def shipped_engine() -> Engine:
    packs = shipped_packs()
    key = tuple((p.pack, p.version) for p in packs)
    engine = _ENGINES.get(key)
    if engine is None:
        engine = _ENGINES[key] = Engine(packs)
    return engine


def active_engine(db: Session) -> Engine:
    return shipped_engine()


def evaluate(db: Session, subject: PolicySubject) -> Decision:
    """The decision for the subject under the active packs; reads only."""
    return active_engine(db).evaluate(subject)


def explain(db: Session, subject: PolicySubject) -> Decision:
    """Like evaluate, also listing every rule that applied and those that did not."""
    return active_engine(db).evaluate(subject, explain=True)
