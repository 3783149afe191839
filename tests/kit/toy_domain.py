"""A toy domain for the plug-in tests: one router, one job, one message handler, one command."""

from __future__ import annotations

from typing import Any

import typer
from fastapi import APIRouter
from sqlalchemy.orm import Session

from liaison.kit.plugin import Command, InboundContext, Job, JobContext, NavLink, Plugin, Ref

router = APIRouter(prefix="/api/v1/toy")
app = typer.Typer(help="The toy domain.", no_args_is_help=True)
runs: list[str] = []
received: list[dict[str, Any]] = []


@router.get("/hello")
def hello() -> dict[str, str]:
    return {"toy": "hello"}


@app.command("hello")
def say_hello() -> None:
    """Say hello from the toy domain."""
    typer.echo("hello from the toy domain")


def tick(context: JobContext) -> int:
    runs.append(context.settings.party)
    return 0


def receive(_db: Session, context: InboundContext, payload: dict[str, Any]) -> None:
    received.append({"from": context.sender_party, **payload})


PLUGIN = Plugin(
    name="toy",
    api_routers=(Ref(f"{__name__}:router"),),
    commands=(Command("toy", Ref(f"{__name__}:app"), "The toy domain."),),
    message_handlers={"toy.hello": Ref(f"{__name__}:receive")},
    nav=(NavLink("Toys", "/toys", roles=frozenset({"admin"})),),
    jobs=(Job("toy tick", Ref(f"{__name__}:tick"), every=lambda _settings: 3600.0),),
)
