"""hit/no-hit: bulk CSV checks run as jobs with progress

Revision ID: 0015_hitcheck_more
Revises: 0014_cyber_more
Create Date: 2026-12-07 01:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import liaison.models.types

revision = "0015_hitcheck_more"
down_revision = "0014_cyber_more"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "hitcheck_bulk_jobs",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("username", sa.String(length=120), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("hits", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("result_json", sa.Text(), nullable=True),
        sa.Column("created_at", liaison.models.types.UTCDateTime(), nullable=False),
        sa.Column("finished_at", liaison.models.types.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hitcheck_bulk_jobs")),
    )
    op.create_index(
        "ix_hitcheck_bulk_jobs_user_at",
        "hitcheck_bulk_jobs",
        ["username", "created_at"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_hitcheck_bulk_jobs_user_at", table_name="hitcheck_bulk_jobs")
    op.drop_table("hitcheck_bulk_jobs")
