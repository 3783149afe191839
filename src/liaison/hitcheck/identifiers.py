"""What is checked: one identifier, normalised into the exchange's match keys.

Both sides use the exchange's entity models and ``entity_keys.match_keys``, so a
phone typed "098765 43210" with region IN and "+91 98765-43210" give one key, and a key
the querier computes is the key the answerer indexed. Persons add the cross-script
skeleton key (``names.skeleton``) on both sides.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import Field, ValidationError, model_validator

from liaison.exchange.entities import (
    BankAccountEntity,
    CryptoWalletEntity,
    Document,
    EmailEntity,
    Entity,
    PersonEntity,
    PhoneEntity,
    ShipmentEntity,
    VehicleEntity,
    VesselEntity,
)
from liaison.exchange.entity_keys import match_keys
from liaison.hitcheck.names import skeleton
from liaison.kit.errors import FieldError, ValidationFailed
from liaison.kit.i18n import Label, Text, as_text
from liaison.kit.inputs import InputModel
from liaison.kit.plugin import N_
from liaison.kit.validation import invalid_message


class Category(StrEnum):
    PHONE = "phone"
    EMAIL = "email"
    PASSPORT = "passport"
    TRAVEL_DOCUMENT = "travel_document"
    VISA = "visa"
    STUDY_PERMIT = "study_permit"
    ACCEPTANCE_LETTER = "acceptance_letter"  # a DLI's letter of acceptance
    IBAN = "iban"
    BANK_ACCOUNT = "bank_account"  # Indian account number + IFSC
    UPI = "upi"  # a UPI id (name@handle), case-insensitive
    CRYPTO_WALLET = "crypto_wallet"
    VEHICLE = "vehicle"
    VESSEL = "vessel"
    CONTAINER = "container"
    PERSON = "person"  # name + date of birth


def policy_class(key: str) -> str:
    """The indexing-policy class of a match key (``settings.hitcheck_indexed_categories``):
    its kind, but ``person:doc:…`` is a document."""
    if key.startswith("person:doc:"):
        return "document"
    return key.split(":", 1)[0]


class Identifier(InputModel):
    """One identifier to check. ``value`` is the number, address or name; ``country``
    the issuing country (documents, plates), default region (phones) or the IFSC (Indian
    bank accounts); ``date_of_birth`` goes with a person's name; ``currency`` with a
    wallet."""

    category: Category
    value: str = Field(min_length=1, max_length=200)
    country: str | None = Field(default=None, max_length=11)
    date_of_birth: date | None = None
    currency: str | None = Field(default=None, max_length=10)

    @model_validator(mode="after")
    def _person_needs_dob(self) -> Identifier:
        if self.category is Category.PERSON and self.date_of_birth is None:
            raise ValueError(N_("date_of_birth: a name is checked with a date of birth"))
        return self


def _entity(item: Identifier) -> Entity:
    value, country = item.value, item.country or None
    match item.category:
        case Category.PHONE:
            return PhoneEntity(number=value, region=country)
        case Category.EMAIL:
            return EmailEntity(address=value)
        case Category.IBAN:
            return BankAccountEntity(iban=value)
        case Category.BANK_ACCOUNT:
            return BankAccountEntity(account_number=value.replace(" ", ""), ifsc=country)
        case Category.UPI:
            return BankAccountEntity(upi=value)
        case Category.CRYPTO_WALLET:
            return CryptoWalletEntity(currency=item.currency or "BTC", address=value)
        case Category.VEHICLE:
            return VehicleEntity(registration=value, country=country)
        case Category.VESSEL:
            return VesselEntity(imo=value)
        case Category.CONTAINER:
            return ShipmentEntity(container=value)
        case Category.PERSON:
            return PersonEntity(name=value, date_of_birth=item.date_of_birth)
    document = Document(type=item.category.value, number=value, country=country)
    return PersonEntity(name="-", documents=[document])


def person_keys(keys: list[str]) -> list[str]:
    """The cross-script keys that go with a person's name+DOB keys."""
    extra: list[str] = []
    for key in keys:
        if key.startswith("person:name_dob:"):
            name, _, dob = key.removeprefix("person:name_dob:").rpartition("|")
            extra.append(f"person:skeleton:{skeleton(name)}|{dob}")
    return list(dict.fromkeys(extra))


def keys_of(item: Identifier) -> list[str]:
    """The match keys of one identifier (a hit on any of them is a hit)."""
    try:
        entity = _entity(item)
    except ValidationError as error:
        problems = [FieldError(field="value", message=invalid_message(e)) for e in error.errors()]
        raise ValidationFailed(
            Text(
                N_("%(category)s %(value)r: %(message)s"),
                category=Label(item.category, inline=True),
                value=item.value,
                message=as_text(problems[0].message),
            ),
            errors=problems,
        ) from None
    keys = match_keys(entity)
    if item.category is Category.PERSON:
        keys = [k for k in keys if k.startswith("person:name_dob:")]
        keys += person_keys(keys)
    return keys
