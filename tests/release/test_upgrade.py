"""Upgrading from the previous release keeps every byte.

A database is built by the migrations of release 0.1.0 (git tag ``v0.1.0``: its newest
migration is ``0003_cyber``) and filled with what a node holds after real work: the
demo directory, workplan version 1 and STIX indicators, a message with an attachment
sent to India and answered with signed receipts, audit entries and a checkpoint India
countersigned. (The rows are made by today's services on two in-process nodes and laid
into the 0.1.0 schema column by column: a fresh clone has no old release to run, and
the tables they live in are the ones 0.1.0 created.) Then it is migrated to head, and
every row of every table of 0.1.0 must be unchanged, the attachment must download with
its hash, and ``liaison audit verify`` must pass.
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from fastapi.testclient import TestClient
from sqlalchemy import Column, Connection, Engine, MetaData, Table, select
from typer.testing import CliRunner

from liaison import domains
from liaison.app import create_app
from liaison.audit import checkpoints
from liaison.cli import main as cli
from liaison.config import Settings
from liaison.kit.db import Base, make_engine, make_session_factory, unit_of_work
from liaison.kit.migrate import alembic_config, current_and_head
from liaison.ledger.verify import verify_chain
from liaison.models import Agency
from tests.exchange import payloads
from tests.support.nodes import drop_schemas, pg_schema
from tests.support.pair import AppNode, exchange, make_node, pin_each_other

PREVIOUS_RELEASE_HEAD = "0003_cyber"  # migrations/versions as of tag v0.1.0
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


def _work(canada: AppNode, india: AppNode) -> str:
    """A message with an attachment to India, delivered; a countersigned checkpoint.
    Returns the attachment's id."""
    headers = canada.headers("ca-officer")
    uploaded = canada.client.post(
        "/api/v1/exchange/attachments",
        files={"file": ("bill-of-lading.pdf", PDF, "application/pdf")},
        data={"tlp": "AMBER"},
        headers=headers,
    )
    assert uploaded.status_code == 201, uploaded.text
    with unit_of_work(canada.factory) as db:
        rows = db.execute(select(Agency.acronym, Agency.party_code, Agency.id)).all()
    agencies = {f"{party}:{acronym}": agency_id for acronym, party, agency_id in rows}
    body = payloads.compose(agencies, attachment_ids=[uploaded.json()["id"]])
    sent = canada.client.post("/api/v1/exchange/cases", json=body, headers=headers)
    assert sent.status_code == 201, sent.text
    exchange(canada, india)
    with unit_of_work(canada.factory) as db:
        assert checkpoints.create(db, canada.settings) is not None
    exchange(canada, india)
    attachment_id: str = uploaded.json()["id"]
    return attachment_id


def _old_database(backend: str, tmp_path: Path, schemas: list[str]) -> str:
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'v0.1.0.db'}"
    schema, url = pg_schema("upgrade")
    schemas.append(schema)
    return url


def _migrate(engine: Engine, revision: str) -> None:
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def _old_tables(engine: Engine) -> dict[str, list[str]]:
    """The previous release's tables and their columns, as its migrations made them."""
    reflected = MetaData()
    reflected.reflect(engine)
    return {
        name: [column.name for column in table.columns]
        for name, table in reflected.tables.items()
        if name != "alembic_version"
    }


def _rows(conn: Connection, table: Table, columns: list[str]) -> list[tuple[Any, ...]]:
    rows = conn.execute(select(*(table.c[name] for name in columns))).all()
    return sorted((tuple(row) for row in rows), key=repr)


def _bare(table: Table, columns: list[str]) -> Table:
    return Table(table.name, MetaData(), *(Column(n, table.c[n].type) for n in columns))


