"""What an intruder with database access would do to the audit log (raw SQL only)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, text

from liaison.kit.clock import as_utc
from liaison.ledger.chain import GENESIS_HASH, entry_hash, format_at


def rehash_all(conn: Connection) -> int:
    """Recompute every prev_hash/entry_hash and the head, as a careful forger would."""
    rows = conn.execute(
        text(
            "SELECT sequence, at, actor, action, object_type, object_id, decision, rule_ids, "
            "detail FROM audit_log ORDER BY sequence"
        )
    ).all()
    prev = GENESIS_HASH
    for seq, at, actor, action, otype, oid, decision, rules, detail in rows:
        when = datetime.fromisoformat(at) if isinstance(at, str) else at
        digest = entry_hash(
            seq, format_at(as_utc(when)), actor, action, otype, oid, decision, rules, detail, prev
        )
        conn.execute(
            text("UPDATE audit_log SET prev_hash = :p, entry_hash = :h WHERE sequence = :s"),
            {"p": prev, "h": digest, "s": seq},
        )
        prev = digest
    conn.execute(
        text("UPDATE audit_chain_head SET sequence = :s, head_hash = :h WHERE id = 1"),
        {"s": rows[-1][0] if rows else 0, "h": prev},
    )
    return len(rows)
