"""The substance register: load the shipped entries, search, update (admins, audited),
and check a notification's substance and unit against it."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import String, cast, func, or_, select
from sqlalchemy.orm import Session

from liaison.kit import clock
from liaison.kit.errors import FieldError, Forbidden, NotFound
from liaison.kit.i18n import Text
from liaison.kit.plugin import N_
from liaison.kit.roles import Caller
from liaison.ledger.service import record
from liaison.models import PrecursorSubstance
from liaison.precursors.schemas import UNITS, SubstanceIn
from liaison.precursors.seed_data import SUBSTANCES

OBJECT_TYPE = "precursors.substance"


def load_shipped(db: Session) -> int:
    """Add every shipped substance this node does not have yet; returns how many."""
    have = set(db.scalars(select(PrecursorSubstance.cas)))
    added = 0
    for entry in SUBSTANCES:
        data = SubstanceIn.model_validate(entry)
        if data.cas in have:
            continue
        db.add(PrecursorSubstance(**_columns(data), updated_by="seed"))
        added += 1
    db.flush()
    return added


def _columns(data: SubstanceIn) -> dict[str, object]:
    return data.model_dump(mode="json")


def by_cas(db: Session) -> dict[str, PrecursorSubstance]:
    return {s.cas: s for s in db.scalars(select(PrecursorSubstance))}


def search(db: Session, text: str = "", category: str = "") -> list[PrecursorSubstance]:
    query = select(PrecursorSubstance).order_by(
        PrecursorSubstance.category, PrecursorSubstance.name
    )
    if category:
        query = query.where(PrecursorSubstance.category == category)
    term = text.strip().lower()
    if term:
        like = f"%{term}%"
        query = query.where(
            or_(
                func.lower(PrecursorSubstance.name).like(like),
                PrecursorSubstance.cas.like(like),
                PrecursorSubstance.hs_code.like(like),
                func.lower(PrecursorSubstance.family).like(like),
                func.lower(cast(PrecursorSubstance.synonyms, String)).like(like),
            )
        )
    return list(db.scalars(query.limit(500)))


def get(db: Session, cas: str) -> PrecursorSubstance:
    row = db.scalar(select(PrecursorSubstance).where(PrecursorSubstance.cas == cas))
    if row is None:
        raise NotFound(Text(N_("no substance with CAS %(cas)s in the register"), cas=cas))
    return row


def save(db: Session, caller: Caller, data: SubstanceIn) -> PrecursorSubstance:
    """Add or update an entry (administrators only); the change is audited."""
    if not caller.is_admin:
        raise Forbidden(N_("only administrators update the substance register"))
    row = db.scalar(select(PrecursorSubstance).where(PrecursorSubstance.cas == data.cas))
    before = None if row is None else {"name": row.name, "control": row.control}
    if row is None:
        row = PrecursorSubstance(cas=data.cas)
        db.add(row)
    for key, value in _columns(data).items():
        setattr(row, key, value)
    row.updated_by = caller.username
    row.updated_at = clock.now()
    db.flush()
    record(
        db,
        actor=f"user:{caller.username}",
        action="precursors.substance.save",
        object_type=OBJECT_TYPE,
        object_id=data.cas,
        detail={"before": before, "after": {"name": row.name, "control": row.control}},
    )
    return row


def substance_errors(
    register: Mapping[str, PrecursorSubstance], cas: str, unit: str
) -> list[FieldError]:
    """Why a notification's substance or unit does not fit the register (none if it does)."""
    substance = register.get(cas)
    if substance is None:
        return [
            FieldError(
                "substance_cas",
                Text(
                    N_(
                        "%(cas)s is not in the substance register: notify only registered "
                        "precursors (an administrator adds new ones)"
                    ),
                    cas=cas,
                ),
            )
        ]
    base = UNITS[unit.lower()][0]
    if base != substance.unit:
        solid = substance.unit == "kg"
        wrong = (
            N_("%(name)s is a solid, notified in kg or g, not in %(unit)s")
            if solid
            else N_("%(name)s is a liquid, notified in L or mL, not in %(unit)s")
        )
        return [FieldError("unit", Text(wrong, name=substance.name, unit=unit))]
    return []
