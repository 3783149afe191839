"""Entities carried by exchange messages: one validated, normalised model per kind.

Each model checks the identifier it carries (CAS and ISO 6346 check digits, IBAN,
IMO, E.164 phone numbers, IP addresses ...) and normalises it, so that
``entity_keys.match_keys`` gives the same keys for the same subject however it was typed.
Errors name the field (pydantic ``loc``), e.g. ``entities.0.cas``.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import re
from collections.abc import Sequence
from datetime import date
from enum import StrEnum
from typing import Annotated, Literal
from urllib.parse import urlsplit

import phonenumbers
from pydantic import Field, ValidationInfo, field_validator, model_validator
from stdnum import casrn, iban, imo, iso6346

from liaison.exchange.normalise import (
    checked,
    country_code,
    domain_name,
    domain_or_ip,
    field_error,
)
from liaison.kit.clock import now
from liaison.kit.inputs import InputModel
from liaison.kit.plugin import N_
from liaison.policy.schemas import ActivityBasis, OptionalParty, PersonFacts, ProtectionStatus


class EntityKind(StrEnum):
    PERSON = "person"
    ORGANISATION = "organisation"
    PHONE = "phone"
    EMAIL = "email"
    ADDRESS = "address"
    VEHICLE = "vehicle"
    VESSEL = "vessel"
    FLIGHT = "flight"
    BANK_ACCOUNT = "bank_account"
    CRYPTO_WALLET = "crypto_wallet"
    IP = "ip"
    DOMAIN = "domain"
    URL = "url"
    SHIPMENT = "shipment"
    CHEMICAL = "chemical"


_COUNTRY = r"^[A-Z]{2}$"
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+$")
_FLIGHT = re.compile(r"^([A-Z]{2,3}|[A-Z][0-9]|[0-9][A-Z])\s*0*(\d{1,4})([A-Z]?)$")
_BTC_BASE58 = re.compile(r"^[13][1-9A-HJ-NP-Za-km-z]{25,34}$")
_BTC_BECH32 = re.compile(r"^(bc1|tb1)[02-9ac-hj-np-z]{8,87}$")
_ETH = re.compile(r"^0x[0-9a-fA-F]{40}$")
# A UPI id (virtual payment address): a name, "@", the payment provider's handle.
_UPI = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}@[a-z][a-z0-9]{1,63}$")


class _Entity(InputModel):
    note: str = Field(default="", max_length=2000)


class Document(InputModel):
    type: str = Field(min_length=1, max_length=40, description="passport, national_id, ...")
    number: str = Field(min_length=1, max_length=60)
    country: str | None = None

    @field_validator("number")
    @classmethod
    def _number(cls, value: str) -> str:
        return re.sub(r"[\s-]", "", value).upper()

    @field_validator("country")
    @classmethod
    def country_code(cls, value: str | None) -> str | None:
        return country_code(value)


class PersonEntity(_Entity):
    kind: Literal["person"] = "person"
    name: str = Field(min_length=1, max_length=200)
    transliterations: list[Annotated[str, Field(min_length=1, max_length=200)]] = Field(
        default_factory=list, max_length=10, description="the name in other scripts"
    )
    aliases: list[Annotated[str, Field(min_length=1, max_length=200)]] = Field(
        default_factory=list, max_length=20
    )
    date_of_birth: date | None = None
    # town or district, in any script (Indian police and immigration records carry it;
    # the person model compares it across scripts, ``networks.levels.BIRTHPLACE``)
    place_of_birth: str | None = Field(default=None, min_length=1, max_length=120)
    nationality: str | None = None
    documents: list[Document] = Field(default_factory=list, max_length=20)
    # What the node knows that the rules read (policy.facts); kept on this node: the
    # copy sent to a peer leaves them out (``exchange.federation.wire``).
    protection_status: ProtectionStatus = ProtectionStatus.NONE
    feared_country: OptionalParty = None
    mistreatment_risk: bool = False
    activity_basis: list[ActivityBasis] = Field(default_factory=list, max_length=10)

    def policy_facts(self) -> PersonFacts:
        return PersonFacts(
            label=self.name,
            date_of_birth=self.date_of_birth,
            protection_status=self.protection_status,
            feared_country=self.feared_country,
            mistreatment_risk=self.mistreatment_risk,
            activity_basis=self.activity_basis,
        )

    @field_validator("date_of_birth")
    @classmethod
    def _dob(cls, value: date | None) -> date | None:
        if value is not None and value > now().date():
            raise ValueError(N_("is in the future"))
        return value

    @field_validator("nationality")
    @classmethod
    def _nationality(cls, value: str | None) -> str | None:
        return country_code(value)


class OrganisationEntity(_Entity):
    kind: Literal["organisation"] = "organisation"
    name: str = Field(min_length=1, max_length=200)
    country: str | None = None
    registration_number: str | None = Field(default=None, max_length=60)

    @field_validator("country")
    @classmethod
    def country_code(cls, value: str | None) -> str | None:
        return country_code(value)


class PhoneEntity(_Entity):
    kind: Literal["phone"] = "phone"
    region: str | None = Field(default=None, description="default region when no + prefix")
    number: str = Field(min_length=3, max_length=40)

    @field_validator("region")
    @classmethod
    def _region(cls, value: str | None) -> str | None:
        return country_code(value)

    @field_validator("number")
    @classmethod
    def _e164(cls, value: str, info: ValidationInfo) -> str:
        region = info.data.get("region")
        if not value.startswith("+") and region is None:
            raise ValueError(N_("needs a + country code, or a region"))
        try:
            parsed = phonenumbers.parse(value, region)
        except phonenumbers.NumberParseException:
            raise ValueError(N_("is not a phone number")) from None
        if not phonenumbers.is_valid_number(parsed):
            raise ValueError(N_("is not a valid phone number"))
        return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


class EmailEntity(_Entity):
    kind: Literal["email"] = "email"
    address: str = Field(min_length=3, max_length=254)

    @field_validator("address")
    @classmethod
    def _address(cls, value: str) -> str:
        if not _EMAIL.match(value):
            raise ValueError(N_("is not an e-mail address"))
        local, _, domain = value.rpartition("@")
        return f"{local}@{domain_name(domain)}"


class AddressEntity(_Entity):
    kind: Literal["address"] = "address"
    text: str = Field(min_length=3, max_length=500)
    country: str | None = None

    @field_validator("country")
    @classmethod
    def country_code(cls, value: str | None) -> str | None:
        return country_code(value)


class VehicleEntity(_Entity):
    kind: Literal["vehicle"] = "vehicle"
    registration: str = Field(min_length=2, max_length=20)
    country: str | None = None
    vin: str | None = Field(default=None, pattern=r"^[A-HJ-NPR-Za-hj-npr-z0-9]{17}$")

    @field_validator("registration")
    @classmethod
    def _registration(cls, value: str) -> str:
        return re.sub(r"[\s-]", "", value).upper()

    @field_validator("country")
    @classmethod
    def country_code(cls, value: str | None) -> str | None:
        return country_code(value)


class VesselEntity(_Entity):
    kind: Literal["vessel"] = "vessel"
    name: str = Field(default="", max_length=200)
    imo: str = Field(min_length=7, max_length=12)

    @field_validator("imo")
    @classmethod
    def _imo(cls, value: str) -> str:
        return checked(imo.validate, value, N_("IMO number"))


class FlightEntity(_Entity):
    kind: Literal["flight"] = "flight"
    number: str = Field(min_length=3, max_length=10)
    date: dt.date | None = None

    @field_validator("number")
    @classmethod
    def _number(cls, value: str) -> str:
        match = _FLIGHT.match(value.upper())
        if not match:
            raise ValueError(
                N_("is not a flight number (airline code and 1-4 digits, e.g. AC 873)")
            )
        return f"{match[1]}{int(match[2])}{match[3]}"


class BankAccountEntity(_Entity):
    kind: Literal["bank_account"] = "bank_account"
    iban: str | None = None
    account_number: str | None = Field(default=None, max_length=40)
    bank: str = Field(default="", max_length=200)
    ifsc: str | None = Field(default=None, pattern=r"^[A-Za-z]{4}0[A-Za-z0-9]{6}$")
    upi: str | None = Field(default=None, max_length=130, description="UPI id: name@handle")

    @field_validator("iban")
    @classmethod
    def _iban(cls, value: str | None) -> str | None:
        return None if value is None else checked(iban.validate, value, N_("IBAN"))

    @field_validator("upi")
    @classmethod
    def _upi(cls, value: str | None) -> str | None:
        """Case-folded (UPI ids are case-insensitive), spaces dropped, shape checked."""
        if value is None:
            return None
        folded = re.sub(r"\s", "", value).casefold()
        if not _UPI.match(folded):
            raise ValueError(N_("is not a UPI id (name@handle, e.g. ravi.kumar@okaxis)"))
        return folded

    @model_validator(mode="after")
    def _some_number(self) -> BankAccountEntity:
        if self.iban is None and not self.account_number and not self.upi:
            raise field_error("iban", "an IBAN, an account number or a UPI id is required")
        if self.account_number:
            self.account_number = re.sub(r"[\s-]", "", self.account_number)
        if self.ifsc:
            self.ifsc = self.ifsc.upper()
        return self


class CryptoWalletEntity(_Entity):
    kind: Literal["crypto_wallet"] = "crypto_wallet"
    currency: Literal["BTC", "ETH"]
    address: str = Field(min_length=26, max_length=90)

    @field_validator("address")
    @classmethod
    def _shape(cls, value: str, info: ValidationInfo) -> str:
        if info.data.get("currency") == "ETH":
            if not _ETH.match(value):
                raise ValueError(N_("is not an Ethereum address (0x and 40 hex digits)"))
            return value.lower()
        lowered = value.lower()
        if _BTC_BECH32.match(lowered) and value in (lowered, value.upper()):
            return lowered
        if not _BTC_BASE58.match(value):
            raise ValueError(N_("is not a Bitcoin address (base58 or bech32)"))
        return value


class IpEntity(_Entity):
    kind: Literal["ip"] = "ip"
    address: str = Field(min_length=2, max_length=45)

    @field_validator("address")
    @classmethod
    def _address(cls, value: str) -> str:
        try:
            return str(ipaddress.ip_address(value))
        except ValueError:
            raise ValueError(N_("is not an IPv4 or IPv6 address")) from None


class DomainEntity(_Entity):
    kind: Literal["domain"] = "domain"
    name: str = Field(min_length=3, max_length=253)

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        return domain_name(value)


class UrlEntity(_Entity):
    kind: Literal["url"] = "url"
    url: str = Field(min_length=8, max_length=2000)

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme.lower() not in {"http", "https", "ftp"} or not parts.hostname:
            raise ValueError(N_("is not an http(s) or ftp URL"))
        host = domain_or_ip(parts.hostname)
        netloc = host if parts.port is None else f"{host}:{parts.port}"
        path = parts.path or "/"
        query = f"?{parts.query}" if parts.query else ""
        return f"{parts.scheme.lower()}://{netloc}{path}{query}"


class ShipmentEntity(_Entity):
    kind: Literal["shipment"] = "shipment"
    container: str | None = None
    bill_of_lading: str | None = Field(default=None, max_length=40)
    description: str = Field(default="", max_length=500)

    @field_validator("container")
    @classmethod
    def _container(cls, value: str | None) -> str | None:
        if value is None:
            return None
        cleaned = re.sub(r"[\s-]", "", value).upper()
        return checked(iso6346.validate, cleaned, N_("container number (ISO 6346)"))

    @model_validator(mode="after")
    def _some_number(self) -> ShipmentEntity:
        if self.container is None and not self.bill_of_lading:
            raise field_error("container", "a container or bill of lading number is required")
        if self.bill_of_lading:
            self.bill_of_lading = re.sub(r"\s", "", self.bill_of_lading).upper()
        return self


class ChemicalEntity(_Entity):
    kind: Literal["chemical"] = "chemical"
    name: str = Field(min_length=1, max_length=200)
    cas: str | None = None

    @field_validator("cas")
    @classmethod
    def _cas(cls, value: str | None) -> str | None:
        return None if value is None else checked(casrn.validate, value, N_("CAS number"))


Entity = Annotated[
    PersonEntity
    | OrganisationEntity
    | PhoneEntity
    | EmailEntity
    | AddressEntity
    | VehicleEntity
    | VesselEntity
    | FlightEntity
    | BankAccountEntity
    | CryptoWalletEntity
    | IpEntity
    | DomainEntity
    | UrlEntity
    | ShipmentEntity
    | ChemicalEntity,
    Field(discriminator="kind"),
]


PERSON_FACT_FIELDS = ("protection_status", "feared_country", "mistreatment_risk", "activity_basis")


def person_facts(entities: Sequence[object]) -> list[PersonFacts]:
    """The policy facts of every person entity in an item."""
    return [e.policy_facts() for e in entities if isinstance(e, PersonEntity)]
