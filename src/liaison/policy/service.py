"""evaluate / enforce: the policy decision for an item, and its enforcement.

``evaluate`` is a pure read: the active packs (both parties' and the joint pack)
compiled once into an ``Engine`` and asked about the subject. ``enforce`` also
records the decision in the audit log (what, to whom, who, when, on what basis:
the SCIDA s.9 record) and raises ``PolicyBlocked`` on a block; a refusal's record
cannot be rolled back by the caller.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from liaison.kit.errors import BlockingRule, PolicyBlocked
from liaison.kit.i18n import Text
from liaison.kit.plugin import N_
from liaison.ledger.service import record
from liaison.policy import register
from liaison.policy.assurances import verified
from liaison.policy.schemas import Decision, Effect, PolicySubject
from liaison.policy.store import active_engine


def evaluate(db: Session, subject: PolicySubject) -> Decision:
    """The decision for the subject under the active packs; reads only.

    An assurance reference counts only if a recorded assurance backs it (``assurances``);
    the persons in the register of protected persons are protected (``register``).
    """
    return active_engine(db).evaluate(_checked(db, subject))


def _checked(db: Session, subject: PolicySubject) -> PolicySubject:
    """The subject as the node knows it: the register's protected persons added, and an
    assurance reference kept only if a recorded assurance backs it."""
    return verified(db, register.apply(db, subject))


def explain(db: Session, subject: PolicySubject) -> Decision:
    """Like evaluate, also listing the rules considered that did not apply."""
    return active_engine(db).evaluate(_checked(db, subject), explain=True)


def disclosure_record(subject: PolicySubject, decision: Decision) -> dict[str, Any]:
    """The audit detail of a decision: the item's markings and basis, never its content."""
    return {
        "direction": subject.direction.value,
        "kind": subject.kind.value,
        "message_type": subject.message_type,
        "from": subject.sender_party,
        "to": subject.recipient_party,
        "onward_to": subject.onward_recipient_party,
        "originator": subject.originator_party,
        "tlp": subject.tlp.value,
        "handling_code": subject.handling_code.value,
        "legal_basis": subject.legal_basis,
        "legal_basis_reference": subject.legal_basis_reference,
        "mlat_reference": subject.mlat_reference,
        "death_penalty_assurance": subject.death_penalty_assurance,
        "personal_data": subject.contains_personal_data,
        "obligations": [ob.kind.value for ob in decision.obligations],
        "citations": {hit.rule_id: hit.citation for hit in decision.rules},
    }


def blocked_error(decision: Decision) -> PolicyBlocked:
    blocking = [hit for hit in decision.rules if hit.effect == "block"]
    names = ", ".join(f"{hit.rule_id} ({hit.citation})" for hit in blocking)
    return PolicyBlocked(
        Text(N_("blocked by policy: %(rules)s"), rules=names),
        rules=[BlockingRule(hit.rule_id, hit.citation, hit.explanation) for hit in blocking],
    )


def enforce(
    db: Session, subject: PolicySubject, *, actor: str, object_type: str, object_id: str
) -> Decision:
    """Evaluate, record the decision in the audit log, raise PolicyBlocked on a block.

    A refusal (block) or a hold for legal review is recorded with ``keep=True``: it
    reaches the audit chain with its rule ids even when the caller's transaction or
    savepoint rolls back (a CLI command that fails, an inbound envelope refused in
    the inbox's savepoint); an allow joins the caller's transaction as usual.
    """
    subject = _checked(db, subject)  # the record shows the assurance only if it counts
    decision = active_engine(db).evaluate(subject)
    record(
        db,
        actor=actor,
        action="policy.decision",
        object_type=object_type,
        object_id=object_id,
        decision=decision.effect.value,
        rule_ids=decision.rule_ids,
        detail=disclosure_record(subject, decision),
        keep=decision.effect is Effect.BLOCK or decision.holds_for_review(),
    )
    if decision.effect is Effect.BLOCK:
        raise blocked_error(decision)
    return decision
