"""policy: assurances carry the giving party, a scope and an expiry

Revision ID: 0004_policy_assurance_scope
Revises: 0003_cyber
Create Date: 2026-12-06 19:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_policy_assurance_scope"
down_revision = "0003_cyber"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("policy_assurances") as batch:
        batch.add_column(sa.Column("party", sa.String(length=2), nullable=True))
        batch.add_column(
            sa.Column("scope", sa.String(length=20), nullable=False, server_default="any")
        )
        batch.add_column(
            sa.Column("scope_value", sa.String(length=200), nullable=False, server_default="")
        )
        batch.add_column(sa.Column("expires_on", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("policy_assurances") as batch:
        batch.drop_column("expires_on")
        batch.drop_column("scope_value")
        batch.drop_column("scope")
        batch.drop_column("party")
