"""hit/no-hit: the blinded index, the copy of a peer's, queries, answers, confirmations

Revision ID: 0008_hitcheck
Revises: 0007_policy_obligations
Create Date: 2026-12-06 22:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import liaison.models.types

revision = "0008_hitcheck"
down_revision = "0007_policy_obligations"
branch_labels = None
depends_on = None

UTC = liaison.models.types.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "hitcheck_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("epoch", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("cursor", sa.Integer(), nullable=False),
        sa.Column("updated_at", UTC(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hitcheck_state")),
    )
    op.create_table(
        "hitcheck_index",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("epoch", sa.Integer(), nullable=False),
        sa.Column("tag", sa.LargeBinary(length=8), nullable=False),
        sa.Column("category", sa.String(length=20), nullable=False),
        sa.Column("entity_row", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.String(length=36), nullable=False),
        sa.Column("added_in", sa.Integer(), nullable=False),
        sa.Column("removed_in", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hitcheck_index")),
    )
    with op.batch_alter_table("hitcheck_index", schema=None) as batch_op:
        batch_op.create_index("ix_hitcheck_index_epoch_added", ["epoch", "added_in"])
        batch_op.create_index("ix_hitcheck_index_epoch_removed", ["epoch", "removed_in"])
        batch_op.create_index(batch_op.f("ix_hitcheck_index_tag"), ["tag"])
        batch_op.create_index(batch_op.f("ix_hitcheck_index_entity_row"), ["entity_row"])
        batch_op.create_index(batch_op.f("ix_hitcheck_index_message_id"), ["message_id"])
    op.create_table(
        "hitcheck_peer_tags",
        sa.Column("peer_party", sa.String(length=2), nullable=False),
        sa.Column("tag", sa.LargeBinary(length=8), nullable=False),
        sa.PrimaryKeyConstraint("peer_party", "tag", name=op.f("pk_hitcheck_peer_tags")),
    )
    op.create_table(
        "hitcheck_peer_sync",
        sa.Column("peer_party", sa.String(length=2), nullable=False),
        sa.Column("epoch", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("synced_at", UTC(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("peer_party", name=op.f("pk_hitcheck_peer_sync")),
    )
    op.create_table(
        "hitcheck_queries",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("peer_party", sa.String(length=2), nullable=False),
        sa.Column("username", sa.String(length=120), nullable=False),
        sa.Column("agency_id", sa.String(length=36), nullable=True),
        sa.Column("purpose", sa.String(length=300), nullable=False),
        sa.Column("legal_basis", sa.String(length=40), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("hits", sa.Integer(), nullable=False),
        sa.Column("created_at", UTC(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hitcheck_queries")),
    )
    with op.batch_alter_table("hitcheck_queries", schema=None) as batch_op:
        batch_op.create_index("ix_hitcheck_queries_user_at", ["username", "created_at"])
        batch_op.create_index("ix_hitcheck_queries_agency_at", ["agency_id", "created_at"])
    op.create_table(
        "hitcheck_answers",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("peer_party", sa.String(length=2), nullable=False),
        sa.Column("purpose", sa.String(length=300), nullable=False),
        sa.Column("legal_basis", sa.String(length=40), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("received_at", UTC(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hitcheck_answers")),
    )
    with op.batch_alter_table("hitcheck_answers", schema=None) as batch_op:
        batch_op.create_index("ix_hitcheck_answers_peer_at", ["peer_party", "received_at"])
    op.create_table(
        "hitcheck_confirmations",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("message_id", sa.String(length=36), nullable=False),
        sa.Column("request_id", sa.String(length=36), nullable=True),
        sa.Column("confirmed", sa.Boolean(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("decided_by", sa.String(length=120), nullable=False),
        sa.Column("decided_at", UTC(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hitcheck_confirmations")),
    )
    with op.batch_alter_table("hitcheck_confirmations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_hitcheck_confirmations_message_id"), ["message_id"])


def downgrade() -> None:
    for table in (
        "hitcheck_confirmations",
        "hitcheck_answers",
        "hitcheck_queries",
        "hitcheck_peer_sync",
        "hitcheck_peer_tags",
        "hitcheck_index",
        "hitcheck_state",
    ):
        op.drop_table(table)
