"""exchange: cases, messages with markings, entity index, attachments, notes, clarifications

Revision ID: 0003_exchange
Revises: 0003_policy
Create Date: 2026-11-28 08:45:57.468862
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import liaison.models.types

revision = "0003_exchange"
down_revision = ("0003_policy", "0003_notifications")  # merges the two chains
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "exchange_cases",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("reference", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("parties", sa.JSON(), nullable=False),
        sa.Column("origin_party", sa.String(length=2), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("assigned_to", sa.String(length=36), nullable=True),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.Column("created_at", liaison.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", liaison.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["assigned_to"],
            ["users.id"],
            name=op.f("fk_exchange_cases_assigned_to_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exchange_cases")),
        sa.UniqueConstraint("reference", name=op.f("uq_exchange_cases_reference")),
    )
    with op.batch_alter_table("exchange_cases", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_exchange_cases_assigned_to"), ["assigned_to"], unique=False
        )
        batch_op.create_index(
            "ix_exchange_cases_status_updated", ["status", "updated_at"], unique=False
        )

    op.create_table(
        "exchange_messages",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("type", sa.String(length=20), nullable=False),
        sa.Column("in_reply_to", sa.String(length=36), nullable=True),
        sa.Column("direction", sa.String(length=5), nullable=False),
        sa.Column("from_agency_id", sa.String(length=36), nullable=False),
        sa.Column("to_agency_id", sa.String(length=36), nullable=False),
        sa.Column("from_party", sa.String(length=2), nullable=False),
        sa.Column("to_party", sa.String(length=2), nullable=False),
        sa.Column("originator_party", sa.String(length=2), nullable=False),
        sa.Column("via_officer_ids", sa.JSON(), nullable=False),
        sa.Column("priority", sa.String(length=10), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("entities", sa.JSON(), nullable=False),
        sa.Column("offences", sa.JSON(), nullable=False),
        sa.Column("contains_personal_data", sa.Boolean(), nullable=False),
        sa.Column("tlp", sa.String(length=15), nullable=False),
        sa.Column("handling_code", sa.String(length=30), nullable=False),
        sa.Column("source_reliability", sa.String(length=1), nullable=True),
        sa.Column("information_credibility", sa.Integer(), nullable=True),
        sa.Column("legal_basis", sa.String(length=40), nullable=False),
        sa.Column("legal_basis_reference", sa.String(length=300), nullable=False),
        sa.Column("mlat_reference", sa.String(length=200), nullable=True),
        sa.Column("purpose", sa.String(length=300), nullable=False),
        sa.Column("named_recipients", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("outcome", sa.String(length=10), nullable=True),
        sa.Column("reason_code", sa.String(length=40), nullable=True),
        sa.Column("reason_text", sa.Text(), nullable=False),
        sa.Column("obligations", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.Column("created_at", liaison.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("sent_at", liaison.models.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("received_at", liaison.models.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("window_seconds", sa.Integer(), nullable=True),
        sa.Column("deadline_at", liaison.models.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("paused_since", liaison.models.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("pauses", sa.JSON(), nullable=False),
        sa.Column(
            "due_soon_notified_at", liaison.models.types.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column(
            "overdue_notified_at", liaison.models.types.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["exchange_cases.id"],
            name=op.f("fk_exchange_messages_case_id_exchange_cases"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["from_agency_id"],
            ["agencies.id"],
            name=op.f("fk_exchange_messages_from_agency_id_agencies"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["to_agency_id"],
            ["agencies.id"],
            name=op.f("fk_exchange_messages_to_agency_id_agencies"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exchange_messages")),
    )
    with op.batch_alter_table("exchange_messages", schema=None) as batch_op:
        batch_op.create_index("ix_exchange_messages_case", ["case_id", "id"], unique=False)
        batch_op.create_index("ix_exchange_messages_deadline", ["deadline_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_exchange_messages_in_reply_to"), ["in_reply_to"], unique=False
        )
        batch_op.create_index(
            "ix_exchange_messages_inbox", ["direction", "status", "id"], unique=False
        )
        batch_op.create_index(
            "ix_exchange_messages_status", ["status", "priority", "id"], unique=False
        )
        batch_op.create_index(
            "ix_exchange_messages_to_agency", ["to_agency_id", "id"], unique=False
        )
        batch_op.create_index(
            "ix_exchange_messages_from_agency", ["from_agency_id", "id"], unique=False
        )

    op.create_table(
        "exchange_notes",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("author", sa.String(length=120), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", liaison.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["exchange_cases.id"],
            name=op.f("fk_exchange_notes_case_id_exchange_cases"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exchange_notes")),
    )
    with op.batch_alter_table("exchange_notes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_exchange_notes_case_id"), ["case_id"], unique=False)

    op.create_table(
        "exchange_attachments",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("message_id", sa.String(length=36), nullable=True),
        sa.Column("blob_id", sa.String(length=64), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("mime", sa.String(length=100), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("tlp", sa.String(length=15), nullable=False),
        sa.Column("handling_code", sa.String(length=30), nullable=False),
        sa.Column("uploaded_by", sa.String(length=120), nullable=False),
        sa.Column("created_at", liaison.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["exchange_messages.id"],
            name=op.f("fk_exchange_attachments_message_id_exchange_messages"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exchange_attachments")),
    )
    with op.batch_alter_table("exchange_attachments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_exchange_attachments_message_id"), ["message_id"], unique=False
        )

    op.create_table(
        "exchange_clarifications",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("message_id", sa.String(length=36), nullable=False),
        sa.Column("question_message_id", sa.String(length=36), nullable=True),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("asked_by", sa.String(length=120), nullable=False),
        sa.Column("asked_at", liaison.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("answered_at", liaison.models.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["exchange_messages.id"],
            name=op.f("fk_exchange_clarifications_message_id_exchange_messages"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exchange_clarifications")),
    )
    with op.batch_alter_table("exchange_clarifications", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_exchange_clarifications_message_id"), ["message_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_exchange_clarifications_question_message_id"),
            ["question_message_id"],
            unique=False,
        )

    op.create_table(
        "exchange_message_entities",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("message_id", sa.String(length=36), nullable=False),
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("key", sa.String(length=300), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("label", sa.String(length=300), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["exchange_cases.id"],
            name=op.f("fk_exchange_message_entities_case_id_exchange_cases"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["exchange_messages.id"],
            name=op.f("fk_exchange_message_entities_message_id_exchange_messages"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exchange_message_entities")),
    )
    with op.batch_alter_table("exchange_message_entities", schema=None) as batch_op:
        batch_op.create_index("ix_exchange_message_entities_key", ["key", "case_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_exchange_message_entities_message_id"), ["message_id"], unique=False
        )

    if op.get_bind().dialect.name == "postgresql":
        # substring search on the normalised text uses a trigram index (see docs/exchange.md)
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public")
        op.execute(
            "CREATE INDEX ix_exchange_messages_search_trgm ON exchange_messages "
            "USING gin (search_text public.gin_trgm_ops)"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_exchange_messages_search_trgm")
    with op.batch_alter_table("exchange_message_entities", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_exchange_message_entities_message_id"))
        batch_op.drop_index("ix_exchange_message_entities_key")

    op.drop_table("exchange_message_entities")
    with op.batch_alter_table("exchange_clarifications", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_exchange_clarifications_question_message_id"))
        batch_op.drop_index(batch_op.f("ix_exchange_clarifications_message_id"))

    op.drop_table("exchange_clarifications")
    with op.batch_alter_table("exchange_attachments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_exchange_attachments_message_id"))

    op.drop_table("exchange_attachments")
    with op.batch_alter_table("exchange_notes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_exchange_notes_case_id"))

    op.drop_table("exchange_notes")
    with op.batch_alter_table("exchange_messages", schema=None) as batch_op:
        batch_op.drop_index("ix_exchange_messages_inbox")
        batch_op.drop_index("ix_exchange_messages_status")
        batch_op.drop_index("ix_exchange_messages_to_agency")
        batch_op.drop_index("ix_exchange_messages_from_agency")
        batch_op.drop_index(batch_op.f("ix_exchange_messages_in_reply_to"))
        batch_op.drop_index("ix_exchange_messages_deadline")
        batch_op.drop_index("ix_exchange_messages_case")

    op.drop_table("exchange_messages")
    with op.batch_alter_table("exchange_cases", schema=None) as batch_op:
        batch_op.drop_index("ix_exchange_cases_status_updated")
        batch_op.drop_index(batch_op.f("ix_exchange_cases_assigned_to"))

    op.drop_table("exchange_cases")
