"""The node's register of protected persons: refugee claimants and protected persons, the
country each fears, imported from CSV (name, date of birth, protection status, feared
country, reference) and kept under retention (category ``policy.protected_persons``).

Every policy decision matches each person in the item against it (normalised name, and
date of birth where both give one) and adds what the register knows to the item's facts:
a person the officer did not mark is still protected, so an omission can never make a
transfer lawful. The register only adds protection; it never removes what an officer set.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from liaison.kit.errors import ValidationFailed
from liaison.kit.i18n import Text
from liaison.kit.inputs import InputModel
from liaison.kit.plugin import N_, Purgeable
from liaison.ledger.service import record
from liaison.models.policy import ProtectedPerson
from liaison.policy.schemas import PartyCode, PersonFacts, PolicySubject, ProtectionStatus

COLUMNS = ("name", "date_of_birth", "protection_status", "feared_country", "reference")
OBJECT_TYPE = "policy.protected_person"
CATEGORY = "policy.protected_persons"
MAX_ROWS = 100_000


def name_key(name: str) -> str:
    """A name as the register compares it: accents, case, punctuation and spacing aside."""
    text = unicodedata.normalize("NFKD", name)
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    return " ".join(re.sub(r"[^\w\s]", " ", text).split())


def _blank_is_none(value: object) -> object:
    return None if isinstance(value, str) and not value.strip() else value


class RegisterRow(InputModel):
    name: str = Field(min_length=1, max_length=200)
    date_of_birth: Annotated[date | None, BeforeValidator(_blank_is_none)] = None
    protection_status: ProtectionStatus
    feared_country: PartyCode
    reference: str = Field(min_length=1, max_length=200)


def _rows(text: str) -> list[RegisterRow]:
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise ValidationFailed.on_field(
            "file",
            Text(
                N_("the CSV needs the columns %(COLUMNS)s; missing: %(missing)s"),
                COLUMNS=", ".join(COLUMNS),
                missing=", ".join(missing),
            ),
        )
    rows: list[RegisterRow] = []
    for line, raw in enumerate(reader, start=2):
        if len(rows) >= MAX_ROWS:
            raise ValidationFailed.on_field(
                "file", Text(N_("at most %(MAX_ROWS)s rows per import"), MAX_ROWS=MAX_ROWS)
            )
        try:
            row = RegisterRow.model_validate({c: (raw.get(c) or "").strip() for c in COLUMNS})
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise ValidationFailed.on_field(
                "file",
                Text(
                    N_("line %(line)s, %(where)s: %(first)s"),
                    line=line,
                    where=where,
                    first=first["msg"],
                ),
            ) from exc
        if row.protection_status not in (
            ProtectionStatus.REFUGEE_CLAIMANT,
            ProtectionStatus.PROTECTED_PERSON,
        ):
            raise ValidationFailed.on_field(
                "file",
                Text(
                    N_(
                        "line %(line)s: protection_status must be refugee_claimant "
                        "or protected_person"
                    ),
                    line=line,
                ),
            )
        rows.append(row)
    return rows


def import_csv(db: Session, text: str, *, actor: str, party: str) -> int:
    """Add the CSV's entries (an entry with a known reference is replaced); audited
    without names. Returns how many entries were imported."""
    rows = _rows(text)
    references = {row.reference for row in rows}
    known = {
        p.reference: p
        for p in db.scalars(
            select(ProtectedPerson).where(ProtectedPerson.reference.in_(references))
        )
    }
    for row in rows:
        entry = known.get(row.reference) or ProtectedPerson(reference=row.reference)
        entry.name = row.name
        entry.name_key = name_key(row.name)
        entry.date_of_birth = row.date_of_birth
        entry.protection_status = row.protection_status.value
        entry.feared_country = row.feared_country
        entry.party_code = party
        entry.imported_by = actor
        db.add(entry)
        known[row.reference] = entry
    db.flush()
    record(
        db,
        actor=actor,
        action="policy.register.import",
        object_type=OBJECT_TYPE,
        object_id="register",
        detail={"entries": len(rows)},
    )
    return len(rows)


def count(db: Session) -> int:
    return db.scalar(select(func.count()).select_from(ProtectedPerson)) or 0


def apply(db: Session, subject: PolicySubject) -> PolicySubject:
    """The subject with one more person fact for each person the register matches."""
    wanted: dict[str, list[PersonFacts]] = {}
    for person in subject.persons:
        if person.label:
            wanted.setdefault(name_key(person.label), []).append(person)
    if not wanted:
        return subject
    rows = db.scalars(select(ProtectedPerson).where(ProtectedPerson.name_key.in_(wanted)))
    added = [
        PersonFacts(
            label=f"{row.name} (register {row.reference})",
            protection_status=ProtectionStatus(row.protection_status),
            feared_country=row.feared_country,
        )
        for row in rows
        if any(_same_birth(row.date_of_birth, p.date_of_birth) for p in wanted[row.name_key])
    ]
    if not added:
        return subject
    return subject.model_copy(update={"persons": [*subject.persons, *added]})


def _same_birth(registered: date | None, given: date | None) -> bool:
    """A date of birth tells two people apart only when both sides give one."""
    return registered is None or given is None or registered == given


# retention ------------------------------------------------------------------------
def _expired(db: Session, party: str, cutoff: datetime, limit: int) -> list[str]:
    query = (
        select(ProtectedPerson.id)
        .where(ProtectedPerson.party_code == party, ProtectedPerson.imported_at < cutoff)
        .order_by(ProtectedPerson.imported_at)
        .limit(limit)
    )
    return list(db.scalars(query))


def _origin(db: Session, entry_id: str) -> str | None:
    return db.scalar(select(ProtectedPerson.party_code).where(ProtectedPerson.id == entry_id))


def _erase(db: Session, entry_id: str) -> dict[str, Any]:
    entry = db.get(ProtectedPerson, entry_id)
    if entry is None:
        return {}
    summary = {"reference": entry.reference, "protection_status": entry.protection_status}
    db.delete(entry)
    db.flush()
    return summary


PURGE_RULE = Purgeable(OBJECT_TYPE, _expired, _origin, _erase, category=CATEGORY)
