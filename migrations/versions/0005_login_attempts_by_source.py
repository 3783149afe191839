"""login attempts by source: index for the per-address sign-in throttle

Revision ID: 0005_login_source
Revises: 0004_policy_assurance_scope
Create Date: 2026-12-06 19:30:00
"""

from __future__ import annotations

from alembic import op

revision = "0005_login_source"
down_revision = "0004_policy_assurance_scope"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("login_attempts", schema=None) as batch_op:
        batch_op.create_index(
            "ix_login_attempts_client_ip_at", ["client_ip", "attempted_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("login_attempts", schema=None) as batch_op:
        batch_op.drop_index("ix_login_attempts_client_ip_at")
