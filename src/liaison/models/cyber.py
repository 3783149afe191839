"""Cyber information sharing: STIX 2.1 collections, object versions, rights, TAXII status."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from liaison.kit import clock
from liaison.kit.db import Base
from liaison.kit.ids import new_id
from liaison.models.types import UTCDateTime

# SQLite only auto-increments an INTEGER PRIMARY KEY; PostgreSQL gets a bigint identity.
SEQ_TYPE = BigInteger().with_variant(Integer(), "sqlite")


class CyberCollection(Base):
    """A TAXII collection. ``origin_node`` is set on a mirror of a peer's collection."""

    __tablename__ = "cyber_collections"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    default_tlp: Mapped[str] = mapped_column(String(16), default="AMBER")
    # The organisation that holds the collection on this node (AMBER+STRICT stays in it).
    agency_id: Mapped[str | None] = mapped_column(ForeignKey("agencies.id", ondelete="SET NULL"))
    owner_party: Mapped[str] = mapped_column(String(2))
    origin_node: Mapped[str | None] = mapped_column(String(100))
    # party code -> acronym of the receiving agency there (or None)
    shared_with: Mapped[dict[str, str | None]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)


class CyberGrant(Base):
    """Read/write right on a collection for ``user:<username>``, ``agency:<id>`` or
    ``party:<code>`` (every user of that party on this node)."""

    __tablename__ = "cyber_grants"
    __table_args__ = (UniqueConstraint("collection_id", "subject", name="collection_subject"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    collection_id: Mapped[str] = mapped_column(
        ForeignKey("cyber_collections.id", ondelete="CASCADE")
    )
    subject: Mapped[str] = mapped_column(String(120))
    can_read: Mapped[bool] = mapped_column(Boolean, default=True)
    can_write: Mapped[bool] = mapped_column(Boolean, default=False)


class CyberObject(Base):
    """One version of one STIX object in one collection; ``seq`` orders the collection."""

    __tablename__ = "cyber_objects"
    __table_args__ = (
        Index("ix_cyber_objects_page", "collection_id", "is_latest", "seq"),
        Index("ix_cyber_objects_stix_id", "collection_id", "stix_id"),
        Index("ix_cyber_objects_added", "collection_id", "date_added"),
        # one latest version per id: concurrent writers of the same id cannot both win
        Index(
            "ix_cyber_objects_one_latest",
            "collection_id",
            "stix_id",
            unique=True,
            sqlite_where=text("is_latest"),
            postgresql_where=text("is_latest"),
        ),
    )

    seq: Mapped[int] = mapped_column(SEQ_TYPE, primary_key=True, autoincrement=True)
    collection_id: Mapped[str] = mapped_column(
        ForeignKey("cyber_collections.id", ondelete="CASCADE")
    )
    stix_id: Mapped[str] = mapped_column(String(300))
    type: Mapped[str] = mapped_column(String(250))
    spec_version: Mapped[str] = mapped_column(String(8), default="2.1")
    created: Mapped[datetime | None] = mapped_column(UTCDateTime)
    modified: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[str] = mapped_column(String(40))
    date_added: Mapped[datetime] = mapped_column(UTCDateTime)
    tlp: Mapped[str] = mapped_column(String(16))
    tlp_rank: Mapped[int] = mapped_column(SmallInteger)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)
    is_latest: Mapped[bool] = mapped_column(Boolean, default=True)
    is_first: Mapped[bool] = mapped_column(Boolean, default=True)
    origin_party: Mapped[str] = mapped_column(String(2))
    origin_node: Mapped[str | None] = mapped_column(String(100))
    added_by: Mapped[str] = mapped_column(String(120))
    raw: Mapped[str] = mapped_column(Text)


class CyberAudience(Base):
    """Who a TLP:RED (or AMBER+STRICT) object was shared with: ``agency:<id>`` or
    ``user:<party>:<username>``."""

    __tablename__ = "cyber_audience"
    __table_args__ = (Index("ix_cyber_audience_object_subject", "object_seq", "subject"),)

    id: Mapped[int] = mapped_column(SEQ_TYPE, primary_key=True, autoincrement=True)
    object_seq: Mapped[int] = mapped_column(
        SEQ_TYPE, ForeignKey("cyber_objects.seq", ondelete="CASCADE")
    )
    subject: Mapped[str] = mapped_column(String(120))


class TaxiiStatus(Base):
    """The TAXII status resource of one POST of an envelope."""

    __tablename__ = "taxii_statuses"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    collection_id: Mapped[str] = mapped_column(
        ForeignKey("cyber_collections.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(16), default="complete")
    request_timestamp: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    total_count: Mapped[int] = mapped_column(Integer)
    success_count: Mapped[int] = mapped_column(Integer)
    failure_count: Mapped[int] = mapped_column(Integer)
    pending_count: Mapped[int] = mapped_column(Integer, default=0)
    successes: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    failures: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    requested_by: Mapped[str] = mapped_column(String(120))


class CyberIncident(Base):
    """A cyber incident coordinated between the parties; CERT-In's 6-hour reporting
    clock runs from ``detected_at`` when ``reportable_cert_in`` is set."""

    __tablename__ = "cyber_incidents"
    __table_args__ = (Index("ix_cyber_incidents_status_detected", "status", "detected_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default="open")
    severity: Mapped[str] = mapped_column(String(20), default="medium")
    detected_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reportable_cert_in: Mapped[bool] = mapped_column(Boolean, default=False)
    reported_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    party_code: Mapped[str] = mapped_column(String(2))
    created_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)


class CyberIncidentEntry(Base):
    """A timeline entry: a note, a task for one side, or a status change."""

    __tablename__ = "cyber_incident_entries"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    incident_id: Mapped[str] = mapped_column(
        ForeignKey("cyber_incidents.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    kind: Mapped[str] = mapped_column(String(20))
    side: Mapped[str] = mapped_column(String(2))
    author: Mapped[str] = mapped_column(String(120))
    text: Mapped[str] = mapped_column(Text)


class CyberIncidentLink(Base):
    """A STIX object (by collection and id) linked to an incident."""

    __tablename__ = "cyber_incident_links"
    __table_args__ = (
        UniqueConstraint("incident_id", "collection_id", "stix_id", name="incident_object"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    incident_id: Mapped[str] = mapped_column(
        ForeignKey("cyber_incidents.id", ondelete="CASCADE"), index=True
    )
    collection_id: Mapped[str] = mapped_column(
        ForeignKey("cyber_collections.id", ondelete="CASCADE")
    )
    stix_id: Mapped[str] = mapped_column(String(300))
    linked_by: Mapped[str] = mapped_column(String(120))
    linked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)


class CyberFeed(Base):
    """A TAXII collection elsewhere (a peer's, a CERT's, an ISAC's) pulled into a local
    collection: ``added_after`` is the remote's X-TAXII-Date-Added-Last of the last pull.
    Secrets are not stored: ``secret_env`` names the environment variable holding them."""

    __tablename__ = "cyber_feeds"
    __table_args__ = (UniqueConstraint("url", "collection_id", name="feed_url_collection"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    url: Mapped[str] = mapped_column(String(500))
    collection_id: Mapped[str] = mapped_column(
        ForeignKey("cyber_collections.id", ondelete="CASCADE"), index=True
    )
    username: Mapped[str | None] = mapped_column(String(200), nullable=True)
    secret_env: Mapped[str | None] = mapped_column(String(100), nullable=True)
    added_after: Mapped[str | None] = mapped_column(String(40), nullable=True)
    last_pulled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_result: Mapped[str] = mapped_column(Text, default="")
