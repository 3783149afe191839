"""The legal review queue: items held by a decision until a legal reviewer decides.

A domain holds an item with ``hold`` (nothing leaves while it is held) and declares,
per object type, a release hook in its plug-in (``Plugin.release_hooks``). When the
reviewer decides, the hook is called in the reviewer's transaction with the node's
settings and the outcome: approved (approved, approved_with_conditions, amended) or
refused.

Assurances: a death-penalty (or other) assurance is recorded once here
(reference, given by, date, text); approving an item held with an
``assurance_required`` obligation needs the reference of a recorded assurance.
The decision is in the audit log (``policy.review.decided``) and the requesting
officer is notified (in-app, and by e-mail when an address and SMTP are set).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from liaison.config import Settings
from liaison.kit import clock
from liaison.kit.errors import Conflict, Forbidden, NotFound, ValidationFailed
from liaison.kit.i18n import Label, Text
from liaison.kit.plugin import N_, Registry
from liaison.kit.roles import Caller, Role
from liaison.ledger.service import record
from liaison.models import User
from liaison.models.policy import Assurance, ReviewItem
from liaison.notifications.service import notify
from liaison.policy import obligations
from liaison.policy.assurances import covers, matching, unusable
from liaison.policy.review_schemas import (
    HELD_CONTENT,
    SUBJECT,
    AssuranceCreate,
    ReviewDecisionIn,
    ReviewStatus,
)
from liaison.policy.schemas import Decision, ObligationKind, PolicySubject


@dataclass(frozen=True)
class ReviewOutcome:
    approved: bool
    status: str
    reviewer: str
    review_id: str
    conditions: list[str] = field(default_factory=list)
    reason: str = ""
    assurance_reference: str | None = None


# (db, settings, object_id, outcome): release or drop the held item
ReleaseHandler = Callable[[Session, Settings, str, ReviewOutcome], None]
REVIEWERS = frozenset({Role.LEGAL_REVIEWER})
QUEUE_READERS = frozenset({Role.LEGAL_REVIEWER, Role.ADMIN})


def actor_of(caller: Caller) -> str:
    return f"user:{caller.username}"


def hold(
    db: Session,
    *,
    object_type: str,
    object_id: str,
    decision: Decision,
    requested_by: str,
    subject: PolicySubject | None = None,
    content: dict[str, Any] | None = None,
) -> ReviewItem:
    """Put an item in the queue; the caller keeps it from leaving until released.

    Holding an item that is already held refreshes its decision (one queue entry). With
    the item's ``subject``, the reviewer is offered the recorded assurances that cover
    it, and only such an assurance releases it. ``content`` is what the domain needs to
    act at the release (e.g. a held answer's outcome): kept with the item, never shown.
    """
    item = db.scalar(
        select(ReviewItem).where(
            ReviewItem.object_type == object_type,
            ReviewItem.object_id == object_id,
            ReviewItem.status == ReviewStatus.HELD.value,
        )
    )
    if item is None:
        item = ReviewItem(
            object_type=object_type,
            object_id=object_id,
            status=ReviewStatus.HELD.value,
            requested_by=requested_by,
            conditions=[],
        )
        db.add(item)
    item.decision = decision.model_dump(mode="json")
    if subject is not None:
        item.decision |= {SUBJECT: subject.model_dump(mode="json")}
    if content is not None:
        item.decision |= {HELD_CONTENT: content}
    db.flush()
    record(
        db,
        actor=requested_by,
        action="policy.review.hold",
        object_type=object_type,
        object_id=object_id,
        decision=decision.effect.value,
        rule_ids=decision.rule_ids,
        detail={"review_id": item.id},
    )
    return item


def _visible(caller: Caller) -> Select[ReviewItem]:
    query = select(ReviewItem)
    if caller.role not in QUEUE_READERS:
        query = query.where(ReviewItem.requested_by == actor_of(caller))
    return query


def list_reviews(
    db: Session, caller: Caller, *, status: ReviewStatus | None = None, limit: int = 100
) -> list[ReviewItem]:
    query = _visible(caller).order_by(ReviewItem.created_at.desc(), ReviewItem.id.desc())
    if status is not None:
        query = query.where(ReviewItem.status == status.value)
    return list(db.scalars(query.limit(limit)))


def get_review(db: Session, caller: Caller, review_id: str) -> ReviewItem:
    item = db.scalar(_visible(caller).where(ReviewItem.id == review_id))
    if item is None:
        raise NotFound(Text(N_("no review item %(review_id)s"), review_id=review_id))
    return item


def held_content(db: Session, review_id: str) -> dict[str, Any]:
    """What the domain kept with a held item to act on at its release (``hold``)."""
    item = db.get(ReviewItem, review_id)
    content = None if item is None else item.decision.get(HELD_CONTENT)
    return dict(content or {})


def subject_of(item: ReviewItem) -> PolicySubject | None:
    """The held item's policy subject, when the domain that held it gave one."""
    stored = item.decision.get(SUBJECT)
    return None if stored is None else PolicySubject.model_validate(stored)


def offered_assurances(db: Session, item: ReviewItem) -> list[Assurance]:
    """The recorded assurances that would release the item (for the reviewer to pick)."""
    subject = subject_of(item)
    if subject is None or not needs_assurance(item):
        return []
    return matching(db, subject)


def needs_assurance(item: ReviewItem) -> bool:
    kinds = {ob["kind"] for ob in item.decision.get("obligations", [])}
    return ObligationKind.ASSURANCE_REQUIRED.value in kinds


def decide(
    db: Session,
    caller: Caller,
    review_id: str,
    data: ReviewDecisionIn,
    *,
    settings: Settings,
    registry: Registry,
) -> ReviewItem:
    """Record the reviewer's decision and release (or drop) the item in this transaction."""
    if caller.role not in REVIEWERS:
        raise Forbidden(N_("only a legal reviewer decides on held items"))
    item = db.scalar(_visible(caller).where(ReviewItem.id == review_id).with_for_update())
    if item is None:
        raise NotFound(Text(N_("no review item %(review_id)s"), review_id=review_id))
    if item.status != ReviewStatus.HELD.value:
        raise Conflict(
            Text(
                N_("review item %(review_id)s was already decided (%(status)s)"),
                review_id=review_id,
                status=item.status,
            )
        )
    handler = registry.release_hook(item.object_type)
    if handler is None:
        raise Conflict(
            Text(
                N_("nothing can release items of type %(object_type)s on this node"),
                object_type=item.object_type,
            )
        )
    approved = data.status is not ReviewStatus.REFUSED
    if approved and needs_assurance(item):
        if not data.assurance_reference:
            raise ValidationFailed.on_field(
                "assurance_reference", N_("this item needs a recorded assurance to be approved")
            )
        row = find_assurance(db, data.assurance_reference)
        problem = unusable(row)
        if problem is not None:
            raise ValidationFailed.on_field("assurance_reference", problem)
        subject = subject_of(item)
        if subject is not None and not covers(row, subject):
            raise ValidationFailed.on_field(
                "assurance_reference",
                Text(
                    N_(
                        "assurance %(reference)s (%(party)s, covers %(scope)s "
                        "%(scope_value)s) does not cover this item"
                    ),
                    reference=row.reference,
                    party=row.party,
                    scope=row.scope,
                    scope_value=row.scope_value,
                ),
            )
    item.status = data.status.value
    item.reviewer = actor_of(caller)
    item.reasons = data.reasons
    item.conditions = list(data.conditions)
    item.assurance_reference = data.assurance_reference
    item.decided_at = clock.now()
    outcome = ReviewOutcome(
        approved=approved,
        status=item.status,
        reviewer=item.reviewer,
        review_id=item.id,
        conditions=list(data.conditions),
        reason=data.reasons,
        assurance_reference=data.assurance_reference,
    )
    handler(db, settings, item.object_id, outcome)
    if approved and data.assurance_reference:
        obligations.settle_assurances(
            db,
            object_type=item.object_type,
            object_id=item.object_id,
            reference=data.assurance_reference,
            actor=item.reviewer,
        )
    db.flush()
    record(
        db,
        actor=item.reviewer,
        action="policy.review.decided",
        object_type=item.object_type,
        object_id=item.object_id,
        decision=item.status,
        rule_ids=[hit["rule_id"] for hit in item.decision.get("rules", [])],
        detail=_decided_detail(item),
    )
    _tell_requester(db, item)
    return item


def _tell_requester(db: Session, item: ReviewItem) -> None:
    username = item.requested_by.removeprefix("user:")
    user_id = db.scalar(select(User.id).where(User.username == username))
    if user_id is None:
        return  # held by the system or a peer's node: nobody to tell here
    verdict = Label(item.status)
    decided = {"reviewer": item.reviewer or "", "verdict": verdict, "reasons": item.reasons or ""}
    body = (
        Text(
            N_(
                "%(reviewer)s decided “%(verdict)s” on an item you sent. Reasons: %(reasons)s. "
                "Conditions: %(conditions)s."
            ),
            conditions="; ".join(item.conditions),
            **decided,
        )
        if item.conditions
        else Text(
            N_("%(reviewer)s decided “%(verdict)s” on an item you sent. Reasons: %(reasons)s."),
            **decided,
        )
    )
    notify(
        db,
        user_ids=[user_id],
        subject=Text(N_("Legal review: %(verdict)s"), verdict=verdict),
        body=body,
        link=f"/policy/reviews?status={item.status}",
        kind="legal_review",
    )


def _decided_detail(item: ReviewItem) -> dict[str, Any]:
    return {
        "review_id": item.id,
        "conditions": item.conditions,
        "assurance_reference": item.assurance_reference,
        "notify": item.requested_by,
    }


def find_assurance(db: Session, reference: str) -> Assurance:
    row = db.scalar(select(Assurance).where(Assurance.reference == reference))
    if row is None:
        raise ValidationFailed.on_field(
            "assurance_reference",
            Text(N_("no assurance %(reference)r is recorded"), reference=reference),
        )
    return row


def record_assurance(db: Session, caller: Caller, data: AssuranceCreate) -> Assurance:
    if caller.role not in QUEUE_READERS:
        raise Forbidden(N_("only a legal reviewer or an administrator records assurances"))
    if db.scalar(select(Assurance.id).where(Assurance.reference == data.reference)):
        raise Conflict.on_field(
            "reference",
            Text(N_("assurance %(reference)s is already recorded"), reference=data.reference),
        )
    row = Assurance(
        reference=data.reference,
        kind=data.kind.value,
        given_by=data.given_by,
        given_on=data.given_on,
        text=data.text,
        recorded_by=actor_of(caller),
        party=data.party,
        scope=data.scope.value,
        scope_value=data.scope_value,
        expires_on=data.expires_on,
    )
    db.add(row)
    db.flush()
    record(
        db,
        actor=row.recorded_by,
        action="policy.assurance.record",
        object_type="policy.assurance",
        object_id=row.id,
        detail={"reference": row.reference, "kind": row.kind, "given_by": row.given_by},
    )
    return row


def list_assurances(db: Session, limit: int = 200) -> list[Assurance]:
    return list(db.scalars(select(Assurance).order_by(Assurance.recorded_at.desc()).limit(limit)))
