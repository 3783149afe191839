"""exchange: case kinds; precursors: controlled-delivery plans and their timeline

Revision ID: 0020_controlled_delivery
Revises: 0019_attachment_transfers
Create Date: 2026-12-07 08:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import liaison.models.types

revision = "0020_controlled_delivery"
down_revision = "0019_attachment_transfers"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("exchange_cases") as batch:
        batch.add_column(
            sa.Column("kind", sa.String(length=20), nullable=False, server_default="standard")
        )
    op.create_table(
        "controlled_deliveries",
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("consignments", sa.JSON(), nullable=False),
        sa.Column("substance_cas", sa.String(length=12), nullable=False),
        sa.Column("substance_name", sa.String(length=200), nullable=False),
        sa.Column("quantity", sa.Float(), nullable=False),
        sa.Column("unit", sa.String(length=4), nullable=False),
        sa.Column("route", sa.JSON(), nullable=False),
        sa.Column("window_start", sa.Date(), nullable=False),
        sa.Column("window_end", sa.Date(), nullable=False),
        sa.Column("lead_agencies", sa.JSON(), nullable=False),
        sa.Column("authorisations", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.Column("created_at", liaison.models.types.UTCDateTime(), nullable=False),
        sa.Column("updated_at", liaison.models.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["exchange_cases.id"],
            name=op.f("fk_controlled_deliveries_case_id_exchange_cases"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("case_id", name=op.f("pk_controlled_deliveries")),
    )
    op.create_table(
        "controlled_delivery_events",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("action", sa.String(length=12), nullable=False),
        sa.Column("party", sa.String(length=2), nullable=False),
        sa.Column("actor", sa.String(length=120), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("at", liaison.models.types.UTCDateTime(), nullable=False),
        sa.Column("waiting", sa.Boolean(), nullable=False),
        sa.Column("wire", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["controlled_deliveries.case_id"],
            name=op.f("fk_controlled_delivery_events_case_id_controlled_deliveries"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_controlled_delivery_events")),
    )
    op.create_index(
        "ix_controlled_delivery_events_case",
        "controlled_delivery_events",
        ["case_id", "at"],
        unique=False,
    )
    op.create_index(
        op.f("ix_controlled_delivery_events_waiting"),
        "controlled_delivery_events",
        ["waiting"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(
        op.f("ix_controlled_delivery_events_waiting"), table_name="controlled_delivery_events"
    )
    op.drop_index("ix_controlled_delivery_events_case", table_name="controlled_delivery_events")
    op.drop_table("controlled_delivery_events")
    op.drop_table("controlled_deliveries")
    with op.batch_alter_table("exchange_cases") as batch:
        batch.drop_column("kind")
