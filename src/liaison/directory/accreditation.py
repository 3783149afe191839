"""The accreditation life cycle, shared by local decisions and decisions from a peer."""

from __future__ import annotations

from liaison.directory.schemas import Accreditation, AccreditationChange
from liaison.kit.errors import Conflict, ValidationFailed
from liaison.kit.i18n import Label, Text
from liaison.kit.plugin import N_
from liaison.models import Officer

NEXT_STEPS: dict[Accreditation, frozenset[Accreditation]] = {
    Accreditation.NOMINATED: frozenset({Accreditation.ACCREDITED, Accreditation.WITHDRAWN}),
    Accreditation.ACCREDITED: frozenset({Accreditation.WITHDRAWN}),
    Accreditation.WITHDRAWN: frozenset(),
}


def apply_step(officer: Officer, change: AccreditationChange) -> None:
    """nominated → accredited → withdrawn (or nominated → withdrawn), dates in order."""
    current = Accreditation(officer.accreditation_status)
    if change.status not in NEXT_STEPS[current]:
        raise Conflict.on_field(
            "status",
            Text(
                N_("an officer who is %(current)s cannot become %(wanted)s"),
                current=Label(current, inline=True),
                wanted=Label(change.status, inline=True),
            ),
        )
    earliest = officer.accredited_on or officer.nominated_on
    if change.on < earliest:
        raise ValidationFailed.on_field(
            "on",
            Text(
                N_(
                    "%(on)s is before the %(value)s date %(earliest)s; "
                    "accreditation dates must be in order"
                ),
                on=change.on.isoformat(),
                value=Label(current, inline=True),
                earliest=earliest.isoformat(),
            ),
        )
    if change.status is Accreditation.ACCREDITED:
        officer.accredited_on = change.on
    else:
        officer.withdrawn_on = change.on
    officer.accreditation_status = change.status.value
