"""Two live nodes: Canada's worker checkpoints its audit chain, India countersigns it;
after Canada's chain is rewritten and rehashed in its database, ``liaison audit verify``
(a real process) fails, naming the countersigned checkpoint. SQLite here; the same
exchange runs on PostgreSQL in-process in tests/audit/test_checkpoints.py."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from liaison.kit.db import make_engine
from tests.ledger.tamper import rehash_all
from tests.support.nodes import LiveNode, peer, wait_for

pytestmark = pytest.mark.live


@pytest.fixture
def backend() -> str:
    return "sqlite"


def _countersigned(node: LiveNode) -> int:
    return node.scalar("SELECT count(*) FROM audit_countersignatures")


def test_countersigned_checkpoint_catches_a_rewritten_chain(
    nodes: tuple[LiveNode, LiveNode],
) -> None:
    canada, india = nodes
    canada.extra_env["LIAISON_AUDIT_CHECKPOINT_EVERY"] = "3"
    canada.start()
    india.start()
    peer(canada, india)  # pinning and the directory exchange record entries on both sides
    wait_for(lambda: _countersigned(canada) >= 1, what="India's countersignature")
    canada.stop()
    india.stop()

    intact = canada.cli("audit", "verify", check=False)
    assert intact.returncode == 0, intact.stderr
    assert "audit log OK" in intact.stdout
    engine = make_engine(canada.sqlalchemy_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE audit_log SET actor = 'user:forger' WHERE sequence = 1"))
        rehash_all(conn)
    engine.dispose()
    rewritten = canada.cli("audit", "verify", check=False)
    assert rewritten.returncode == 3
    first = rewritten.stderr.splitlines()[0]
    assert first.startswith("audit log FAILED at entry 1: the chain no longer matches checkpoint")
    assert "(countersigned by IN)" in first
    assert "rewritten and rehashed" in first
    # India kept Canada's checkpoint, with its own countersignature.
    held = india.scalar("SELECT count(*) FROM audit_checkpoints WHERE chain_party = 'CA'")
    assert held >= 1
