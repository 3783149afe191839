"""exchange: the originator's consent to an onward disclosure (multi19)

Revision ID: 0021_multi19_onward_consents
Revises: 0020_controlled_delivery
Create Date: 2026-12-07 11:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import liaison.models.types

revision = "0021_multi19_onward_consents"
down_revision = "0020_controlled_delivery"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "exchange_onward_consents",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("side", sa.String(length=10), nullable=False),
        sa.Column("message_id", sa.String(length=36), nullable=False),
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("forward_id", sa.String(length=36), nullable=True),
        sa.Column("originator_party", sa.String(length=2), nullable=False),
        sa.Column("holder_party", sa.String(length=2), nullable=False),
        sa.Column("onward_party", sa.String(length=2), nullable=False),
        sa.Column("onward_agency", sa.String(length=300), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("requested_by", sa.String(length=120), nullable=False),
        sa.Column("requested_at", liaison.models.types.UTCDateTime(), nullable=False),
        sa.Column("answered_by", sa.String(length=120), nullable=True),
        sa.Column("answered_at", liaison.models.types.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_exchange_onward_consents_message",
        "exchange_onward_consents",
        ["message_id", "onward_party"],
    )
    op.create_index(
        "ix_exchange_onward_consents_status", "exchange_onward_consents", ["status", "side"]
    )


def downgrade() -> None:
    op.drop_index("ix_exchange_onward_consents_status", table_name="exchange_onward_consents")
    op.drop_index("ix_exchange_onward_consents_message", table_name="exchange_onward_consents")
    op.drop_table("exchange_onward_consents")
