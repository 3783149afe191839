"""``liaison demo`` in a subprocess: two real nodes, healthy, stopped by Ctrl-C."""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

import pytest

from tests.support.demo import run_demo
from tests.support.nodes import liaison_env, two_free_ports

pytestmark = pytest.mark.live


def _run_demo(data_dir: Path, base_port: int, *extra: str) -> str:
    """The demo, its nodes' workers polling every 0.2 s (as the live test nodes'; the
    operator's setting, 1 s by default): each hop of the start-up exchanges (directories,
    accreditations, deliveries) waits for a poll, as the demo CLI writes to the nodes'
    databases from outside their processes."""
    command = [sys.executable, "-m", "liaison", "demo"]
    args = [*command, "--data-dir", str(data_dir), "--base-port", str(base_port), *extra]
    return run_demo(args, env=liaison_env(LIAISON_WORKER_POLL_SECONDS="0.2"))


def _count(db: Path, table: str) -> int:
    """Rows of ``table``; for envelopes, not the audit checkpoints, which the nodes
    exchange whenever a minute has passed with something recorded (a slow machine
    lets that happen during a run)."""
    routine = " WHERE type NOT LIKE 'audit.%'" if table in ("outbox", "inbox") else ""
    with sqlite3.connect(db) as conn:
        query = f"SELECT count(*) FROM {table}{routine}"  # noqa: S608
        return int(conn.execute(query).fetchone()[0])


def _mirrored(db: Path) -> int:
    """Latest objects in the node's mirrors of the peer's cyber collections."""
    with sqlite3.connect(db) as conn:
        query = (
            "SELECT count(*) FROM cyber_objects o JOIN cyber_collections c "
            "ON c.id = o.collection_id WHERE c.origin_node IS NOT NULL AND o.is_latest"
        )
        return int(conn.execute(query).fetchone()[0])


def test_demo_starts_two_nodes_and_stops_cleanly_on_ctrl_c(tmp_path: Path) -> None:
    data_dir = tmp_path / "demo"
    base_port = two_free_ports()
    output = _run_demo(data_dir, base_port)
    assert f"http://127.0.0.1:{base_port}" in output
    assert "ca-admin" in output
    assert "liaison-demo-in-admin" in output
    assert "stopped." in output
    # The exchange the readouts announced, over the federation channel.
    assert "IN's nomination of" in output
    assert "reached CA; CA accredited the officer" in output
    ca_db, in_db = data_dir / "ca" / "liaison.db", data_dir / "in" / "liaison.db"
    tables = ("agencies", "officers", "users", "peers", "outbox", "inbox")
    counts = {(db, t): _count(db, t) for db in (ca_db, in_db) for t in tables}
    # Each node: its own 8 agencies and those the other published, read-only.
    assert counts[(ca_db, "agencies")] == 16
    assert counts[(in_db, "agencies")] == 16
    assert counts[(ca_db, "peers")] == 1
    # The networks page shows the demo's network at once: the cases are resolved.
    assert "networks: entities resolved" in output
    assert _count(ca_db, "network_clusters") > 0
    assert _count(in_db, "network_clusters") > 0
    # Each side's seeded indicators, sent when the nodes pinned each other, are in the
    # other's mirror: CERT-In's three at CA, CCCS's two at IN.
    assert (_mirrored(ca_db), _mirrored(in_db)) == (3, 2)

    _run_demo(data_dir, base_port)  # re-run: idempotent, nothing duplicated
    assert {(db, t): _count(db, t) for db, t in counts} == counts

    secret = (data_dir / "ca" / "secret.key").read_text()
    _run_demo(data_dir, base_port, "--reset")
    assert (data_dir / "ca" / "secret.key").read_text() != secret
    assert _count(ca_db, "agencies") == 16
