"""Idempotent demo seeding: every domain's seed step, in the order of ``liaison.domains``.

Re-running adds nothing that is already there.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from liaison.directory import seed_data
from liaison.kit.plugin import Registry
from liaison.kit.roles import Role


@dataclass
class SeedReport:
    created: dict[str, int] = field(default_factory=dict)


def seed_demo(db: Session, party_code: str, registry: Registry) -> SeedReport:
    """Run every domain's demo seed step. Flushes, never commits."""
    report = SeedReport()
    for step in registry.seed_steps:
        for kind, count in step(db, party_code).items():
            if count:
                report.created[kind] = report.created.get(kind, 0) + count
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
