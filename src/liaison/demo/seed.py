"""Idempotent seeding: re-running adds nothing that is already there."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from sqlalchemy import select
from sqlalchemy.orm import Session

from liaison.cyber.seed import seed_cyber
from liaison.demo import seed_data
from liaison.kit.roles import Role
from liaison.kit.security import hash_password
from liaison.models import Agency, Officer, Party, User
from liaison.policy.store import ensure_shipped_packs
from liaison.workplan.seed import seed_workplan


@dataclass
class SeedReport:
    created: dict[str, int] = field(default_factory=dict)

    def count(self, kind: str) -> None:
        self.created[kind] = self.created.get(kind, 0) + 1


@lru_cache(maxsize=32)
def _demo_password_hash(username: str) -> str:
    """Argon2 is deliberately slow; the demo's public passwords need hashing only once."""
    return hash_password(seed_data.demo_password(username))


def ensure_party(db: Session, code: str, name: str, report: SeedReport | None = None) -> Party:
    party = db.get(Party, code)
    if party is None:
        party = Party(code=code, name=name)
        db.add(party)
        db.flush()
        if report:
            report.count("parties")
    return party


def seed_demo(db: Session, party_code: str) -> SeedReport:
    """Seed this node's directory and one demo user per role. Flushes, never commits."""
    report = SeedReport()
    for code, name in seed_data.PARTIES.items():
        ensure_party(db, code, name, report)
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
        report.count("agencies")
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
            report.count("officers")
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
        report.count("users")
    db.flush()
    ensure_shipped_packs(db)
    report.created.update(seed_workplan(db))
    if seed_cyber(db, party_code):
        report.count("cyber collections")
    return report


def demo_logins(party_code: str) -> list[tuple[str, str, Role]]:
    return [
        (
            seed_data.demo_username(party_code, role),
            seed_data.demo_password(seed_data.demo_username(party_code, role)),
            role,
        )
        for role in seed_data.USER_AGENCIES.get(party_code, {})
    ]
