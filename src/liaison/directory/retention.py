"""Retention of directory records: an officer's personal data (name, contact channels).

Category ``directory.officer``; the clock starts when the officer is withdrawn. Erasure
keeps the role-based record (role title, agency, posting, dates) and removes the
person's name and contact channels. The originating party is the officer's agency's.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from liaison.directory.schemas import Accreditation
from liaison.kit.plugin import Purgeable
from liaison.models import Agency, ContactChannel, Officer, Tombstone

OBJECT_TYPE = "directory.officer"


def _origin(db: Session, officer_id: str) -> str | None:
    return db.scalar(
        select(Agency.party_code)
        .join(Officer, Officer.agency_id == Agency.id)
        .where(Officer.id == officer_id)
    )


def _expired(db: Session, party: str, cutoff: datetime, limit: int) -> list[str]:
    has_channels = select(ContactChannel.id).where(ContactChannel.officer_id == Officer.id).exists()
    erased = (
        select(Tombstone.id)
        .where(Tombstone.object_type == OBJECT_TYPE, Tombstone.object_id == Officer.id)
        .exists()
    )
    return list(
        db.scalars(
            select(Officer.id)
            .join(Agency, Agency.id == Officer.agency_id)
            .where(
                Agency.party_code == party,
                Officer.accreditation_status == Accreditation.WITHDRAWN.value,
                Officer.withdrawn_on < cutoff.date(),
                or_(Officer.person_name.is_not(None), has_channels),
                ~erased,
            )
            .order_by(Officer.withdrawn_on)
            .limit(limit)
        )
    )


def _erase(db: Session, officer_id: str) -> dict[str, Any]:
    officer = db.get_one(Officer, officer_id)
    channels = db.execute(delete(ContactChannel).where(ContactChannel.officer_id == officer_id))
    officer.person_name = None
    db.flush()
    return {
        "role_title": officer.role_title,
        "agency_id": officer.agency_id,
        "channels_erased": channels.rowcount,  # type: ignore[attr-defined]
        "withdrawn_on": officer.withdrawn_on.isoformat() if officer.withdrawn_on else None,
    }


PURGE_RULE = Purgeable(object_type=OBJECT_TYPE, expired=_expired, origin=_origin, erase=_erase)
