"""The restore drill (issue 19 item 5), with two real node processes on SQLite and
PostgreSQL, walked as docs/operations.md "Backup and restore" tells an operator.

India keeps sending pings to Canada; Canada is backed up (running) after k of them,
receives the rest, sends one of its own, and is restored from the backup. The
restored Canada has lost what came after the backup while India's outbox marks it
delivered; on start, Canada asks India to resync: India re-sends, Canada applies each
envelope once, the audit chain continues with the restore recorded, and Canada's next
envelope (numbered after what India already has from it) is accepted.
"""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from liaison.kit.db import make_engine, make_session_factory
from tests.support.accounts import bearer_headers
from tests.support.nodes import LiveNode, wait_for

pytestmark = pytest.mark.live

BEFORE_BACKUP = 3
AFTER_BACKUP = 2
WHILE_DOWN = 1
TOTAL = BEFORE_BACKUP + AFTER_BACKUP + WHILE_DOWN


def _admin(node: LiveNode) -> dict[str, str]:
    """An API token of the node's administrator, issued in its database (no CLI process)."""
    engine = make_engine(node.sqlalchemy_url)
    try:
        secret = bytes.fromhex((node.data_dir / "secret.key").read_text().strip())
        return bearer_headers(make_session_factory(engine), secret, f"{node.party.lower()}-admin")
    finally:
        engine.dispose()


def _ping(node: LiveNode, headers: dict[str, str], to: str, data: str) -> None:
    answer = httpx.post(
        f"{node.url}/api/v1/peers/{to}/ping", json={"data": data}, headers=headers, timeout=30
    )
    assert answer.status_code == 202, answer.text


def _pings_in(node: LiveNode, sender: str) -> int:
    applied = "SELECT count(*) FROM inbox WHERE type = 'federation.ping' AND status = 'applied'"
    return node.scalar(applied + f" AND peer_party = '{sender}'")


def _settled(node: LiveNode, peer: str) -> bool:
    waiting = "SELECT count(*) FROM outbox WHERE status = 'pending'"
    pending = node.scalar(waiting + f" AND peer_party = '{peer}'")
    return pending == 0


def test_a_restored_node_loses_nothing_and_applies_nothing_twice(
    peered: tuple[LiveNode, LiveNode], tmp_path: Path
) -> None:
    canada, india = peered
    backup = tmp_path / "canada-backup"
    ca_admin = _admin(canada)  # issued before the backup: a token issued after it is lost
    in_admin = _admin(india)
    for n in range(1, BEFORE_BACKUP + 1):
        _ping(india, in_admin, "CA", f"message {n}")
    wait_for(lambda: _pings_in(canada, "IN") == BEFORE_BACKUP, what="the first pings")
    wait_for(lambda: _settled(india, "CA"), what="India's receipts")

    taken = canada.cli("backup", str(backup))  # while the node runs
    assert "NOT in this backup" in taken.stderr
    manifest = json.loads((backup / "manifest.json").read_text())
    assert manifest["party"] == "CA"
    assert manifest["secret_key_included"] is False
    assert not (backup / "secret.key").exists()

    for n in range(BEFORE_BACKUP + 1, BEFORE_BACKUP + AFTER_BACKUP + 1):
        _ping(india, in_admin, "CA", f"message {n}")
    _ping(canada, ca_admin, "IN", "sent after the backup")
    wait_for(lambda: _pings_in(canada, "IN") == BEFORE_BACKUP + AFTER_BACKUP, what="more pings")
    wait_for(lambda: _pings_in(india, "CA") == 1, what="Canada's ping")
    wait_for(lambda: _settled(canada, "IN") and _settled(india, "CA"), what="receipts")
    ca_sent = india.scalar("SELECT max(seq) FROM inbox WHERE peer_party = 'CA'")

    running = canada.cli("restore", str(backup), check=False)
    assert running.returncode != 0
    assert "stop 'liaison serve'" in running.stderr + running.stdout
    canada.stop()
    _ping(india, in_admin, "CA", "sent while Canada is down")  # India keeps sending (and retrying)

    restored = canada.cli("restore", str(backup))
    assert "restored CA/liaison-ca" in restored.stdout
    assert _pings_in(canada, "IN") == BEFORE_BACKUP  # lost, though India holds receipts
    in_sent = india.scalar("SELECT max(seq) FROM outbox WHERE peer_party = 'CA'")

    canada.start()
    wait_for(lambda: _pings_in(canada, "IN") == TOTAL, what="India's re-sent pings")
    wait_for(lambda: _settled(india, "CA"), what="India's outbox settled")
    # Exactly once: every one of India's envelopes is in Canada's inbox, once, in order.
    assert canada.scalar("SELECT count(*) FROM inbox WHERE peer_party = 'IN'") == in_sent
    assert canada.scalar("SELECT count(DISTINCT seq) FROM inbox WHERE peer_party = 'IN'") == in_sent
    assert canada.scalar("SELECT max(seq) FROM inbox WHERE peer_party = 'IN'") == in_sent
    assert _pings_in(canada, "IN") == TOTAL

    # Canada's own stream continues after what India received from it.
    _ping(canada, ca_admin, "IN", "first after the restore")
    wait_for(lambda: _pings_in(india, "CA") == 2, what="Canada's ping after the restore")
    wait_for(lambda: _settled(canada, "IN"), what="India's receipt")
    assert india.scalar("SELECT max(seq) FROM inbox WHERE peer_party = 'CA'") > ca_sent
    assert (
        canada.scalar(
            "SELECT count(*) FROM outbox WHERE peer_party = 'IN' AND receipt_status = 'refused'"
        )
        == 0
    )

    verified = canada.cli("audit", "verify")
    assert "audit log OK" in verified.stdout
    recorded = "SELECT count(*) FROM audit_log WHERE action = "
    assert canada.scalar(recorded + "'node.restored'") == 1
    assert canada.scalar(recorded + "'federation.resync.completed'") == 1
    assert india.scalar(recorded + "'federation.peer.restored'") == 1
