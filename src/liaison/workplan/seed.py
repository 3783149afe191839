"""Seed version 1 of the workplan and the Ottawa dialogue records (idempotent)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from liaison.models import DialogueMeeting, DialogueOutcome
from liaison.workplan import baseline, versions
from liaison.workplan.repository import WorkplanRepository


def seed_workplan(db: Session, party_code: str) -> dict[str, int]:
    """Version 1 (identical bytes on both nodes) and the 6-7 February 2026 meetings, on
    the nodes of the plan's parties only. Flushes, never commits. Returns what was created."""
    created: dict[str, int] = {}
    if party_code not in baseline.PARTIES:
        return created
    repo = WorkplanRepository(db)
    if repo.version(1) is None:
        versions.store_first(db, baseline.version_one(), baseline.BASIS_V1)
        created["workplan versions"] = 1
    for seed in baseline.MEETINGS:
        meeting_id = baseline.stable_id(f"meeting:{seed.key}")
        if db.get(DialogueMeeting, meeting_id) is not None:
            continue
        db.add(
            DialogueMeeting(
                id=meeting_id,
                held_on=seed.held_on,
                place=seed.place,
                level=seed.level,
                title=seed.title,
                participants=seed.participants,
                agenda=seed.agenda,
                source=baseline.SOURCE,
            )
        )
        db.flush()
        for position, (kind, text, action_keys) in enumerate(seed.outcomes):
            db.add(
                DialogueOutcome(
                    id=baseline.stable_id(f"outcome:{seed.key}:{position}"),
                    meeting_id=meeting_id,
                    kind=kind,
                    text=text,
                    position=position,
                    action_ids=[baseline.stable_id(f"action:{k}") for k in action_keys],
                )
            )
        created["dialogue meetings"] = created.get("dialogue meetings", 0) + 1
    db.flush()
    return created
