"""``liaison demo``: seeded nodes (Canada and India, or ``--parties``) until Ctrl-C."""

from __future__ import annotations

import itertools
import signal
import time
from pathlib import Path
from types import FrameType
from typing import Annotated

import typer
from rich.table import Table

from liaison.demo import peering, runner
from liaison.demo.seed import demo_logins
from liaison.exchange.seed import seed_peered_nodes
from liaison.kit.cli import console
from liaison.kit.errors import LiaisonError
from liaison.networks.seed import resolve_demo_nodes
from liaison.precursors.demo import seed_demo_deliveries

# A node imports every domain before it answers; on a busy two-core laptop that has
# taken over a minute.
HEALTHY_WITHIN_SECONDS = 180


class _Interrupted(Exception):
    pass


def _raise_interrupt(_signum: int, _frame: FrameType | None) -> None:
    # Once is enough: a second Ctrl-C must not interrupt the orderly stop.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    raise _Interrupted


def _parties(value: str) -> str:
    try:
        return ",".join(runner.parse_parties(value))
    except LiaisonError as exc:
        raise typer.BadParameter(str(exc)) from exc


def demo_command(
    data_dir: Annotated[Path, typer.Option(help="Where the nodes keep their SQLite files.")] = Path(
        ".liaison-demo"
    ),
    base_port: Annotated[
        int,
        typer.Option(
            help="The first party listens here, each next one on the next port.",
            min=1024,
            max=65530,
        ),
    ] = runner.DEFAULT_BASE_PORT,
    reset: Annotated[
        bool, typer.Option("--reset", help="Delete demo data and start afresh.")
    ] = False,
    parties: Annotated[
        str,
        typer.Option(
            help="The parties, one node each, e.g. CA,IN,US (the United States on the "
            "third port); every node is pinned to every other.",
            callback=_parties,
        ),
    ] = ",".join(runner.DEFAULT_PARTIES),
) -> None:
    """Start Canada (:8701) and India (:8702), migrated and seeded; Ctrl-C stops them."""
    started = time.monotonic()
    nodes = runner.demo_nodes(base_port, runner.parse_parties(parties))
    if reset:
        runner.reset(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    settings = [runner.prepare(node, data_dir) for node in nodes]
    processes = []
    signal.signal(signal.SIGINT, _raise_interrupt)
    signal.signal(signal.SIGTERM, _raise_interrupt)
    try:
        for node in nodes:
            processes.append(runner.start(node, data_dir))
        for node, process in zip(nodes, processes, strict=True):
            runner.wait_healthy(node, process, timeout=HEALTHY_WITHIN_SECONDS)
        ready = time.monotonic() - started
        for local, remote in itertools.permutations(settings, 2):
            peering.pin(local, remote)
        story = "\n".join(peering.accreditation_exchanges(settings))
        peering.wait_directories(settings)
        story += "\n" + seed_peered_nodes(settings)
        story += "\n" + seed_demo_deliveries(settings)
        peering.wait_delivered(settings)
        story += "\n" + resolve_demo_nodes(settings)
        _print_welcome(nodes, data_dir, ready)
        console.print(story)
        console.print(f"Press Ctrl-C to stop {_all(nodes)}.")
        while all(p.poll() is None for p in processes):
            time.sleep(0.5)
        console.print("[red]a node stopped unexpectedly; see its log in the data directory[/red]")
        raise typer.Exit(1)
    except _Interrupted:
        console.print(f"stopping {_all(nodes)}…")
    finally:
        runner.stop(processes)
    console.print("stopped.")


def _all(nodes: tuple[runner.DemoNode, ...]) -> str:
    return "both nodes" if len(nodes) == 2 else f"all {len(nodes)} nodes"


def _print_welcome(nodes: tuple[runner.DemoNode, ...], data_dir: Path, seconds: float) -> None:
    console.print(f"[green]Liaison demo ready in {seconds:.1f} s[/green] (data in {data_dir})")
    for node in nodes:
        console.print(f"\n[bold]{node.party}[/bold]  {node.url()}")
        table = Table("username", "password", "role")
        for username, password, role in demo_logins(node.party):
            table.add_row(username, password, role.value)
        console.print(table)
