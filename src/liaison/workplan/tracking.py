"""The current version unpacked into rows (actions, milestones) for indexed aggregates.

Status is agreed in the plan and reported in progress updates: a new version sets an
action's tracked status only where that version changed the agreed status.
"""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from liaison.kit import clock
from liaison.models import WorkplanAction, WorkplanMilestone, WorkplanVersion
from liaison.workplan.document import parse
from liaison.workplan.schemas import PlanDocument


def materialise(db: Session, version: WorkplanVersion, previous: PlanDocument | None) -> None:
    document = parse(version.document)
    agreed_before = {a.id: a.status.value for a in previous.actions} if previous else {}
    tracked = {a.id: a for a in db.scalars(select(WorkplanAction))}
    keep = {a.id for a in document.actions}
    db.execute(delete(WorkplanMilestone))
    for action_id in set(tracked) - keep:
        db.delete(tracked.pop(action_id))
    db.flush()
    for action in document.actions:
        assert action.id is not None
        row = tracked.get(action.id)
        if row is None:
            row = WorkplanAction(id=action.id, status=action.status.value)
            db.add(row)
        elif agreed_before.get(action.id) != action.status.value:
            row.status = action.status.value
            row.status_updated_at = clock.now()
        row.area_key = action.area
        row.description = action.description
        row.leads = dict(action.leads)
        row.deliverables = list(action.deliverables)
        row.version_number = version.number
    db.flush()
    db.add_all(
        WorkplanMilestone(
            id=m.id,
            action_id=action.id,
            area_key=action.area,
            title=m.title,
            due=m.due,
            done=m.done,
        )
        for action in document.actions
        for m in action.milestones
    )
    db.flush()
