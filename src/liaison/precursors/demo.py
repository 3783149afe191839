"""The demo's controlled delivery: once the nodes are peered, the node holding the seeded
controlled-delivery incident (Canada) opens it as a case to its peer's drugs agency, with
the plan the incident sketches, and authorises it for its own party; the peer's officers
see the case and the plan waiting for their authorisation. Idempotent."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from liaison.config import Settings
from liaison.exchange.seed import seed_caller
from liaison.kit import clock
from liaison.kit.db import make_engine, make_session_factory, unit_of_work
from liaison.kit.roles import Role
from liaison.models import Agency, Peer, PrecursorIncident
from liaison.precursors.deliveries import DeliveryService
from liaison.precursors.delivery_schemas import AuthoriseIn
from liaison.precursors.incidents import IncidentService
from liaison.precursors.schemas import CaseIn
from liaison.precursors.seed import DEMO_DELIVERY, DEMO_DELIVERY_INCIDENT, stable_id


def open_demo_delivery(db: Session, settings: Settings) -> str | None:
    """Open and authorise this node's demo controlled delivery; its case id, or None when
    this node has none to open (no such incident, peer not pinned, or already opened)."""
    spec = DEMO_DELIVERY.get(settings.party)
    incident = db.get(PrecursorIncident, stable_id(DEMO_DELIVERY_INCIDENT))
    officer = seed_caller(db, settings, Role.LIAISON_OFFICER)
    if spec is None or incident is None or incident.case_id or officer is None:
        return None
    own_agency, peer_party, peer_agency, authorised_by = spec
    agencies = {(a.party_code, a.acronym): a.id for a in db.scalars(select(Agency))}
    to = (peer_party, peer_agency)
    if db.get(Peer, peer_party) is None or to not in agencies:
        return None
    case = CaseIn(from_agency_id=agencies[(settings.party, own_agency)], to_agency_id=agencies[to])
    case_id = IncidentService(db, officer, settings).incident_case(incident.id, case)
    authorisation = AuthoriseIn(
        party=settings.party, authorised_by=authorised_by, authorised_at=clock.now()
    )
    DeliveryService(db, officer, settings).authorise(case_id, authorisation)
    return case_id


def seed_demo_deliveries(nodes: list[Settings]) -> str:
    """For the demo, after peering: one line of account."""
    opened = []
    for node in nodes:
        engine = make_engine(node.effective_database_url)
        try:
            with unit_of_work(make_session_factory(engine)) as db:
                if open_demo_delivery(db, node):
                    opened.append(node.party)
        finally:
            engine.dispose()
    if not opened:
        return ""
    return (
        f"controlled delivery: {', '.join(opened)} opened a controlled-delivery case for "
        "120 kg of 4-piperidone and authorised it; the peer's officer authorises it on the "
        "case page (in-officer: Exchange)"
    )