def _copy(source: Engine, target: Engine, tables: dict[str, list[str]]) -> None:
    """Lay the rows into the old schema, through today's column types (as the app writes)."""
    with source.connect() as src, target.begin() as dst:
        for table in reversed(Base.metadata.sorted_tables):  # rows the migrations put in
            if table.name in tables:
                dst.execute(table.delete())
        for table in Base.metadata.sorted_tables:
            if table.name in tables:
                columns = tables[table.name]
                rows = src.execute(select(*(table.c[n] for n in columns))).mappings().all()
                if rows:  # a bare table: today's defaults (sequences) are not 0.1.0's
                    dst.execute(_bare(table, columns).insert(), [dict(row) for row in rows])


def _snapshot(engine: Engine, tables: dict[str, list[str]]) -> dict[str, list[tuple[Any, ...]]]:
    with engine.connect() as conn:
        return {
            name: _rows(conn, Base.metadata.tables[name], columns)
            for name, columns in tables.items()
        }


@pytest.fixture(scope="module")
def worked(
    tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path
) -> Iterator[tuple[AppNode, str]]:
    """Canada after the work above (India its peer), once for both backends."""
    root = tmp_path_factory.mktemp("upgrade-source")
    nodes = []
    for party in ("CA", "IN"):
        shutil.copy(sqlite_template, root / f"{party}.db")
        nodes.append(make_node(party, f"sqlite:///{root / party}.db", root))
    canada, india = nodes
    pin_each_other(canada, india)
    yield canada, _work(canada, india)
    canada.close()
    india.close()


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_a_database_of_the_previous_release_upgrades_with_every_byte(
    worked: tuple[AppNode, str], tmp_path: Path, backend: str
) -> None:
    canada, attachment_id = worked
    schemas: list[str] = []
    old = make_engine(_old_database(backend, tmp_path, schemas))
    try:
        _migrate(old, PREVIOUS_RELEASE_HEAD)
        tables = _old_tables(old)
        for held in ("exchange_messages", "workplan_versions", "audit_log", "cyber_objects"):
            assert held in tables, f"0.1.0 had no table {held}"
        _copy(canada.engine, old, tables)
        before = _snapshot(old, tables)
        for held in ("exchange_attachments", "audit_checkpoints", "audit_countersignatures"):
            assert before[held], f"nothing in {held}: the test would prove nothing"

        _migrate(old, "head")

        current, head = current_and_head(old)
        assert current == head
        after = _snapshot(old, tables)
        changed = [name for name in tables if after[name] != before[name]]
        assert not changed, f"the upgrade changed rows of {changed}"
        _check_node_works(canada.settings, old, attachment_id, tmp_path / "upgraded")
    finally:
        old.dispose()
        drop_schemas(*schemas)


def _check_node_works(source: Settings, engine: Engine, attachment_id: str, data_dir: Path) -> None:
    """The upgraded database, with the node's data directory (keys' secret, blobs)."""
    shutil.copytree(source.data_dir, data_dir)
    settings = source.model_copy(
        update={"data_dir": data_dir, "database_url": engine.url.render_as_string(False)}
    )
    factory = make_session_factory(engine)
    with unit_of_work(factory) as db:
        report = verify_chain(db, "CA")
    assert report.ok, report.problems
    assert (report.checkpoints, report.countersigned) == (1, 1)
    app = create_app(settings, engine=engine, session_factory=factory, registry=domains.registry())
    node = AppNode(settings, engine, factory, TestClient(app))
    download = node.client.get(
        f"/api/v1/exchange/attachments/{attachment_id}/content",
        headers=node.headers("ca-officer"),
    )
    assert download.status_code == 200, download.text
    assert download.content == PDF
    assert download.headers["x-content-sha256"] == hashlib.sha256(PDF).hexdigest()
    node.client.close()
    verified = CliRunner().invoke(  # the 'liaison audit verify' command, in this process
        cli.app,
        ["audit", "verify"],
        env={
            "LIAISON_PARTY": "CA",
            "LIAISON_DATA_DIR": str(data_dir),
            "LIAISON_DATABASE_URL": settings.database_url,
        },
    )
    assert verified.exit_code == 0, verified.output
    assert "audit log OK" in verified.output
