"""Traffic Light Protocol: the order (as in the policy engine contract) and the STIX
marking-definition ids of TLP 2.0 (official OASIS ids) and TLP 1 (read for compatibility)."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum


class Tlp(StrEnum):
    CLEAR = "CLEAR"
    GREEN = "GREEN"
    AMBER = "AMBER"
    AMBER_STRICT = "AMBER+STRICT"
    RED = "RED"

    @property
    def rank(self) -> int:
        return _RANKS[self._value_]

    @classmethod
    def from_rank(cls, rank: int) -> Tlp:
        return _ORDER[rank]


_ORDER = [Tlp.CLEAR, Tlp.GREEN, Tlp.AMBER, Tlp.AMBER_STRICT, Tlp.RED]
_RANKS = {tlp.value: rank for rank, tlp in enumerate(_ORDER)}  # by value: a plain str hash

# Objects up to this rank are readable by anyone with read rights on the collection.
OPEN_RANK = Tlp.AMBER.rank

TLP2_MARKINGS: dict[str, Tlp] = {
    "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487": Tlp.CLEAR,
    "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb": Tlp.GREEN,
    "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421": Tlp.AMBER,
    "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003": Tlp.AMBER_STRICT,
    "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1": Tlp.RED,
}
TLP1_MARKINGS: dict[str, Tlp] = {
    "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9": Tlp.CLEAR,  # TLP:WHITE
    "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da": Tlp.GREEN,
    "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82": Tlp.AMBER,
    "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed": Tlp.RED,
}
ALL_MARKINGS = {**TLP1_MARKINGS, **TLP2_MARKINGS}
MARKING_FOR = {tlp: marking for marking, tlp in TLP2_MARKINGS.items()}


def tlp_of(marking_refs: Iterable[str] | None) -> Tlp | None:
    """The strictest TLP among an object's marking references, or None if unmarked."""
    found = [ALL_MARKINGS[ref] for ref in marking_refs or () if ref in ALL_MARKINGS]
    return max(found, key=lambda tlp: tlp.rank) if found else None
