"""Deconfliction keys and one-line labels of exchange entities.

``match_keys`` gives the normalised keys under which an entity is indexed (the same
subject gives the same keys however it was typed); ``label`` the short text shown in
lists and threads.
"""

from __future__ import annotations

import re

from liaison.exchange.entities import (
    AddressEntity,
    BankAccountEntity,
    ChemicalEntity,
    CryptoWalletEntity,
    DomainEntity,
    EmailEntity,
    Entity,
    FlightEntity,
    IpEntity,
    OrganisationEntity,
    PersonEntity,
    PhoneEntity,
    ShipmentEntity,
    UrlEntity,
    VehicleEntity,
    VesselEntity,
)
from liaison.exchange.normalise import fold


def match_keys(entity: Entity) -> list[str]:
    """Normalised keys for deconfliction: same subject, same keys."""
    keys: list[str] = []
    match entity:
        case PersonEntity():
            names = [entity.name, *entity.transliterations, *entity.aliases]
            if entity.date_of_birth:
                dob = entity.date_of_birth.isoformat()
                keys += [f"person:name_dob:{fold(n)}|{dob}" for n in names]
            keys += [f"person:doc:{d.country or ''}:{d.number}" for d in entity.documents]
        case OrganisationEntity():
            keys.append(f"organisation:name:{fold(entity.name)}")
            if entity.registration_number:
                reg = re.sub(r"[\s-]", "", entity.registration_number).upper()
                keys.append(f"organisation:reg:{entity.country or ''}:{reg}")
        case PhoneEntity():
            keys.append(f"phone:{entity.number}")
        case EmailEntity():
            keys.append(f"email:{entity.address.lower()}")
        case AddressEntity():
            keys.append(f"address:{fold(entity.text)}")
        case VehicleEntity():
            keys.append(f"vehicle:reg:{entity.country or ''}:{entity.registration}")
            if entity.vin:
                keys.append(f"vehicle:vin:{entity.vin.upper()}")
        case VesselEntity():
            keys.append(f"vessel:imo:{entity.imo}")
        case FlightEntity():
            suffix = f"|{entity.date.isoformat()}" if entity.date else ""
            keys.append(f"flight:{entity.number}{suffix}")
        case BankAccountEntity():
            if entity.iban:
                keys.append(f"bank_account:iban:{entity.iban}")
            if entity.account_number:
                keys.append(f"bank_account:number:{entity.ifsc or ''}:{entity.account_number}")
            if entity.upi:
                keys.append(f"bank_account:upi:{entity.upi}")
        case CryptoWalletEntity():
            keys.append(f"crypto_wallet:{entity.currency.lower()}:{entity.address}")
        case IpEntity():
            keys.append(f"ip:{entity.address}")
        case DomainEntity():
            keys.append(f"domain:{entity.name}")
        case UrlEntity():
            keys.append(f"url:{entity.url}")
        case ShipmentEntity():
            if entity.container:
                keys.append(f"shipment:container:{entity.container}")
            if entity.bill_of_lading:
                keys.append(f"shipment:bl:{entity.bill_of_lading}")
        case ChemicalEntity():
            keys.append(
                f"chemical:cas:{entity.cas}" if entity.cas else f"chemical:name:{fold(entity.name)}"
            )
    return list(dict.fromkeys(keys))


def label(entity: Entity) -> str:
    """A short human label for lists."""
    match entity:
        case PersonEntity():
            dob = f" {entity.date_of_birth.isoformat()}" if entity.date_of_birth else ""
            place = f" in {entity.place_of_birth}" if entity.place_of_birth else ""
            born = f", b.{dob}{place}" if dob or place else ""
            return f"Person: {entity.name}{born}"
        case OrganisationEntity():
            return f"Organisation: {entity.name}"
        case PhoneEntity():
            return f"Phone: {entity.number}"
        case EmailEntity() | IpEntity():
            return f"{entity.kind.replace('_', ' ').capitalize()}: {entity.address}"
        case AddressEntity():
            return f"Address: {entity.text[:80]}"
        case VehicleEntity():
            return f"Vehicle: {entity.registration}"
        case VesselEntity():
            return f"Vessel: {entity.name} IMO {entity.imo}".replace(":  ", ": ")
        case FlightEntity():
            return f"Flight: {entity.number}"
        case BankAccountEntity():
            return (
                f"Bank account: {entity.iban or entity.account_number or 'UPI ' + str(entity.upi)}"
            )
        case CryptoWalletEntity():
            return f"{entity.currency} wallet: {entity.address}"
        case DomainEntity():
            return f"Domain: {entity.name}"
        case UrlEntity():
            return f"URL: {entity.url}"
        case ShipmentEntity():
            return f"Shipment: {entity.container or entity.bill_of_lading}"
        case ChemicalEntity():
            return f"Chemical: {entity.name}" + (f" (CAS {entity.cas})" if entity.cas else "")
    return str(entity.kind)  # pragma: no cover - the union is exhaustive
