"""The ``liaison`` command, built from the domains' plug-ins. Errors print one clear line.

Every command is imported only when it runs (``liaison --help`` lists them from the
plug-ins' data), so the CLI starts fast whatever the domains import.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from typer import _click as click  # Typer 0.29 vendors Click; its groups are these
from typer.core import TyperGroup

from liaison import __version__, domains
from liaison.kit.errors import LiaisonError
from liaison.kit.plugin import Command, Ref, Registry

NODE_COMMANDS = (
    Command("init", Ref("liaison.cli.node:init"), "Create, migrate and key a node.", group=False),
    Command("migrate", Ref("liaison.cli.node:migrate"), "Apply migrations.", group=False),
    Command("seed", Ref("liaison.cli.node:seed"), "Seed the demo data.", group=False),
    Command("serve", Ref("liaison.cli.node:serve"), "Serve the API and web UI.", group=False),
    Command("worker", Ref("liaison.cli.node:run_worker"), "Run the node's jobs.", group=False),
)


def _load(entry: Command) -> click.Command:
    target: Any = entry.target.target
    command: click.Command
    if entry.group:
        command = typer.main.get_group(target)
    else:
        single = typer.Typer(add_completion=False, pretty_exceptions_enable=False)
        single.command(entry.name)(target)
        command = typer.main.get_command(single)
    command.name = entry.name
    return command


class _LazyGroup(TyperGroup):
    """The root group: each entry is imported when it is invoked, not when listed."""

    entries: dict[str, Command] = {}

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(self.entries)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        entry = self.entries.get(cmd_name)
        return _load(entry) if entry is not None else None

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with formatter.section("Commands"):
            formatter.write_dl([(name, entry.help) for name, entry in self.entries.items()])


def _version(value: bool) -> None:
    if value:
        typer.echo(f"liaison {__version__}")
        raise typer.Exit()


def build_cli(registry: Registry) -> typer.Typer:
    """The ``liaison`` Typer app: the node's commands, then each domain's, in order."""
    entries = [*NODE_COMMANDS, *(c for plugin in registry.plugins for c in plugin.commands)]
    names = [entry.name for entry in entries]
    if len(set(names)) != len(names):
        raise ValueError(f"two commands with one name among {names}")
    group = type("LiaisonCommands", (_LazyGroup,), {"entries": {e.name: e for e in entries}})
    cli = typer.Typer(
        cls=group,
        help="Liaison: a node for bilateral security and law-enforcement cooperation.",
        no_args_is_help=True,
        pretty_exceptions_enable=False,
        add_completion=False,
        rich_markup_mode=None,  # plain help: Rich's would import every command to list it
    )

    @cli.callback()
    def root(
        context: typer.Context,
        data_dir: Annotated[
            Path | None,
            typer.Option(help="Node data directory (also LIAISON_DATA_DIR).", envvar=None),
        ] = None,
        version: Annotated[
            bool,
            typer.Option(
                "--version", help="Print the version and exit.", is_eager=True, callback=_version
            ),
        ] = False,
    ) -> None:
        """Settings come from LIAISON_* variables and <data-dir>/liaison.toml."""
        context.obj = registry
        if data_dir is not None:
            os.environ["LIAISON_DATA_DIR"] = str(data_dir)

    return cli


app = build_cli(domains.registry())


def _raised_by(module: str, class_name: str, exc: BaseException) -> bool:
    """Whether ``exc`` is ``module.class_name``, without importing ``module`` for it: a
    library that was never imported raised nothing (and ``--help`` stays fast)."""
    loaded = sys.modules.get(module)
    return loaded is not None and isinstance(exc, getattr(loaded, class_name))


def _fail(label: str, text: str) -> None:
    typer.echo(f"{typer.style(label, fg='red')} {text}", err=True)
    sys.exit(1)


def run() -> None:
    """Console entry point: domain, input and database errors become one line on stderr."""
    try:
        app()
    except LiaisonError as exc:
        _fail("error:", str(exc))
    except Exception as exc:
        if _raised_by("pydantic", "ValidationError", exc):
            problems = "; ".join(
                f"{'.'.join(str(p) for p in e['loc']) or 'input'}: {e['msg']}"
                for e in exc.errors()  # type: ignore[attr-defined]
            )
            _fail("invalid input:", problems)
        if _raised_by("sqlalchemy.exc", "SQLAlchemyError", exc):
            _fail(
                "database error:",
                f"{type(exc).__name__}: {str(exc).splitlines()[0]} "
                "(is the database reachable and migrated? try 'liaison init')",
            )
        raise
