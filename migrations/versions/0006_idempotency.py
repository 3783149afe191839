"""idempotency keys; outbox sequence numbers given at delivery (nullable until then),
in queue order (``outbox.queued``: a database sequence on PostgreSQL)

Revision ID: 0006_idempotency
Revises: 0005_login_source
Create Date: 2026-12-06 19:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import liaison.models.types

revision = "0006_idempotency"
down_revision = "0005_login_source"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "idempotency_keys",
        sa.Column("principal", sa.String(length=200), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("method", sa.String(length=10), nullable=False),
        sa.Column("path", sa.String(length=500), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("content_type", sa.String(length=200), nullable=True),
        sa.Column("location", sa.String(length=500), nullable=True),
        sa.Column("body", sa.LargeBinary(), nullable=True),
        sa.Column("created_at", liaison.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", liaison.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("principal", "channel", "key", name=op.f("pk_idempotency_keys")),
    )
    with op.batch_alter_table("idempotency_keys", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_idempotency_keys_expires_at"), ["expires_at"], unique=False
        )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(sa.schema.CreateSequence(sa.Sequence("outbox_queue_order")))
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.alter_column("seq", existing_type=sa.BigInteger(), nullable=True)
        batch_op.add_column(sa.Column("queued", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    # Number what is still unnumbered (in queue order) before the column is required.
    bind = op.get_bind()
    rows = bind.execute(
        sa.text("SELECT id, peer_party FROM outbox WHERE seq IS NULL ORDER BY id")
    ).all()
    for row_id, party in rows:
        seq = bind.execute(
            sa.text("SELECT next_out_seq FROM peers WHERE party_code = :p"), {"p": party}
        ).scalar_one()
        bind.execute(sa.text("UPDATE outbox SET seq = :s WHERE id = :i"), {"s": seq, "i": row_id})
        bind.execute(
            sa.text("UPDATE peers SET next_out_seq = :n WHERE party_code = :p"),
            {"n": seq + 1, "p": party},
        )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_column("queued")
        batch_op.alter_column("seq", existing_type=sa.BigInteger(), nullable=False)
    if bind.dialect.name == "postgresql":
        op.execute(sa.schema.DropSequence(sa.Sequence("outbox_queue_order")))
    with op.batch_alter_table("idempotency_keys", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_idempotency_keys_expires_at"))
    op.drop_table("idempotency_keys")
