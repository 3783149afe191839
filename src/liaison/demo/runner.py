"""Run the demo's nodes (Canada and India by default) as real processes on 127.0.0.1."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from liaison import domains
from liaison.config import Settings
from liaison.demo.seed import seed_demo
from liaison.directory import seed_data
from liaison.kit.db import make_engine, make_session_factory, unit_of_work
from liaison.kit.errors import ServiceUnavailable, ValidationFailed
from liaison.node import initialise
from liaison.workplan import baseline


@dataclass(frozen=True)
class DemoNode:
    party: str
    name: str
    port: int

    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def env(self, data_root: Path) -> dict[str, str]:
        return {
            "LIAISON_PARTY": self.party,
            "LIAISON_NODE_NAME": self.name,
            "LIAISON_DATA_DIR": str(data_root / self.party.lower()),
            "LIAISON_PORT": str(self.port),
            "LIAISON_HOST": "127.0.0.1",
            "LIAISON_PUBLIC_BASE_URL": self.url(),
            "LIAISON_DATABASE_URL": "",
            # so that `liaison audit verify` shows countersigned checkpoints within minutes
            "LIAISON_AUDIT_CHECKPOINT_MINUTES": "1",
        }


DEFAULT_BASE_PORT = 8701
# The bilateral pair of the Ottawa readouts; ``--parties`` may add any party with seed data.
DEFAULT_PARTIES = tuple(baseline.PARTIES)


def parse_parties(value: str) -> tuple[str, ...]:
    """``"CA,IN,US"`` as party codes, in order; ValidationFailed naming what is wrong."""
    codes = tuple(code.strip().upper() for code in value.split(",") if code.strip())
    unknown = [code for code in codes if code not in seed_data.AGENCIES]
    if unknown:
        raise ValidationFailed.on_field(
            "parties",
            f"no demo seed data for {', '.join(unknown)}: "
            f"choose from {', '.join(seed_data.AGENCIES)}",
        )
    if len(set(codes)) != len(codes) or len(codes) < 2:
        raise ValidationFailed.on_field("parties", "name at least two different parties")
    return codes


def demo_nodes(
    base_port: int = DEFAULT_BASE_PORT, parties: tuple[str, ...] = DEFAULT_PARTIES
) -> tuple[DemoNode, ...]:
    """The first party on ``base_port``, each next one on the next port."""
    return tuple(
        DemoNode(code, f"liaison-{code.lower()}", base_port + i) for i, code in enumerate(parties)
    )


def prepare(node: DemoNode, data_root: Path) -> Settings:
    """Initialise and seed one node's SQLite store (idempotent)."""
    env = node.env(data_root)
    settings = Settings(
        party=node.party,
        node_name=node.name,
        data_dir=Path(env["LIAISON_DATA_DIR"]),
        port=node.port,
        public_base_url=node.url(),
    )
    initialise(settings)
    engine = make_engine(settings.effective_database_url)
    try:
        with unit_of_work(make_session_factory(engine)) as db:
            seed_demo(db, node.party, domains.registry())
    finally:
        engine.dispose()
    return settings


def reset(data_root: Path) -> None:
    if data_root.exists():
        shutil.rmtree(data_root)


def start(node: DemoNode, data_root: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, **node.env(data_root)}
    log = (data_root / f"{node.party.lower()}.log").open("ab")
    return subprocess.Popen(
        [sys.executable, "-m", "liaison", "serve"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def wait_healthy(node: DemoNode, process: subprocess.Popen[bytes], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ServiceUnavailable(
                f"node {node.party} exited with code {process.returncode}; "
                f"see its log, or is port {node.port} already in use?"
            )
        try:
            if httpx.get(f"{node.url()}/healthz", timeout=1.0).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise ServiceUnavailable(f"node {node.party} did not become healthy within {timeout:.0f} s")


def stop(processes: list[subprocess.Popen[bytes]], grace: float = 10.0) -> None:
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
    deadline = time.monotonic() + grace
    for process in processes:
        try:
            process.wait(timeout=max(deadline - time.monotonic(), 0.1))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
