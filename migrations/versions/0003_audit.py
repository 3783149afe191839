"""audit: hash-chained log, head, checkpoints; retention: periods, holds, tombstones, deletions

Revision ID: 0003_audit
Revises: 0002
Create Date: 2026-11-28 08:10:36.082641
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import liaison.models.types

revision = "0003_audit"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_chain_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("sequence", sa.BigInteger(), nullable=False),
        sa.Column("head_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_chain_head")),
    )
    op.create_table(
        "audit_checkpoints",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("chain_party", sa.String(length=2), nullable=False),
        sa.Column("sequence", sa.BigInteger(), nullable=False),
        sa.Column("head_hash", sa.String(length=64), nullable=False),
        sa.Column("at", liaison.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("key_id", sa.String(length=16), nullable=False),
        sa.Column("signature", sa.String(length=100), nullable=False),
        sa.Column("received_at", liaison.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_checkpoints")),
        sa.UniqueConstraint("chain_party", "sequence", name="uq_audit_checkpoints_chain_sequence"),
    )
    op.create_table(
        "audit_log",
        sa.Column("sequence", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("at", liaison.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("action", sa.String(length=100), nullable=False),
        sa.Column("object_type", sa.String(length=100), nullable=False),
        sa.Column("object_id", sa.String(length=200), nullable=False),
        sa.Column("decision", sa.String(length=40), nullable=True),
        sa.Column("rule_ids", sa.Text(), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("entry_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("sequence", name=op.f("pk_audit_log")),
        sa.UniqueConstraint("entry_hash", name=op.f("uq_audit_log_entry_hash")),
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index("ix_audit_log_action_sequence", ["action", "sequence"], unique=False)
        batch_op.create_index("ix_audit_log_actor_sequence", ["actor", "sequence"], unique=False)
        batch_op.create_index(
            "ix_audit_log_object", ["object_type", "object_id", "sequence"], unique=False
        )

    op.create_table(
        "deletion_requests",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("direction", sa.String(length=10), nullable=False),
        sa.Column("peer_party", sa.String(length=2), nullable=False),
        sa.Column("object_type", sa.String(length=100), nullable=False),
        sa.Column("object_id", sa.String(length=200), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("requested_by", sa.String(length=200), nullable=False),
        sa.Column("requested_at", liaison.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("completed_at", liaison.models.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("certificate", sa.Text(), nullable=True),
        sa.Column("certificate_verified", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deletion_requests")),
    )
    with op.batch_alter_table("deletion_requests", schema=None) as batch_op:
        batch_op.create_index(
            "ix_deletion_requests_object", ["object_type", "object_id"], unique=False
        )

    op.create_table(
        "legal_holds",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("object_type", sa.String(length=100), nullable=False),
        sa.Column("object_id", sa.String(length=200), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("placed_by", sa.String(length=200), nullable=False),
        sa.Column("placed_at", liaison.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("released_by", sa.String(length=200), nullable=True),
        sa.Column("released_at", liaison.models.types.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_legal_holds")),
    )
    with op.batch_alter_table("legal_holds", schema=None) as batch_op:
        batch_op.create_index("ix_legal_holds_object", ["object_type", "object_id"], unique=False)

    op.create_table(
        "retention_periods",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("party_code", sa.String(length=2), nullable=False),
        sa.Column("category", sa.String(length=100), nullable=False),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.Column("updated_by", sa.String(length=200), nullable=False),
        sa.Column("updated_at", liaison.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_retention_periods")),
        sa.UniqueConstraint("party_code", "category", name="uq_retention_periods_party_category"),
    )
    op.create_table(
        "retention_tombstones",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("object_type", sa.String(length=100), nullable=False),
        sa.Column("object_id", sa.String(length=200), nullable=False),
        sa.Column("origin_party", sa.String(length=2), nullable=False),
        sa.Column("reason", sa.String(length=40), nullable=False),
        sa.Column("request_id", sa.String(length=36), nullable=True),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("erased_at", liaison.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_retention_tombstones")),
        sa.UniqueConstraint("object_type", "object_id", name="uq_retention_tombstones_object"),
    )
    op.create_table(
        "audit_countersignatures",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("checkpoint_id", sa.String(length=36), nullable=False),
        sa.Column("party", sa.String(length=2), nullable=False),
        sa.Column("key_id", sa.String(length=16), nullable=False),
        sa.Column("signature", sa.String(length=100), nullable=False),
        sa.Column("at", liaison.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["checkpoint_id"],
            ["audit_checkpoints.id"],
            name=op.f("fk_audit_countersignatures_checkpoint_id_audit_checkpoints"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_countersignatures")),
        sa.UniqueConstraint(
            "checkpoint_id", "party", name="uq_audit_countersignatures_checkpoint_party"
        ),
    )
    with op.batch_alter_table("audit_countersignatures", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_audit_countersignatures_checkpoint_id"), ["checkpoint_id"], unique=False
        )

    head = sa.table(
        "audit_chain_head",
        sa.column("id", sa.Integer),
        sa.column("sequence", sa.BigInteger),
        sa.column("head_hash", sa.String),
    )
    op.bulk_insert(head, [{"id": 1, "sequence": 0, "head_hash": "0" * 64}])


def downgrade() -> None:
    with op.batch_alter_table("audit_countersignatures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_countersignatures_checkpoint_id"))

    op.drop_table("audit_countersignatures")
    op.drop_table("retention_tombstones")
    op.drop_table("retention_periods")
    with op.batch_alter_table("legal_holds", schema=None) as batch_op:
        batch_op.drop_index("ix_legal_holds_object")

    op.drop_table("legal_holds")
    with op.batch_alter_table("deletion_requests", schema=None) as batch_op:
        batch_op.drop_index("ix_deletion_requests_object")

    op.drop_table("deletion_requests")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_log_object")
        batch_op.drop_index("ix_audit_log_actor_sequence")
        batch_op.drop_index("ix_audit_log_action_sequence")

    op.drop_table("audit_log")
    op.drop_table("audit_checkpoints")
    op.drop_table("audit_chain_head")
