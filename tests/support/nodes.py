"""Real node processes (``liaison serve``, ``liaison worker``): the one live-node helper.

Every test that starts a node, whether two federated nodes, a TAXII server, the browser
tests' node or ``liaison demo``, uses this module's ``LiveNode`` and ``wait_healthy``.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import make_url, text

from liaison.kit.db import make_engine

PG_URL = os.environ.get("LIAISON_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
# Two shared cores, other test workers busy: a node may take minutes to answer at first.
HEALTHY_WITHIN_SECONDS = 240.0


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


def pg_schema(tag: str) -> tuple[str, str]:
    """A new, empty schema in the test database: (its name, a URL that uses it)."""
    schema = f"liaison_{tag}_{uuid.uuid4().hex[:8]}"
    engine = make_engine(PG_URL)
    with engine.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()
    return schema, schema_url(schema)


def schema_url(schema: str) -> str:
    return f"{PG_URL}?options=-csearch_path%3D{schema}"


def drop_schemas(*schemas: str) -> None:
    if not schemas:
        return
    engine = make_engine(PG_URL)
    with engine.begin() as conn:
        for schema in schemas:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    engine.dispose()


# A prepared PostgreSQL node's data directory keeps its schema, dumped, in this file, the
# schema's name replaced by SCHEMA_PLACEHOLDER (see dump_schema and LiveNode.prepare).
PG_DUMP_FILE = "pg-schema.sql"
SCHEMA_PLACEHOLDER = "liaison_schema_placeholder"


def _pg_client(program: str, *args: str, stdin: str | None = None) -> str:
    """``pg_dump`` or ``psql`` against LIAISON_TEST_PG_URL's database; its output."""
    url = make_url(PG_URL)
    env = os.environ | {"PGPASSWORD": url.password or ""}
    connection = ["-h", url.host or "127.0.0.1", "-p", str(url.port or 5432)]
    connection += ["-U", url.username or "postgres", "-d", url.database or "test"]
    result = subprocess.run(
        [program, *connection, *args],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if result.returncode != 0:
        raise AssertionError(f"{program} failed: {result.stderr[-2000:]}")
    return result.stdout


def dump_schema(schema: str, path: Path) -> None:
    """The schema's tables, sequences (their values) and rows as SQL in ``path``, for
    restore_schema to recreate under another name."""
    for program in ("pg_dump", "psql"):
        assert shutil.which(program), f"{program} is missing: 'make test-services' installs it"
    dump = _pg_client("pg_dump", "--schema", schema, "--no-owner", "--no-privileges")
    dump = dump.replace(f"CREATE SCHEMA {schema};", "")
    path.write_text(re.sub(rf"\b{schema}\b", SCHEMA_PLACEHOLDER, dump))


def restore_schema(path: Path, schema: str) -> None:
    """What dump_schema wrote, into ``schema`` (which exists and is empty)."""
    sql = path.read_text().replace(SCHEMA_PLACEHOLDER, schema)
    _pg_client("psql", "-q", "-X", "-v", "ON_ERROR_STOP=1", "--single-transaction", stdin=sql)


def url_schema(database_url: str) -> str:
    """The schema a URL made by schema_url uses."""
    return database_url.rsplit("search_path%3D", 1)[1]


def wait_healthy(
    url: str,
    process: subprocess.Popen[Any],
    *,
    log: Path | None = None,
    timeout: float = HEALTHY_WITHIN_SECONDS,
) -> dict[str, Any]:
    """Poll ``url``/healthz until it answers 200 (its body is returned); fail with the
    process's log as soon as the process exits, or when ``timeout`` passes."""

    def tail() -> str:
        return log.read_text()[-4000:] if log is not None and log.exists() else ""

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"{url}: the process exited with {process.returncode}\n{tail()}")
        try:
            response = httpx.get(f"{url}/healthz", timeout=2)
            if response.status_code == 200:
                body: dict[str, Any] = response.json()
                return body
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"{url} not healthy within {timeout:.0f} s\n{tail()}")


