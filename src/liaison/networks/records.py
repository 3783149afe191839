"""Resolution records from the entities of an exchange message.

A person gives a record with its name keys (``names``), dates of birth and the
identifiers that go with it: its documents and, when the message names one person
only, the phones, e-mails, accounts and wallets reported with it. Every other entity
resolves on the exchange's own match key (the same subject gives the same key).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from liaison.exchange.entities import AddressEntity, Entity, PersonEntity
from liaison.exchange.entity_keys import label, match_keys
from liaison.exchange.indexing import parse_entities
from liaison.exchange.normalise import fold, name_key
from liaison.networks import names

RESOLVED_KINDS = frozenset(
    {
        "person",
        "organisation",
        "phone",
        "email",
        "bank_account",
        "crypto_wallet",
        "vehicle",
        "shipment",
        "vessel",
        "flight",
        "address",
    }
)
IDENTIFYING = frozenset({"phone", "email", "bank_account", "crypto_wallet"})
_TOKENS = re.compile(r"[^\W_]+")


@dataclass
class Record:
    id: str
    kind: str
    label: str
    key: str  # persons: "" (resolved by the model); others: the exchange match key
    person: dict[str, Any] = field(default_factory=dict)


def address_parts(text: str | None) -> tuple[list[str], list[str]]:
    """(words, numbers) of an address, folded, each once."""
    found = _TOKENS.findall(fold(text or ""))
    words = sorted({t for t in found if not any(c.isdigit() for c in t)})
    numbers = sorted({t for t in found if any(c.isdigit() for c in t)})
    return words, numbers


def person_row(
    uid: str,
    name: str,
    dob: str | None,
    ids: list[str],
    nationality: str | None,
    address: str | None = None,
    birthplace: str | None = None,
) -> dict[str, Any]:
    full, year = names.dob_parts(dob)
    place = names.latin(birthplace or "")
    words, numbers = address_parts(address)
    return {
        "unique_id": uid,
        "name_key": names.skeleton(name) or None,
        "first_key": names.first_key(name) or None,
        "last_key": names.last_key(name) or None,
        "latin": names.unmarked(name) or None,
        "dob": full or None,
        "dob_swapped": names.swapped(full) or None,
        "year": year or None,
        "ids": sorted(set(ids)),
        "addr_words": words,
        "addr_numbers": numbers,
        "markers": names.markers(name),
        "sex": names.sex(name) or None,
        "nationality": nationality,
        # the place of birth in Latin whatever its script, and its phonetic key
        "place": place or None,
        "place_key": name_key(place) or None,
    }


def current_row(row: dict[str, Any]) -> dict[str, Any]:
    """A stored row as this release compares it: rows stored before the markers were
    kept get them from their Latin name, and that name without them."""
    if "markers" in row:
        return row
    latin = row.get("latin") or ""
    return {**row, "markers": names.markers(latin), "latin": names.unmarked(latin) or None}


def markers_of(row: dict[str, Any]) -> list[str]:
    return list(current_row(row)["markers"])


def from_entities(message_id: str, raw: list[dict[str, Any]]) -> list[Record]:
    try:
        entities: list[Entity] = parse_entities(raw)
    except ValueError:
        return []
    persons = [e for e in entities if isinstance(e, PersonEntity)]
    shared: list[str] = []
    address: str | None = None
    if len(persons) == 1:
        for entity in entities:
            if entity.kind in IDENTIFYING:
                shared += match_keys(entity)
            if isinstance(entity, AddressEntity) and address is None:
                address = entity.text
    out: list[Record] = []
    for index, entity in enumerate(entities):
        if entity.kind not in RESOLVED_KINDS:
            continue
        uid = f"{message_id}:{index}"
        if isinstance(entity, PersonEntity):
            docs = [k for k in match_keys(entity) if k.startswith("person:doc:")]
            dob = entity.date_of_birth.isoformat() if entity.date_of_birth else None
            row = person_row(
                uid,
                entity.name,
                dob,
                docs + shared,
                entity.nationality,
                address,
                entity.place_of_birth,
            )
            out.append(Record(uid, "person", label(entity), "", row))
        else:
            keys = match_keys(entity)
            if keys:
                out.append(Record(uid, str(entity.kind), label(entity), keys[0][:300]))
    return out
