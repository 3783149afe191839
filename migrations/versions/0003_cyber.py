"""cyber: STIX collections, object versions, grants, TLP audiences, TAXII statuses, incidents

Revision ID: 0003_cyber
Revises: 0002
Create Date: 2026-11-28 08:29:33.409452
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import liaison.models.types

revision = "0003_cyber"
down_revision = "0003_workplan"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "cyber_incidents",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("severity", sa.String(length=20), nullable=False),
        sa.Column("detected_at", liaison.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("reportable_cert_in", sa.Boolean(), nullable=False),
        sa.Column("reported_at", liaison.models.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("party_code", sa.String(length=2), nullable=False),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.Column("created_at", liaison.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cyber_incidents")),
    )
    with op.batch_alter_table("cyber_incidents", schema=None) as batch_op:
        batch_op.create_index(
            "ix_cyber_incidents_status_detected", ["status", "detected_at"], unique=False
        )

    op.create_table(
        "cyber_incident_entries",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("incident_id", sa.String(length=36), nullable=False),
        sa.Column("at", liaison.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("side", sa.String(length=2), nullable=False),
        sa.Column("author", sa.String(length=120), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["cyber_incidents.id"],
            name=op.f("fk_cyber_incident_entries_incident_id_cyber_incidents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cyber_incident_entries")),
    )
    with op.batch_alter_table("cyber_incident_entries", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_cyber_incident_entries_incident_id"), ["incident_id"], unique=False
        )

    op.create_table(
        "cyber_collections",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("default_tlp", sa.String(length=16), nullable=False),
        sa.Column("agency_id", sa.String(length=36), nullable=True),
        sa.Column("owner_party", sa.String(length=2), nullable=False),
        sa.Column("origin_node", sa.String(length=100), nullable=True),
        sa.Column("shared_with", sa.JSON(), nullable=False),
        sa.Column("created_at", liaison.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"],
            ["agencies.id"],
            name=op.f("fk_cyber_collections_agency_id_agencies"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cyber_collections")),
    )
    op.create_table(
        "cyber_grants",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("collection_id", sa.String(length=36), nullable=False),
        sa.Column("subject", sa.String(length=120), nullable=False),
        sa.Column("can_read", sa.Boolean(), nullable=False),
        sa.Column("can_write", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["collection_id"],
            ["cyber_collections.id"],
            name=op.f("fk_cyber_grants_collection_id_cyber_collections"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cyber_grants")),
        sa.UniqueConstraint("collection_id", "subject", name="collection_subject"),
    )
    op.create_table(
        "cyber_incident_links",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("incident_id", sa.String(length=36), nullable=False),
        sa.Column("collection_id", sa.String(length=36), nullable=False),
        sa.Column("stix_id", sa.String(length=300), nullable=False),
        sa.Column("linked_by", sa.String(length=120), nullable=False),
        sa.Column("linked_at", liaison.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["collection_id"],
            ["cyber_collections.id"],
            name=op.f("fk_cyber_incident_links_collection_id_cyber_collections"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["cyber_incidents.id"],
            name=op.f("fk_cyber_incident_links_incident_id_cyber_incidents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cyber_incident_links")),
        sa.UniqueConstraint("incident_id", "collection_id", "stix_id", name="incident_object"),
    )
    with op.batch_alter_table("cyber_incident_links", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_cyber_incident_links_incident_id"), ["incident_id"], unique=False
        )

    op.create_table(
        "cyber_objects",
        sa.Column(
            "seq",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("collection_id", sa.String(length=36), nullable=False),
        sa.Column("stix_id", sa.String(length=300), nullable=False),
        sa.Column("type", sa.String(length=250), nullable=False),
        sa.Column("spec_version", sa.String(length=8), nullable=False),
        sa.Column("created", liaison.models.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("modified", liaison.models.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("version", sa.String(length=40), nullable=False),
        sa.Column("date_added", liaison.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("tlp", sa.String(length=16), nullable=False),
        sa.Column("tlp_rank", sa.SmallInteger(), nullable=False),
        sa.Column("revoked", sa.Boolean(), nullable=False),
        sa.Column("is_latest", sa.Boolean(), nullable=False),
        sa.Column("is_first", sa.Boolean(), nullable=False),
        sa.Column("origin_party", sa.String(length=2), nullable=False),
        sa.Column("origin_node", sa.String(length=100), nullable=True),
        sa.Column("added_by", sa.String(length=120), nullable=False),
        sa.Column("raw", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["collection_id"],
            ["cyber_collections.id"],
            name=op.f("fk_cyber_objects_collection_id_cyber_collections"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_cyber_objects")),
    )
    with op.batch_alter_table("cyber_objects", schema=None) as batch_op:
        batch_op.create_index(
            "ix_cyber_objects_added", ["collection_id", "date_added"], unique=False
        )
        batch_op.create_index(
            "ix_cyber_objects_page", ["collection_id", "is_latest", "seq"], unique=False
        )
        batch_op.create_index(
            "ix_cyber_objects_stix_id", ["collection_id", "stix_id"], unique=False
        )
        batch_op.create_index(
            "ix_cyber_objects_one_latest",
            ["collection_id", "stix_id"],
            unique=True,
            sqlite_where=sa.text("is_latest"),
            postgresql_where=sa.text("is_latest"),
        )

    op.create_table(
        "taxii_statuses",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("collection_id", sa.String(length=36), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column(
            "request_timestamp", liaison.models.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("total_count", sa.Integer(), nullable=False),
        sa.Column("success_count", sa.Integer(), nullable=False),
        sa.Column("failure_count", sa.Integer(), nullable=False),
        sa.Column("pending_count", sa.Integer(), nullable=False),
        sa.Column("successes", sa.JSON(), nullable=False),
        sa.Column("failures", sa.JSON(), nullable=False),
        sa.Column("requested_by", sa.String(length=120), nullable=False),
        sa.ForeignKeyConstraint(
            ["collection_id"],
            ["cyber_collections.id"],
            name=op.f("fk_taxii_statuses_collection_id_cyber_collections"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_taxii_statuses")),
    )
    with op.batch_alter_table("taxii_statuses", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_taxii_statuses_collection_id"), ["collection_id"], unique=False
        )

    op.create_table(
        "cyber_audience",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column(
            "object_seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("subject", sa.String(length=120), nullable=False),
        sa.ForeignKeyConstraint(
            ["object_seq"],
            ["cyber_objects.seq"],
            name=op.f("fk_cyber_audience_object_seq_cyber_objects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cyber_audience")),
    )
    with op.batch_alter_table("cyber_audience", schema=None) as batch_op:
        batch_op.create_index(
            "ix_cyber_audience_object_subject", ["object_seq", "subject"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("cyber_audience", schema=None) as batch_op:
        batch_op.drop_index("ix_cyber_audience_object_subject")

    op.drop_table("cyber_audience")
    with op.batch_alter_table("taxii_statuses", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_taxii_statuses_collection_id"))

    op.drop_table("taxii_statuses")
    with op.batch_alter_table("cyber_objects", schema=None) as batch_op:
        batch_op.drop_index("ix_cyber_objects_one_latest")
        batch_op.drop_index("ix_cyber_objects_stix_id")
        batch_op.drop_index("ix_cyber_objects_page")
        batch_op.drop_index("ix_cyber_objects_added")

    op.drop_table("cyber_objects")
    with op.batch_alter_table("cyber_incident_links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cyber_incident_links_incident_id"))

    op.drop_table("cyber_incident_links")
    op.drop_table("cyber_grants")
    op.drop_table("cyber_collections")
    with op.batch_alter_table("cyber_incident_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cyber_incident_entries_incident_id"))

    op.drop_table("cyber_incident_entries")
    with op.batch_alter_table("cyber_incidents", schema=None) as batch_op:
        batch_op.drop_index("ix_cyber_incidents_status_detected")

    op.drop_table("cyber_incidents")
