"""Migrations form one linear history: a second head (two branches both adding a
migration on the same parent) fails here, not at an operator's ``liaison migrate``."""

from __future__ import annotations

from alembic.script import ScriptDirectory

from liaison.kit.migrate import alembic_config


def test_migrations_have_one_head() -> None:
    heads = ScriptDirectory.from_config(alembic_config()).get_heads()
    assert len(heads) == 1, (
        f"migrations have {len(heads)} heads {sorted(heads)}: set the newer one's "
        "down_revision to the other so they form one line"
    )
