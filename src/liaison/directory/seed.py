"""The directory's demo data (February 2026): parties, agencies, officers, demo users."""

from __future__ import annotations

from collections import Counter
from functools import lru_cache

from sqlalchemy import select
from sqlalchemy.orm import Session

from liaison.directory import seed_data
from liaison.directory.parties import ensure_party
from liaison.kit.security import hash_password
from liaison.models import Agency, Officer, User


@lru_cache(maxsize=32)
def _demo_password_hash(username: str) -> str:
    """Argon2 is deliberately slow; the demo's public passwords need hashing only once."""
    return hash_password(seed_data.demo_password(username))


def seed_directory(db: Session, party_code: str) -> dict[str, int]:
    """This party and its officers' hosts, this node's agencies and officers, and one
    demo user per role."""
    created: Counter[str] = Counter()
    # This party and those its officers are posted to (a peer is added before pinning it).
    hosts = [o.host_party_code for o in seed_data.OFFICERS.get(party_code, ())]
    for code in dict.fromkeys([party_code, *hosts]):
        if ensure_party(db, code):
            created["parties"] += 1
    own = select(Agency).where(Agency.party_code == party_code)
    agencies = {a.acronym: a for a in db.scalars(own)}
    for agency_seed in seed_data.AGENCIES.get(party_code, ()):
        if agency_seed.acronym in agencies:
            continue
        agency = Agency(
            party_code=party_code,
            name=agency_seed.name,
            acronym=agency_seed.acronym,
            mandate_areas=list(agency_seed.mandate_areas),
        )
        db.add(agency)
        agencies[agency.acronym] = agency
        created["agencies"] += 1
    db.flush()
    for officer_seed in seed_data.OFFICERS.get(party_code, ()):
        agency_id = agencies[officer_seed.agency_acronym].id
        exists = db.scalar(
            select(Officer.id).where(
                Officer.agency_id == agency_id, Officer.role_title == officer_seed.role_title
            )
        )
        if exists is None:
            db.add(
                Officer(
                    kind="liaison_officer",
                    role_title=officer_seed.role_title,
                    agency_id=agency_id,
                    host_party_code=officer_seed.host_party_code,
                    posting=officer_seed.posting,
                    accreditation_status="nominated",
                    nominated_on=officer_seed.nominated_on,
                )
            )
            created["officers"] += 1
    for role, acronym in seed_data.USER_AGENCIES.get(party_code, {}).items():
        username = seed_data.demo_username(party_code, role)
        if db.scalar(select(User.id).where(User.username == username)) is not None:
            continue
        db.add(
            User(
                username=username,
                display_name=f"Demo {role.value.replace('_', ' ')} ({party_code})",
                password_hash=_demo_password_hash(username),
                role=role.value,
                agency_id=agencies[acronym].id,
            )
        )
        created["users"] += 1
    db.flush()
    return dict(created)
