"""cyber: objects stored before markings travelled on the wire carry their marking

Before 0011, an object imported without a TLP marking was stored under its collection's
default TLP (the ``tlp`` column) but its ``raw`` JSON — what TAXII serves and the export
writes — kept no marking, so a consumer saw it as unmarked. This adds the TLP 2.0
marking reference of the stored TLP to every such object's ``raw`` (the STIX
``object_marking_refs`` list; nothing else in the JSON changes). Marking definitions
are left as they are: STIX forbids changing one.

Revision ID: 0014_cyber_more
Revises: 0013_restore_events
Create Date: 2026-12-07 01:40:00
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from alembic import op

from liaison.cyber.tlp import MARKING_FOR, Tlp, tlp_of

revision = "0014_cyber_more"
down_revision = "0013_restore_events"
branch_labels = None
depends_on = None

BATCH = 1000

objects = sa.table(
    "cyber_objects",
    sa.column("seq", sa.BigInteger),
    sa.column("type", sa.String),
    sa.column("tlp", sa.String),
    sa.column("raw", sa.Text),
)


def marked_raw(raw: str, tlp: str) -> str | None:
    """``raw`` with the marking of ``tlp`` added, or None if it already carries a TLP."""
    obj: dict[str, Any] = json.loads(raw)
    refs = obj.get("object_marking_refs") or []
    if tlp_of(refs) is not None:
        return None
    obj["object_marking_refs"] = [*refs, MARKING_FOR[Tlp(tlp)]]
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


def upgrade() -> None:
    mark_unmarked(op.get_bind())


def mark_unmarked(connection: sa.Connection) -> int:
    """Add the stored TLP's marking to every object whose JSON has none; the count."""
    after, count = -1, 0
    while True:
        rows = connection.execute(
            sa.select(objects.c.seq, objects.c.tlp, objects.c.raw)
            .where(objects.c.seq > after, objects.c.type != "marking-definition")
            .order_by(objects.c.seq)
            .limit(BATCH)
        ).all()
        if not rows:
            return count
        changes = [
            {"key": seq, "new_raw": raw}
            for seq, raw in ((seq, marked_raw(raw, tlp)) for seq, tlp, raw in rows)
            if raw is not None
        ]
        if changes:
            connection.execute(
                objects.update()
                .where(objects.c.seq == sa.bindparam("key"))
                .values(raw=sa.bindparam("new_raw")),
                changes,
            )
        count += len(changes)
        after = rows[-1][0]


def downgrade() -> None:
    """The markings stay: they state what the rows were already stored under."""
