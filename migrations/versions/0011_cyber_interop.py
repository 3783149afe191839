"""cyber feeds: TAXII collections elsewhere pulled into a local collection

Revision ID: 0011_cyber_interop
Revises: 0010_user_preferences
Create Date: 2026-12-06 22:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import liaison.models.types

revision = "0011_cyber_interop"
down_revision = "0010_user_preferences"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "cyber_feeds",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("url", sa.String(length=500), nullable=False),
        sa.Column("collection_id", sa.String(length=36), nullable=False),
        sa.Column("username", sa.String(length=200), nullable=True),
        sa.Column("secret_env", sa.String(length=100), nullable=True),
        sa.Column("added_after", sa.String(length=40), nullable=True),
        sa.Column("last_pulled_at", liaison.models.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_result", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["collection_id"],
            ["cyber_collections.id"],
            name=op.f("fk_cyber_feeds_collection_id_cyber_collections"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cyber_feeds")),
        sa.UniqueConstraint("url", "collection_id", name="feed_url_collection"),
    )
    with op.batch_alter_table("cyber_feeds", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_cyber_feeds_collection_id"), ["collection_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("cyber_feeds", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cyber_feeds_collection_id"))
    op.drop_table("cyber_feeds")
