"""``liaison demo``: two seeded nodes on this machine until Ctrl-C."""

from __future__ import annotations

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
from liaison.networks.seed import resolve_demo_nodes

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


def demo_command(
    data_dir: Annotated[
        Path, typer.Option(help="Where the two nodes keep their SQLite files.")
    ] = Path(".liaison-demo"),
    base_port: Annotated[
        int, typer.Option(help="Canada listens here, India on the next port.", min=1024, max=65534)
    ] = runner.DEFAULT_BASE_PORT,
    reset: Annotated[
        bool, typer.Option("--reset", help="Delete demo data and start afresh.")
    ] = False,
) -> None:
    """Start Canada (:8701) and India (:8702), migrated and seeded; Ctrl-C stops both."""
    started = time.monotonic()
    nodes = runner.demo_nodes(base_port)
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
        canada, india = settings
        peering.pin(canada, india)
        peering.pin(india, canada)
        story = peering.accreditation_exchange(host=canada, sending=india)
        story += "\n" + seed_peered_nodes([canada, india])
        peering.wait_delivered([canada, india])
        story += "\n" + resolve_demo_nodes([canada, india])
        _print_welcome(nodes, data_dir, ready)
        console.print(story)
        console.print("Press Ctrl-C to stop both nodes.")
        while all(p.poll() is None for p in processes):
            time.sleep(0.5)
        console.print("[red]a node stopped unexpectedly; see its log in the data directory[/red]")
        raise typer.Exit(1)
    except _Interrupted:
        console.print("stopping both nodes…")
    finally:
        runner.stop(processes)
    console.print("stopped.")


def _print_welcome(nodes: tuple[runner.DemoNode, ...], data_dir: Path, seconds: float) -> None:
    console.print(f"[green]Liaison demo ready in {seconds:.1f} s[/green] (data in {data_dir})")
    for node in nodes:
        console.print(f"\n[bold]{node.party}[/bold]  {node.url()}")
        table = Table("username", "password", "role")
        for username, password, role in demo_logins(node.party):
            table.add_row(username, password, role.value)
        console.print(table)
