"""policy: rule pack versions, legal review queue, assurances

Revision ID: 0003_policy
Revises: 0003_audit
Create Date: 2026-11-28 08:19:58.337508
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import liaison.models.types

revision = "0003_policy"
# Chained after 0003_audit: this branch merges wip-audit (one head). Integrator re-chains.
down_revision = "0003_audit"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "policy_assurances",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("reference", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("given_by", sa.String(length=300), nullable=False),
        sa.Column("given_on", sa.Date(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
        sa.Column("recorded_at", liaison.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_policy_assurances")),
        sa.UniqueConstraint("reference", name=op.f("uq_policy_assurances_reference")),
    )
    op.create_table(
        "policy_packs",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("pack", sa.String(length=5), nullable=False),
        sa.Column("version", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("rule_count", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("loaded_by", sa.String(length=200), nullable=False),
        sa.Column("loaded_at", liaison.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("activated_by", sa.String(length=200), nullable=True),
        sa.Column("activated_at", liaison.models.types.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_policy_packs")),
        sa.UniqueConstraint("pack", "version", name="uq_policy_packs_pack_version"),
    )
    with op.batch_alter_table("policy_packs", schema=None) as batch_op:
        batch_op.create_index("ix_policy_packs_active", ["active", "pack"], unique=False)

    op.create_table(
        "policy_reviews",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("object_type", sa.String(length=100), nullable=False),
        sa.Column("object_id", sa.String(length=200), nullable=False),
        sa.Column("decision", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=30), nullable=False),
        sa.Column("requested_by", sa.String(length=200), nullable=False),
        sa.Column("reviewer", sa.String(length=200), nullable=True),
        sa.Column("reasons", sa.Text(), nullable=True),
        sa.Column("conditions", sa.JSON(), nullable=False),
        sa.Column("assurance_reference", sa.String(length=100), nullable=True),
        sa.Column("created_at", liaison.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("decided_at", liaison.models.types.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_policy_reviews")),
    )
    with op.batch_alter_table("policy_reviews", schema=None) as batch_op:
        batch_op.create_index(
            "ix_policy_reviews_object", ["object_type", "object_id"], unique=False
        )
        batch_op.create_index(
            "ix_policy_reviews_status_created", ["status", "created_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("policy_reviews", schema=None) as batch_op:
        batch_op.drop_index("ix_policy_reviews_status_created")
        batch_op.drop_index("ix_policy_reviews_object")

    op.drop_table("policy_reviews")
    with op.batch_alter_table("policy_packs", schema=None) as batch_op:
        batch_op.drop_index("ix_policy_packs_active")

    op.drop_table("policy_packs")
    op.drop_table("policy_assurances")
