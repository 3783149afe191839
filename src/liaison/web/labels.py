"""The enums whose values pages show as words (``humanize``), so their labels are in the
catalogues and read in the reader's language. Add an enum here when a page shows it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from enum import StrEnum

from liaison.directory.schemas import Accreditation, ChannelKind, MandateArea, OfficerKind
from liaison.exchange.schemas import (
    CaseKind,
    ConsentStatus,
    LegalBasis,
    MessageStatus,
    MessageType,
    Outcome,
    Priority,
    ReasonCode,
)
from liaison.kit.plugin import N_
from liaison.kit.roles import Role
from liaison.policy.review_schemas import ReviewStatus
from liaison.policy.schemas import Effect, HandlingCode, ObligationKind
from liaison.precursors.delivery_schemas import DeliveryStatus
from liaison.precursors.schemas import Outcome as PrecursorOutcome
from liaison.workplan.schemas import ProposalStatus, Status

TRANSLATED_ENUMS: tuple[type[StrEnum], ...] = (
    Role,
    MessageType,
    Priority,
    MessageStatus,
    LegalBasis,
    Outcome,
    ReasonCode,
    HandlingCode,
    Effect,
    ObligationKind,
    Status,
    ProposalStatus,
    MandateArea,
    OfficerKind,
    Accreditation,
    ChannelKind,
    ReviewStatus,
    PrecursorOutcome,
    CaseKind,
    DeliveryStatus,
    ConsentStatus,
)


def enum_labels(humanize: Callable[[object], str]) -> Iterator[str]:
    """Every label of the enums above, as ``humanize`` writes it (the message ids)."""
    for enum in TRANSLATED_ENUMS:
        for member in enum:
            yield humanize(member)


# The seed data's party names (``liaison.directory.seed_data.PARTIES``), which pages show
# through ``| translated``: listed here so that they are in the catalogues.
PARTY_NAMES = (N_("Canada"), N_("India"), N_("United States"))
