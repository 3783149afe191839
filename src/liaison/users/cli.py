"""``liaison user ...``: manage accounts and API tokens from the node's console."""

from __future__ import annotations

import getpass
from typing import Annotated

import typer
from rich.table import Table

from liaison.kit.cli import console, operator, settings, transaction
from liaison.kit.errors import ValidationFailed
from liaison.kit.roles import Role
from liaison.users import service
from liaison.users.repository import UserRepository
from liaison.users.schemas import TokenCreate, UserCreate

app = typer.Typer(help="Users, roles and API tokens.", no_args_is_help=True)


@app.command("add")
def add(
    username: str,
    role: Annotated[Role, typer.Option(help="One of the five roles.")],
    agency_id: Annotated[str, typer.Option("--agency", help="Agency id the user belongs to.")],
    display_name: Annotated[str | None, typer.Option(help="Name shown in the UI.")] = None,
    password: Annotated[
        str | None,
        typer.Option(help="Password (prompted if omitted; prefer the prompt)."),
    ] = None,
) -> None:
    """Create a user."""
    if password is None:
        password = getpass.getpass("password: ")
        if password != getpass.getpass("again: "):
            raise ValidationFailed.on_field("password", "the two passwords differ")
    node = settings()
    data = UserCreate(
        username=username,
        display_name=display_name or username,
        password=password,
        role=role,
        agency_id=agency_id,
    )
    with transaction(node) as db:
        user = service.create_user(db, operator(node), data)
        console.print(f"created user {user.username} ({user.role})")


@app.command("list")
def list_users() -> None:
    """List users."""
    node = settings()
    table = Table("username", "name", "role", "agency", "active")
    with transaction(node) as db:
        for user in UserRepository(db, operator(node)).list():
            table.add_row(
                user.username, user.display_name, user.role, user.agency_id, str(user.is_active)
            )
    console.print(table)


@app.command("set-role")
def set_role(username: str, role: Role) -> None:
    """Change a user's role."""
    node = settings()
    with transaction(node) as db:
        user = service.set_role(db, operator(node), username, role)
        console.print(f"{user.username} is now {user.role}")


@app.command("token")
def token(
    username: str,
    name: Annotated[str, typer.Option(help="What the token is for.")] = "cli",
    days: Annotated[int, typer.Option(help="Days until it expires.")] = 90,
) -> None:
    """Issue an API token for a user. It is printed once; only its hash is kept."""
    node = settings()
    with transaction(node) as db:
        issued, plaintext = service.issue_token(
            db,
            node.secret_key,
            operator(node),
            username,
            TokenCreate(name=name, expires_in_days=days),
        )
        expires = issued.expires_at.isoformat() if issued.expires_at else "never"
    console.print(plaintext, highlight=False, soft_wrap=True)
    console.print(f"[dim]token '{name}' for {username}, expires {expires}[/dim]")
