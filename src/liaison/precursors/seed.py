"""Demo seed (February 2026): the substance register, and a few notifications and
incidents. India's node holds the exporting copies, Canada's the importing ones, under
the same stable ids, so the two demo nodes agree before they ever talk."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from liaison.kit import clock
from liaison.models import PrecursorIncident, PrecursorNotice
from liaison.precursors import register, rollup

NAMESPACE = uuid.UUID("5b0d3f56-6c2e-4a77-9a8e-0f3e1c2a9b71")
FEB = datetime(2026, 2, 9, 10, 0, tzinfo=UTC)
# The seeded incident the demo opens as a controlled-delivery case (precursors/demo.py).
DEMO_DELIVERY_INCIDENT = "controlled-delivery-yvr"
# (own agency, peer party, peer agency, who authorises) per party holding that incident
DEMO_DELIVERY: dict[str, tuple[str, str, str, str]] = {
    "CA": ("RCMP", "IN", "NCB", "Superintendent, RCMP Federal Policing, Pacific Region"),
}

# (key, substance, cas, quantity, exporter, importer, consignee, transit, entry, status, reason)
NOTICES: tuple[tuple[Any, ...], ...] = (
    ("pen-1", "4-Piperidone", "41661-47-6", 500.0, "Vapi Fine Chemicals Pvt Ltd",
     "Maple Lab Supply Inc.", "Maple Lab Supply Inc., Mississauga", [], "Port of Montreal",
     "legitimate", ""),
    ("pen-2", "1-boc-4-piperidone (tert-butyl 4-oxopiperidine-1-carboxylate)", "79099-07-3",
     200.0, "Ankleshwar Intermediates LLP", "Northshore Research Chemicals Ltd",
     "Pacific Freight Consolidators, Richmond BC", ["AE"], "Port of Vancouver", "objection",
     "The importer holds no licence under the Precursor Control Regulations and the "
     "consignee is a freight consolidator with no laboratory."),
    ("pen-3", "NPP (N-phenethyl-4-piperidone)", "39742-60-4", 25.0,
     "Hyderabad Speciality Organics Ltd", "Laurentian Pharma Research Inc.",
     "Laurentian Pharma Research Inc., Laval", [], "Montreal-Trudeau airport (YUL)",
     "sent", ""),
)  # fmt: skip


def stable_id(key: str) -> str:
    return str(uuid.uuid5(NAMESPACE, f"precursors:{key}"))


def _notice(seed: tuple[Any, ...], party: str, now: datetime) -> PrecursorNotice:
    key, name, cas, quantity, exporter, importer, consignee, transit, entry, status, reason = seed
    transit = list(transit)
    open_one = status == "sent"
    sent = now - timedelta(days=5) if open_one else FEB
    answered = None if open_one else sent + timedelta(days=3)
    direction = "out" if party == "IN" else "in"
    return PrecursorNotice(
        id=stable_id(str(key)),
        reference=f"IN-PEN-2026-{str(key)[-1].zfill(5)}",
        direction=direction,
        exporting_party="IN",
        importing_party="CA",
        exporter=exporter,
        exporter_country="IN",
        importer=importer,
        consignee=consignee,
        substance_cas=cas,
        substance_name=name,
        quantity=quantity,
        unit="kg",
        purpose="Manufacture of pharmaceutical intermediates",
        transit_points=transit,
        route="-".join(["IN", *transit, "CA"]),
        point_of_entry=entry,
        dispatch_date=(sent + timedelta(days=20)).date(),
        licences=["IN-NCB-EXP-2026-0419"],
        container=None,
        vessel_imo=None,
        vessel_name="",
        tlp="AMBER",
        handling_code="intelligence_only",
        legal_basis="statute",
        legal_basis_reference="1988 UN Convention, art. 12(10)(a)",
        status=status if status != "sent" or direction == "out" else "received",
        respond_by=sent + timedelta(days=15),
        answer_reason=reason,
        answered_by="CBSA precursor desk" if answered else "",
        answered_at=answered,
        created_by="seed",
        created_at=sent,
        sent_at=sent,
    )


def _incidents(party: str) -> list[PrecursorIncident]:
    if party == "CA":
        return [
            PrecursorIncident(
                id=stable_id("seizure-yvr"),
                kind="seizure",
                party="CA",
                substance_cas="23056-29-3",
                substance_name="4-AP (4-anilinopiperidine)",
                quantity=48.0,
                unit="kg",
                diversion_method="mislabelling",
                location="Port of Vancouver",
                occurred_on=date(2026, 2, 17),
                description="Declared as 'industrial dye intermediate'; CBSA lab confirmed 4-AP.",
                consignee="Pacific Freight Consolidators, Richmond BC",
                tlp="AMBER",
                created_by="seed",
            ),
            PrecursorIncident(
                id=stable_id(DEMO_DELIVERY_INCIDENT),
                kind="controlled_delivery",
                party="CA",
                substance_cas="41661-47-6",
                substance_name="4-Piperidone",
                quantity=120.0,
                unit="kg",
                diversion_method="mislabelling",
                location="Port of Vancouver",
                occurred_on=date(2026, 3, 2),
                description="Declared as dye intermediates, shipped from Nhava Sheva; CBSA "
                "proposes to let the container run to the consignee under surveillance.",
                exporter="Vapi Fine Chemicals Pvt Ltd",
                consignee="Pacific Freight Consolidators, Richmond BC",
                container="MSCU1234566",
                vessel_imo="9321483",
                tlp="AMBER",
                created_by="seed",
            ),
        ]
    if party == "IN":
        return [
            PrecursorIncident(
                id=stable_id("order-online"),
                kind="suspicious_order",
                party="IN",
                substance_cas="125541-22-2",
                substance_name="1-boc-4-AP (tert-butyl 4-(phenylamino)piperidine-1-carboxylate)",
                quantity=10.0,
                unit="kg",
                diversion_method="online_order",
                location="B2B chemicals marketplace",
                occurred_on=date(2026, 2, 12),
                description="Repeated orders paid in cryptocurrency, delivery to a Canadian "
                "mailbox address.",
                tlp="AMBER",
                created_by="seed",
            )
        ]
    return []


def seed_precursors(db: Session, party: str) -> dict[str, int]:
    """Idempotent; flushes, never commits."""
    created = {"precursor substances": register.load_shipped(db)}
    now = clock.now()
    new = []
    if party in ("CA", "IN"):
        for seed in NOTICES:
            if db.get(PrecursorNotice, stable_id(str(seed[0]))) is None:
                new.append(_notice(seed, party, now))
    db.add_all(new)
    db.flush()
    rollup.count_new(db, new)
    for notice in new:
        if notice.answered_at is not None:
            rollup.count_answer(db, notice)
    incidents = [i for i in _incidents(party) if db.get(PrecursorIncident, i.id) is None]
    db.add_all(incidents)
    db.flush()
    created["pre-export notifications"] = len(new)
    created["precursor incidents"] = len(incidents)
    return created
