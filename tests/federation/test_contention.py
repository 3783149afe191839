"""Officers' sends, delivery and India's inbound traffic at once, on PostgreSQL: no
deadlock reaches anyone (0 errors), nothing is lost or doubled, sequence numbers
have no gap. A larger run is ``bench/contention.py``."""

from __future__ import annotations

from pathlib import Path

from tests.federation.contention import build_node, private_schema, run
from tests.support.nodes import PG_URL


def test_concurrent_sends_delivery_and_inbound_give_no_errors(tmp_path: Path) -> None:
    with private_schema(PG_URL) as url:
        node = build_node(url, tmp_path / "node")
        outcome = run(node, sends=240, senders=4)
        node.factory.kw["bind"].dispose()
    assert outcome.errors == []
    assert outcome.sends + outcome.replies == 240
    assert outcome.replies > 0
    assert outcome.inbound > 0
