"""``liaison directory ...``: parties, agencies and officers from the console."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from liaison.directory.schemas import (
    Accreditation,
    AccreditationChange,
    AgencyCreate,
    MandateArea,
    OfficerCreate,
    PartyCreate,
)
from liaison.directory.service import DirectoryService
from liaison.kit import clock
from liaison.kit.cli import console, operator, settings, transaction
from liaison.kit.pagination import PageParams

app = typer.Typer(help="The directory: parties, agencies, liaison officers.", no_args_is_help=True)


@app.command("parties")
def parties() -> None:
    """List parties."""
    node = settings()
    table = Table("code", "name")
    with transaction(node) as db:
        for party in DirectoryService(db, operator(node)).repo.parties():
            table.add_row(party.code, party.name)
    console.print(table)


@app.command("add-party")
def add_party(code: str, name: Annotated[str | None, typer.Option()] = None) -> None:
    """Add a party by ISO 3166-1 alpha-2 code."""
    node = settings()
    with transaction(node) as db:
        party = DirectoryService(db, operator(node)).add_party(PartyCreate(code=code, name=name))
        console.print(f"added party {party.code} {party.name}")


@app.command("agencies")
def agencies(
    party: Annotated[str | None, typer.Option(help="Filter by party code.")] = None,
) -> None:
    """List agencies."""
    node = settings()
    table = Table("id", "party", "acronym", "name", "mandate areas")
    with transaction(node) as db:
        rows = DirectoryService(db, operator(node)).repo.agencies(PageParams(limit=500), party)
        for agency in rows:
            table.add_row(
                agency.id,
                agency.party_code,
                agency.acronym,
                agency.name,
                ", ".join(agency.mandate_areas),
            )
    console.print(table)


@app.command("add-agency")
def add_agency(
    acronym: str,
    name: str,
    mandate: Annotated[list[MandateArea] | None, typer.Option(help="Repeat for each area.")] = None,
) -> None:
    """Add an agency of this node's party."""
    node = settings()
    data = AgencyCreate(
        party_code=node.party, acronym=acronym, name=name, mandate_areas=mandate or []
    )
    with transaction(node) as db:
        agency = DirectoryService(db, operator(node)).add_agency(data)
        console.print(f"added agency {agency.acronym} ({agency.id})")


@app.command("officers")
def officers() -> None:
    """List liaison officers and points of contact."""
    node = settings()
    table = Table("id", "role title", "agency", "host", "posting", "status", "since")
    with transaction(node) as db:
        for officer in DirectoryService(db, operator(node)).repo.officers(PageParams(limit=500)):
            since = officer.withdrawn_on or officer.accredited_on or officer.nominated_on
            table.add_row(
                officer.id,
                officer.role_title,
                officer.agency_id,
                officer.host_party_code,
                officer.posting,
                officer.accreditation_status,
                since.isoformat(),
            )
    console.print(table)


@app.command("nominate")
def nominate(
    agency_id: Annotated[str, typer.Option("--agency")],
    role_title: Annotated[str, typer.Option()],
    host: Annotated[str, typer.Option(help="Party code of the host country.")],
    posting: Annotated[str, typer.Option()],
    on: Annotated[str | None, typer.Option(help="Nomination date, YYYY-MM-DD.")] = None,
) -> None:
    """Nominate a liaison officer for posting to the other party."""
    node = settings()
    data = OfficerCreate.model_validate(
        {
            "agency_id": agency_id,
            "role_title": role_title,
            "host_party_code": host,
            "posting": posting,
            "nominated_on": on or clock.today().isoformat(),
        }
    )
    with transaction(node) as db:
        officer = DirectoryService(db, operator(node)).add_officer(data)
        console.print(f"nominated {officer.role_title} ({officer.id})")


@app.command("accredit")
def accredit(
    officer_id: str,
    status: Annotated[Accreditation, typer.Option(help="accredited or withdrawn")],
    on: Annotated[str, typer.Option(help="Date the decision took effect, YYYY-MM-DD.")],
) -> None:
    """Record an accreditation step for an officer."""
    node = settings()
    change = AccreditationChange.model_validate({"status": status, "on": on})
    with transaction(node) as db:
        officer = DirectoryService(db, operator(node)).change_accreditation(officer_id, change)
        console.print(f"{officer.role_title}: {officer.accreditation_status} on {on}")
