"""restores from a backup, and the resync each peer is asked for afterwards

Revision ID: 0013_restore_events
Revises: 0012_networks
Create Date: 2026-12-07 01:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import liaison.models.types

revision = "0013_restore_events"
down_revision = "0012_networks"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "restore_events",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("restored_at", liaison.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column(
            "backup_created_at", liaison.models.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("backup_revision", sa.String(length=100), nullable=False),
        sa.Column("backup_audit_sequence", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_restore_events")),
    )
    op.create_table(
        "peer_resyncs",
        sa.Column("restore_id", sa.String(length=36), nullable=False),
        sa.Column("peer_party", sa.String(length=2), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("applied_through", sa.BigInteger(), nullable=False),
        sa.Column("sent_through", sa.BigInteger(), nullable=False),
        sa.Column("peer_received_through", sa.BigInteger(), nullable=True),
        sa.Column("resent", sa.Integer(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("done_at", liaison.models.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["restore_id"],
            ["restore_events.id"],
            name=op.f("fk_peer_resyncs_restore_id_restore_events"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["peer_party"],
            ["peers.party_code"],
            name=op.f("fk_peer_resyncs_peer_party_peers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("restore_id", "peer_party", name=op.f("pk_peer_resyncs")),
    )


def downgrade() -> None:
    op.drop_table("peer_resyncs")
    op.drop_table("restore_events")
