"""user preferences (time zone, language) and each party's default time zone

Revision ID: 0010_user_preferences
Revises: 0009_precursors
Create Date: 2026-12-06 22:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_user_preferences"
down_revision = "0009_precursors"
branch_labels = None
depends_on = None

# The parties the arrangement started with; others get their zone when an admin adds them.
PARTY_TIME_ZONES = {"CA": "America/Toronto", "IN": "Asia/Kolkata"}


def upgrade() -> None:
    with op.batch_alter_table("parties", schema=None) as batch_op:
        batch_op.add_column(sa.Column("time_zone", sa.String(length=64), nullable=True))
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("time_zone", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("language", sa.String(length=10), nullable=True))
    bind = op.get_bind()
    for code, zone in PARTY_TIME_ZONES.items():
        bind.execute(
            sa.text("UPDATE parties SET time_zone = :z WHERE code = :c"), {"z": zone, "c": code}
        )


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("language")
        batch_op.drop_column("time_zone")
    with op.batch_alter_table("parties", schema=None) as batch_op:
        batch_op.drop_column("time_zone")
