"""Real node processes for two-node tests: ``liaison serve`` (and ``liaison worker``)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import text

from liaison.kit.db import make_engine

PG_URL = os.environ.get("LIAISON_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def two_free_ports() -> int:
    """A port p with p + 1 also free (the demo takes two consecutive ports)."""
    for _ in range(50):
        base = free_port()
        with socket.socket() as second:
            try:
                second.bind(("127.0.0.1", base + 1))
            except OSError:
                continue
        return base
    raise RuntimeError("no two consecutive free ports")


def pg_schema_url(tag: str) -> tuple[str, str]:
    schema = f"liaison_fed_{tag}_{uuid.uuid4().hex[:8]}"
    engine = make_engine(PG_URL)
    with engine.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()
    return schema, f"{PG_URL}?options=-csearch_path%3D{schema}"


def drop_schema(schema: str) -> None:
    engine = make_engine(PG_URL)
    with engine.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    engine.dispose()


@dataclass
class Node:
    party: str
    data_dir: Path
    database_url: str = ""
    port: int = field(default_factory=free_port)
    extra_env: dict[str, str] = field(default_factory=dict)
    server: subprocess.Popen[bytes] | None = None
    worker: subprocess.Popen[bytes] | None = None
    tokens: dict[str, str] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return f"liaison-{self.party.lower()}"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "LIAISON_PARTY": self.party,
            "LIAISON_NODE_NAME": self.name,
            "LIAISON_DATA_DIR": str(self.data_dir),
            "LIAISON_DATABASE_URL": self.database_url,
            "LIAISON_PUBLIC_BASE_URL": self.url,
            "LIAISON_WORKER_POLL_SECONDS": "0.2",
            "LIAISON_WORKER_MAX_BACKOFF_SECONDS": "2",
            "COLUMNS": "250",
            **self.extra_env,
        }

    def cli(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [sys.executable, "-m", "liaison", *args],
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        if check and result.returncode != 0:
            raise AssertionError(f"liaison {' '.join(args)} failed: {result.stderr}")
        return result

    def prepare(self) -> None:
        self.cli("init")
        self.cli("seed", "--demo")

    def _spawn(self, *args: str) -> subprocess.Popen[bytes]:
        log = (self.data_dir / f"{args[0]}.log").open("ab")
        return subprocess.Popen(
            [sys.executable, "-m", "liaison", *args],
            env=self.env(),
            stdout=log,
            stderr=subprocess.STDOUT,
        )

    def start(self, *, with_worker: bool = True) -> None:
        args = ["serve", "--port", str(self.port)]
        if not with_worker:
            args.append("--no-worker")
        self.server = self._spawn(*args)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert self.server.poll() is None, self.log("serve")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise AssertionError(f"{self.party} not healthy: {self.log('serve')}")

    def start_worker(self) -> None:
        self.worker = self._spawn("worker")

    def log(self, what: str) -> str:
        path = self.data_dir / f"{what}.log"
        return path.read_text()[-4000:] if path.exists() else ""

    @staticmethod
    def _end(process: subprocess.Popen[bytes] | None, sig: int) -> None:
        if process is not None and process.poll() is None:
            process.send_signal(sig)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def kill_server(self) -> None:
        self._end(self.server, signal.SIGKILL)

    def kill_worker(self) -> None:
        self._end(self.worker, signal.SIGKILL)

    def stop(self) -> None:
        self._end(self.worker, signal.SIGINT)
        self._end(self.server, signal.SIGINT)

    def fingerprint(self) -> str:
        keys = httpx.get(f"{self.url}/federation/v1/keys", timeout=5).json()["keys"]
        current: str = next(k["fingerprint"] for k in keys if k["current"])
        return current

    def token(self, username: str) -> str:
        if username not in self.tokens:
            self.tokens[username] = self.cli("user", "token", username).stdout.split()[0]
        return self.tokens[username]

    def api(self, username: str) -> httpx.Client:
        return httpx.Client(
            base_url=self.url,
            headers={"Authorization": f"Bearer {self.token(username)}"},
            timeout=30,
        )


def peer(a: Node, b: Node) -> None:
    """Pin each node at the other, the fingerprints read from the other's own endpoint."""
    a.cli("peer", "add", "--party", b.party, "--url", b.url, "--fingerprint", b.fingerprint())
    b.cli("peer", "add", "--party", a.party, "--url", a.url, "--fingerprint", a.fingerprint())


def wait_for(predicate: Any, timeout: float = 60, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")
