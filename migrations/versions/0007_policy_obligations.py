"""obligations to discharge (policy_obligations); the register of protected persons
(policy_protected_persons); a message may report a cyber incident
(exchange_messages.incident_detected_at)

Revision ID: 0007_policy_obligations
Revises: 0006_idempotency
Create Date: 2026-12-06 22:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import liaison.models.types

revision = "0007_policy_obligations"
down_revision = "0006_idempotency"
branch_labels = None
depends_on = None

_TIME = liaison.models.types.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "policy_obligations",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("object_type", sa.String(length=100), nullable=False),
        sa.Column("object_id", sa.String(length=200), nullable=False),
        sa.Column("case_id", sa.String(length=36), nullable=True),
        sa.Column("rule_id", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("citation", sa.String(length=500), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("due", _TIME, nullable=True),
        sa.Column("opened_at", _TIME, nullable=False),
        sa.Column("discharged_at", _TIME, nullable=True),
        sa.Column("discharged_by", sa.String(length=200), nullable=True),
        sa.Column("done_at", _TIME, nullable=True),
        sa.Column("reference", sa.String(length=200), nullable=True),
        sa.Column("note", sa.Text(), server_default="", nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_policy_obligations")),
    )
    with op.batch_alter_table("policy_obligations", schema=None) as batch_op:
        batch_op.create_index("ix_policy_obligations_open", ["discharged_at", "due"], unique=False)
        batch_op.create_index(
            "ix_policy_obligations_object", ["object_type", "object_id"], unique=False
        )
        batch_op.create_index("ix_policy_obligations_case", ["case_id"], unique=False)
    op.create_table(
        "policy_protected_persons",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("name_key", sa.String(length=200), nullable=False),
        sa.Column("date_of_birth", sa.Date(), nullable=True),
        sa.Column("protection_status", sa.String(length=30), nullable=False),
        sa.Column("feared_country", sa.String(length=2), nullable=False),
        sa.Column("reference", sa.String(length=200), nullable=False),
        sa.Column("party_code", sa.String(length=2), nullable=False),
        sa.Column("imported_by", sa.String(length=200), nullable=False),
        sa.Column("imported_at", _TIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_policy_protected_persons")),
    )
    with op.batch_alter_table("policy_protected_persons", schema=None) as batch_op:
        batch_op.create_index("ix_policy_protected_persons_name", ["name_key"], unique=False)
    with op.batch_alter_table("exchange_messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("incident_detected_at", _TIME, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("exchange_messages", schema=None) as batch_op:
        batch_op.drop_column("incident_detected_at")
    with op.batch_alter_table("policy_protected_persons", schema=None) as batch_op:
        batch_op.drop_index("ix_policy_protected_persons_name")
    op.drop_table("policy_protected_persons")
    with op.batch_alter_table("policy_obligations", schema=None) as batch_op:
        batch_op.drop_index("ix_policy_obligations_case")
        batch_op.drop_index("ix_policy_obligations_object")
        batch_op.drop_index("ix_policy_obligations_open")
    op.drop_table("policy_obligations")
