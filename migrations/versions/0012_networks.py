"""crime networks: resolution records, clusters, analysts' decisions, the person model

Revision ID: 0012_networks
Revises: 0011_cyber_interop
Create Date: 2026-12-06 22:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import liaison.models.types

revision = "0012_networks"
down_revision = "0011_cyber_interop"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "network_records",
        sa.Column("id", sa.String(length=50), nullable=False),
        sa.Column("message_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("label", sa.String(length=300), nullable=False),
        sa.Column("key", sa.String(length=300), nullable=False),
        sa.Column("party", sa.String(length=2), nullable=False),
        sa.Column("cluster_id", sa.String(length=50), nullable=False),
        sa.Column("name_key", sa.String(length=200), nullable=True),
        sa.Column("first_key", sa.String(length=60), nullable=True),
        sa.Column("last_key", sa.String(length=60), nullable=True),
        sa.Column("dob", sa.String(length=10), nullable=True),
        sa.Column("year", sa.String(length=4), nullable=True),
        sa.Column("person", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["exchange_messages.id"],
            name=op.f("fk_network_records_message_id_exchange_messages"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_network_records")),
    )
    with op.batch_alter_table("network_records", schema=None) as batch_op:
        batch_op.create_index("ix_network_records_name_key", ["name_key"], unique=False)
        batch_op.create_index("ix_network_records_first_year", ["first_key", "year"], unique=False)
        batch_op.create_index("ix_network_records_last_year", ["last_key", "year"], unique=False)
        batch_op.create_index("ix_network_records_dob", ["dob"], unique=False)
        batch_op.create_index("ix_network_records_key", ["key"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_network_records_message_id"), ["message_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_network_records_cluster_id"), ["cluster_id"], unique=False
        )
    op.create_table(
        "network_clusters",
        sa.Column("id", sa.String(length=50), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("label", sa.String(length=300), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("confirmed", sa.Boolean(), nullable=False),
        sa.Column("why", sa.JSON(), nullable=False),
        sa.Column("updated_at", liaison.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_network_clusters")),
    )
    with op.batch_alter_table("network_clusters", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_network_clusters_kind"), ["kind"], unique=False)
    op.create_table(
        "network_decisions",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("record_a", sa.String(length=50), nullable=False),
        sa.Column("record_b", sa.String(length=50), nullable=False),
        sa.Column("same", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("decided_by", sa.String(length=120), nullable=False),
        sa.Column("decided_at", liaison.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_network_decisions")),
    )
    with op.batch_alter_table("network_decisions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_network_decisions_record_a"), ["record_a"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_network_decisions_record_b"), ["record_b"], unique=False
        )
    op.create_table(
        "network_models",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("weights", sa.JSON(), nullable=False),
        sa.Column("records", sa.Integer(), nullable=False),
        sa.Column("seconds", sa.Float(), nullable=False),
        sa.Column("trained_at", liaison.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_network_models")),
    )


def downgrade() -> None:
    op.drop_table("network_models")
    op.drop_table("network_decisions")
    op.drop_table("network_clusters")
    op.drop_table("network_records")
