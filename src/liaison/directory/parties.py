"""The directory's parties: recorded once, named from the seed data or ISO 3166."""

from __future__ import annotations

import pycountry
from sqlalchemy import select
from sqlalchemy.orm import Session

from liaison.directory import seed_data
from liaison.models import Party


def party_name(code: str) -> str:
    """The seed data's name for a party, else its ISO 3166 name, else the code."""
    if code in seed_data.PARTIES:
        return seed_data.PARTIES[code]
    country = pycountry.countries.get(alpha_2=code)
    return str(country.name) if country is not None else code


def ensure_party(db: Session, code: str, name: str | None = None) -> bool:
    """Record a party if it is not known yet; True if it was added. Flushes."""
    if db.get(Party, code) is not None:
        return False
    time_zone = seed_data.PARTY_TIME_ZONES.get(code)
    db.add(Party(code=code, name=name or party_name(code), time_zone=time_zone))
    db.flush()
    return True


def parties(db: Session) -> list[Party]:
    """Every party the directory knows, in code order."""
    return list(db.scalars(select(Party).order_by(Party.code)))


def party_codes(db: Session) -> list[str]:
    """Every party the directory knows, in code order."""
    return list(db.scalars(select(Party.code).order_by(Party.code)))


def other_parties(db: Session, own_party: str) -> list[str]:
    """The directory's parties other than ``own_party``, in code order."""
    return [code for code in party_codes(db) if code != own_party]
