"""The controlled-delivery panel of a case page: the plan, its authorisations and
timeline, and the forms (posted to ``precursors_deliveries``). Built only for cases of
kind ``controlled_delivery``; the plan is read through the service, which filters it."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from liaison.config import Settings
from liaison.exchange.access import CaseView
from liaison.exchange.repository import ExchangeRepository
from liaison.exchange.schemas import CaseKind
from liaison.kit.errors import NotFound
from liaison.kit.roles import Caller
from liaison.precursors import register
from liaison.precursors.deliveries import DeliveryService
from liaison.precursors.delivery_schemas import (
    LEGAL_REFERENCES,
    MOVES,
    DeliveryStatus,
    PlanOut,
)
from liaison.precursors.service import SENDERS
from liaison.web.views.common import choices
from liaison.web.views.forms import FormState

CONSIGNMENT_FIELDS = ("container", "vessel_imo", "air_waybill", "bill_of_lading")


def route_text(route: list[dict[str, Any]]) -> str:
    """One leg a line: ``place; mode; party taking over`` (the form's route field)."""
    lines = []
    for leg in route:
        parts = [leg.get("place") or "", leg.get("mode") or "", leg.get("handover_to") or ""]
        lines.append("; ".join(parts).rstrip("; "))
    return "\n".join(lines)


def plan_values(plan: PlanOut | None, own: str, peer: str) -> dict[str, str | list[str]]:
    if plan is None:
        return {"unit": "kg"}
    first = plan.consignments[0] if plan.consignments else {}
    return {
        **{name: str(first.get(name) or "") for name in CONSIGNMENT_FIELDS},
        "substance_cas": plan.substance_cas,
        "quantity": f"{plan.quantity:g}",
        "unit": plan.unit,
        "route": route_text(plan.route),
        "window_start": plan.window_start.isoformat(),
        "window_end": plan.window_end.isoformat(),
        "lead_own": plan.lead_agencies.get(own, ""),
        "lead_peer": plan.lead_agencies.get(peer, ""),
    }


def panel(
    db: Session, caller: Caller, settings: Settings, case: CaseView, forms: dict[str, FormState]
) -> dict[str, Any] | None:
    if case.kind != CaseKind.CONTROLLED_DELIVERY.value:
        return None
    own = settings.party
    peer = next((p for p in case.parties if p != own), "")
    try:
        plan: PlanOut | None = DeliveryService(db, caller, settings).view(case.id)
    except NotFound:
        plan = None
    readable = not case.withheld
    repo = ExchangeRepository(db, caller)
    current = DeliveryStatus(plan.status) if plan else DeliveryStatus.PROPOSED
    blank = {
        "cd_plan": FormState(values=plan_values(plan, own, peer)),
        "cd_authorise": FormState(values={"legal_reference": LEGAL_REFERENCES.get(own, "")}),
        "cd_status": FormState(),
    }
    return {
        "plan": plan,
        "readable": readable,
        "own": own,
        "peer": peer,
        "forms": blank | {k: v for k, v in forms.items() if k.startswith("cd_")},
        "may_change": readable and caller.role in SENDERS,
        "may_authorise": plan is not None
        and plan.status == DeliveryStatus.PROPOSED.value
        and own in plan.awaiting,
        "moves": choices(s for s in DeliveryStatus if s in MOVES[current]),
        "substances": [(s.cas, f"{s.name} ({s.cas})") for s in register.search(db)],
        "units": [(u, u) for u in ("kg", "g", "L", "mL")],
        "own_agencies": [(a.id, a.acronym) for a in repo.agencies_of(own, own=True)],
        "peer_agencies": [
            (a.id, a.acronym) for a in repo.agencies_of(own, own=False) if a.party_code == peer
        ],
        "agency_names": {
            a.id: f"{a.acronym} ({a.party_code})"
            for a in repo.agencies_of(own, own=True) + repo.agencies_of(own, own=False)
        },
    }
