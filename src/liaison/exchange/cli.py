"""``liaison exchange ...``: inbox, show, send, reply, assign from the console.

Thin and JSON-friendly: ``send`` and ``reply`` read the same JSON body as the API
(from a file or ``-`` for stdin); ``--json`` prints JSON instead of a table.
Commands act as a named user (``--as``), so the same access rules apply.

``send`` is safe to run again after an ambiguous failure: each run has an
idempotency key (``--idempotency-key``, else a new one, printed on stderr); a run
with a key already used prints the first run's message and creates nothing. A lost
deadlock is retried inside the command.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError
from rich.table import Table
from sqlalchemy import select
from sqlalchemy.orm import Session

from liaison.config import Settings
from liaison.exchange.endpoints import case_detail, inbox_item, message_out
from liaison.exchange.repository import InboxFilter, due_state
from liaison.exchange.schemas import ComposeIn, ReplyIn
from liaison.exchange.service import ExchangeService
from liaison.idempotency import store
from liaison.kit import clock
from liaison.kit.cli import console, settings, transaction
from liaison.kit.db import make_engine, make_session_factory, run_in_transaction
from liaison.kit.errors import ValidationFailed
from liaison.kit.ids import new_id
from liaison.kit.roles import Caller, Role
from liaison.models import User

app = typer.Typer(help="Requests, replies, disclosures and alerts.", no_args_is_help=True)
AsUser = Annotated[str, typer.Option("--as", help="act as this user (username)")]
AsJson = Annotated[bool, typer.Option("--json", help="print JSON")]


def _caller(db: Session, node: Settings, username: str) -> Caller:
    user = db.scalar(select(User).where(User.username == username, User.is_active.is_(True)))
    if user is None:
        raise ValidationFailed.on_field("--as", f"no active user {username}")
    return Caller(
        user_id=user.id,
        username=user.username,
        display_name=user.display_name,
        role=Role(user.role),
        agency_id=user.agency_id,
        party_code=node.party,
    )


def _read_json(source: str) -> object:
    text = sys.stdin.read() if source == "-" else Path(source).read_text()
    return json.loads(text)


@app.command("inbox")
def inbox(
    as_user: AsUser,
    status: Annotated[str | None, typer.Option()] = None,
    overdue: Annotated[bool, typer.Option()] = False,
    search: Annotated[str | None, typer.Option()] = None,
    limit: Annotated[int, typer.Option(min=1, max=200)] = 50,
    as_json: AsJson = False,
) -> None:
    """List messages, newest first."""
    node = settings()
    with transaction(node) as db:
        svc = ExchangeService(db, _caller(db, node, as_user), node)
        flt = InboxFilter(status=status, overdue=overdue, search=search, limit=limit)
        rows, _ = svc.repo.inbox(flt)
        now = clock.now()
        fraction = node.exchange_due_soon_fraction
        items = [inbox_item(m, c, due_state(m, now, fraction)) for m, c in rows]
    if as_json:
        typer.echo(json.dumps([i.model_dump(mode="json") for i in items], indent=2))
        return
    table = Table("case", "type", "dir", "priority", "status", "deadline", "subject", "message id")
    for item in items:
        deadline = f"{item.deadline_at:%Y-%m-%d %H:%M}" if item.deadline_at else ""
        table.add_row(
            item.case_reference,
            item.type,
            item.direction,
            item.priority,
            item.status,
            deadline,
            item.subject,
            item.id,
        )
    console.print(table)


@app.command("show")
def show(case_id: str, as_user: AsUser) -> None:
    """A case with its thread, notes and clarifications, as JSON."""
    node = settings()
    with transaction(node) as db:
        thread = ExchangeService(db, _caller(db, node, as_user), node).thread(case_id)
        typer.echo(case_detail(thread).model_dump_json(indent=2))


@app.command("send")
def send(
    source: Annotated[str, typer.Argument(help="JSON file with the compose body, or -")],
    as_user: AsUser,
    idempotency_key: Annotated[
        str | None,
        typer.Option(
            "--idempotency-key",
            help="run again with the same key after a failure: sent at most once",
        ),
    ] = None,
) -> None:
    """Open a case and send its first message (same JSON as POST /api/v1/exchange/cases)."""
    node = settings()
    try:
        data = ComposeIn.model_validate(_read_json(source))
    except (ValidationError, ValueError) as exc:
        raise ValidationFailed(f"invalid input: {exc}") from exc
    key = store.check_key(idempotency_key or new_id(), "--idempotency-key")
    typer.echo(f"idempotency key: {key}", err=True)
    request = store.fingerprint("exchange send", data.model_dump_json())

    def work(db: Session) -> tuple[str, bool]:
        caller = _caller(db, node, as_user)
        row, fresh = store.claim(
            db,
            principal=f"user:{caller.user_id}",
            channel="cli",
            key=key,
            request_fingerprint=request,
            method="SEND",
            path="exchange send",
        )
        if not fresh:
            return (row.body or b"").decode(), False
        message = ExchangeService(db, caller, node).compose(data)
        output = message_out(message, []).model_dump_json(indent=2)
        row.status_code = 201
        row.location = f"/exchange/cases/{message.case_id}"
        row.body = output.encode()
        db.flush()
        return output, True

    engine = make_engine(node.effective_database_url)
    try:
        output, fresh = run_in_transaction(make_session_factory(engine), work)
    finally:
        engine.dispose()
    if not fresh:
        typer.echo("already sent with this idempotency key: nothing new was sent", err=True)
    typer.echo(output)


@app.command("reply")
def reply(
    message_id: str,
    source: Annotated[str, typer.Argument(help="JSON file with the reply body, or -")],
    as_user: AsUser,
) -> None:
    """Reply to a message (same JSON as POST /api/v1/exchange/messages/{id}/reply)."""
    node = settings()
    try:
        data = ReplyIn.model_validate(_read_json(source))
    except (ValidationError, ValueError) as exc:
        raise ValidationFailed(f"invalid input: {exc}") from exc
    with transaction(node) as db:
        svc = ExchangeService(db, _caller(db, node, as_user), node)
        message = svc.reply(message_id, data)
        typer.echo(message_out(message, []).model_dump_json(indent=2))


@app.command("assign")
def assign(case_id: str, username: str, as_user: AsUser) -> None:
    """Assign a case to an analyst."""
    node = settings()
    with transaction(node) as db:
        case = ExchangeService(db, _caller(db, node, as_user), node).assign(case_id, username)
        console.print(f"{case.reference} assigned to {username}")