def wait_for(predicate: Callable[[], object], timeout: float = 60, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def liaison_env(**settings: str) -> dict[str, str]:
    """This process's environment without any LIAISON_ setting, plus ``settings``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIAISON_")}
    return env | {"COLUMNS": "250"} | settings


def run_liaison(
    env: dict[str, str], *args: str, stdin: str | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """``liaison <args>`` as a user runs it, in a subprocess; output captured as text."""
    return subprocess.run(
        [sys.executable, "-m", "liaison", *args],
        env=env,
        capture_output=True,
        text=True,
        input=stdin,
        timeout=timeout,
        check=False,
    )


def liaison(
    data_dir: Path, *args: str, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    """``liaison <args>`` for a Canadian node on SQLite in ``data_dir``."""
    env = liaison_env(LIAISON_DATA_DIR=str(data_dir), LIAISON_PARTY="CA")
    return run_liaison(env, *args, stdin=stdin)


@dataclass
class LiveNode:
    """One party's node as its operator runs it: ``liaison init``, ``seed --demo``,
    ``serve`` (with or without its in-process worker) and ``worker``, on a free port;
    SQLite in ``data_dir`` unless ``database_url`` names a PostgreSQL schema."""

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

    @property
    def sqlalchemy_url(self) -> str:
        """The node's database, for tests that read or tamper with it directly."""
        return self.database_url or f"sqlite:///{self.data_dir / 'liaison.db'}"

    def env(self) -> dict[str, str]:
        defaults = {
            "LIAISON_PARTY": self.party,
            "LIAISON_NODE_NAME": self.name,
            "LIAISON_DATA_DIR": str(self.data_dir),
            "LIAISON_DATABASE_URL": self.database_url,
            "LIAISON_PUBLIC_BASE_URL": self.url,
            "LIAISON_WORKER_POLL_SECONDS": "0.2",
            "LIAISON_WORKER_MAX_BACKOFF_SECONDS": "2",
        }
        return liaison_env(**{**defaults, **self.extra_env})  # extra_env may override

    def cli(
        self, *args: str, check: bool = True, timeout: float = 120
    ) -> subprocess.CompletedProcess[str]:
        result = run_liaison(self.env(), *args, timeout=timeout)
        if check and result.returncode != 0:
            raise AssertionError(f"liaison {' '.join(args)} failed: {result.stderr}")
        return result

    def prepare(self, like: Path | None = None, skip: tuple[str, ...] = ()) -> LiveNode:
        """``liaison init`` and ``liaison seed --demo`` (leaving out the demo data of the
        domains in ``skip``); or a copy of the data directory ``like`` that a node of the
        same party and backend was so prepared in (the same files, its keys included, and
        on PostgreSQL its schema restored from the dump kept there into this node's
        schema: in a fraction of the time)."""
        dumped = like is not None and (like / PG_DUMP_FILE).exists()
        if like is not None and dumped == bool(self.database_url):
            ignore = shutil.ignore_patterns("*.log", PG_DUMP_FILE)
            shutil.copytree(like, self.data_dir, ignore=ignore)
            if dumped:
                restore_schema(like / PG_DUMP_FILE, url_schema(self.database_url))
            return self
        self.data_dir.mkdir(parents=True, exist_ok=True)
        # (made once per run for the others to copy: loaded cores may take minutes)
        self.cli("init", timeout=HEALTHY_WITHIN_SECONDS)
        skipped = [arg for domain in skip for arg in ("--skip", domain)]
        self.cli("seed", "--demo", *skipped, timeout=HEALTHY_WITHIN_SECONDS)
        return self

    def spawn(self, *args: str) -> subprocess.Popen[bytes]:
        """``liaison <args>`` in the background, its output appended to <args[0]>.log."""
        log = (self.data_dir / f"{args[0]}.log").open("ab")
        return subprocess.Popen(
            [sys.executable, "-m", "liaison", *args],
            env=self.env(),
            stdout=log,
            stderr=subprocess.STDOUT,
        )

    def start(self, *, with_worker: bool = True) -> LiveNode:
        """Serve on ``port``; if another test's node took that port since it was picked
        (it answers for another party, or ours cannot bind it), on a fresh one."""
        for attempt in range(3):
            args = ["serve", "--port", str(self.port)]
            if not with_worker:
                args.append("--no-worker")
            self.server = self.spawn(*args)
            try:
                body = wait_healthy(self.url, self.server, log=self.data_dir / "serve.log")
            except AssertionError:
                if attempt == 2 or "address already in use" not in self.log("serve"):
                    raise
                self.port = free_port()
                continue
            if body.get("party") == self.party:
                return self
            self._end(self.server, signal.SIGTERM)
            self.port = free_port()
        raise AssertionError(f"{self.party}: no free port to serve on in three tries")

    def start_worker(self) -> None:
        self.worker = self.spawn("worker")

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

    def scalar(self, sql: str) -> int:
        """One number read straight from the node's database."""
        engine = make_engine(self.sqlalchemy_url)
        try:
            with engine.connect() as conn:
                return int(conn.execute(text(sql)).scalar_one())
        finally:
            engine.dispose()

    def fingerprint(self) -> str:
        keys = httpx.get(f"{self.url}/federation/v1/keys", timeout=10).json()["keys"]
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


def peer(a: LiveNode, b: LiveNode) -> None:
    """Pin each node at the other, the fingerprints read from the other's own endpoint."""
    a.cli("peer", "add", "--party", b.party, "--url", b.url, "--fingerprint", b.fingerprint())
    b.cli("peer", "add", "--party", a.party, "--url", a.url, "--fingerprint", a.fingerprint())
