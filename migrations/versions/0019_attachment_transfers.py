"""exchange: inbound attachments pulled chunk by chunk, resumable

Revision ID: 0019_attachment_transfers
Revises: 0015_hitcheck_more
Create Date: 2026-12-07 04:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import liaison.models.types

revision = "0019_attachment_transfers"
down_revision = "0015_hitcheck_more"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "exchange_attachment_transfers",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("message_id", sa.String(length=36), nullable=False),
        sa.Column("peer_party", sa.String(length=2), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("mime", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("tlp", sa.String(length=15), nullable=False),
        sa.Column("handling_code", sa.String(length=30), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("received", sa.Integer(), nullable=False),
        sa.Column("part_bytes", sa.Integer(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("next_attempt_at", liaison.models.types.UTCDateTime(), nullable=False),
        sa.Column("created_at", liaison.models.types.UTCDateTime(), nullable=False),
        sa.Column("updated_at", liaison.models.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["exchange_messages.id"],
            name=op.f("fk_exchange_attachment_transfers_message_id_exchange_messages"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exchange_attachment_transfers")),
    )
    op.create_index(
        op.f("ix_exchange_attachment_transfers_message_id"),
        "exchange_attachment_transfers",
        ["message_id"],
        unique=False,
    )
    op.create_index(
        "ix_exchange_attachment_transfers_due",
        "exchange_attachment_transfers",
        ["status", "next_attempt_at"],
        unique=False,
    )


def downgrade() -> None:
    table = "exchange_attachment_transfers"
    op.drop_index("ix_exchange_attachment_transfers_due", table_name=table)
    op.drop_index(
        op.f("ix_exchange_attachment_transfers_message_id"),
        table_name="exchange_attachment_transfers",
    )
    op.drop_table("exchange_attachment_transfers")
