"""``liaison doctor`` as an operator runs it: a healthy node passes; a node with every
usual mistake planted (files others can read, a pending migration, a peer whose clock
is 20 minutes ahead, a peer that is down) fails, naming each fault and what to do.

The peers are tiny HTTP stubs publishing a real key document: what the doctor probes is
exactly their answer and its Date header.
"""

from __future__ import annotations

import json
import re
import shutil
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest
from sqlalchemy import text

from liaison.config import Settings
from liaison.directory.service import ensure_party
from liaison.federation import peers
from liaison.federation.schemas import PeerCreate
from liaison.kit.crypto import NodeKeyPair, b64e
from liaison.kit.db import make_engine, make_session_factory, unit_of_work
from liaison.node import initialise
from tests.support.nodes import liaison

SKEW = timedelta(minutes=20)


def _stub_peer(party: str, skew: timedelta) -> ThreadingHTTPServer:
    """A peer's /federation/v1/keys, answered with a Date header ``skew`` off ours."""
    now = datetime.now(UTC)
    pair = NodeKeyPair.generate(now - timedelta(days=1), now + timedelta(days=365))
    public = pair.public
    document = {
        "party": party,
        "node": f"stub-{party.lower()}",
        "keys": [
            {
                "key_id": public.key_id,
                "fingerprint": public.fingerprint(),
                "verify_key": b64e(public.verify_key),
                "encryption_key": b64e(public.encryption_key),
                "not_before": public.not_before.isoformat(),
                "not_after": public.not_after.isoformat(),
                "current": True,
            }
        ],
    }

    class Handler(BaseHTTPRequestHandler):
        body: ClassVar[bytes] = json.dumps(document).encode()

        def date_time_string(self, timestamp: float | None = None) -> str:
            return super().date_time_string((datetime.now(UTC) + skew).timestamp())

        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(self.body)))
            self.end_headers()
            self.wfile.write(self.body)

        def log_message(self, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.fingerprint = public.fingerprint()  # type: ignore[attr-defined]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def _url(server: ThreadingHTTPServer) -> str:
    return f"http://127.0.0.1:{server.server_address[1]}"


def _settings(data_dir: Path) -> Settings:
    return Settings(party="CA", node_name="liaison-ca", data_dir=data_dir)


@pytest.fixture(scope="module")
def healthy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A node as 'liaison init' leaves it (initialised in this process: it is quicker)."""
    data_dir = tmp_path_factory.mktemp("doctor") / "node"
    initialise(_settings(data_dir))
    return data_dir


def _pin(data_dir: Path, party: str, stub: ThreadingHTTPServer) -> None:
    """What 'liaison directory add-party' and 'liaison peer add' do."""
    data = PeerCreate.model_validate(
        {"party_code": party, "base_url": _url(stub), "fingerprint": stub.fingerprint}  # type: ignore[attr-defined]
    )
    engine = make_engine(f"sqlite:///{data_dir / 'liaison.db'}")
    with unit_of_work(make_session_factory(engine)) as db:
        ensure_party(db, party, f"Party {party}")
        db.flush()
        peers.add_peer(db, "CA", data, peers.fetch_keys(_url(stub)))
    engine.dispose()


@pytest.fixture
def broken(healthy: Path, tmp_path: Path) -> Iterator[Path]:
    data_dir = tmp_path / "node"
    shutil.copytree(healthy, data_dir)
    skewed, down = _stub_peer("IN", SKEW), _stub_peer("US", timedelta(0))
    try:
        _pin(data_dir, "IN", skewed)
        _pin(data_dir, "US", down)
        down.shutdown()
        down.server_close()  # the US node is now down
        (data_dir / "secret.key").chmod(0o644)
        data_dir.chmod(0o755)
        engine = make_engine(f"sqlite:///{data_dir / 'liaison.db'}")
        with engine.begin() as conn:  # as if the new release were installed, not migrated
            conn.execute(text("UPDATE alembic_version SET version_num = '0005_login_source'"))
        engine.dispose()
        yield data_dir
    finally:
        skewed.shutdown()
        skewed.server_close()


def test_a_healthy_node_passes(healthy: Path) -> None:
    result = liaison(healthy, "doctor")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 fault(s)" in result.stdout
    assert "OK migrations" in " ".join(result.stdout.split())
    assert "OK own keys" in " ".join(result.stdout.split())


def test_a_broken_node_names_every_planted_fault(broken: Path) -> None:
    result = liaison(broken, "doctor", "--timeout", "2")
    assert result.returncode == 1, result.stdout + result.stderr
    out = " ".join(result.stdout.split())
    faults = [line for line in result.stdout.splitlines() if line.strip().startswith("FAULT")]
    assert any("permissions" in f and "secret.key is 0644" in f for f in faults), out
    assert any("permissions" in f and f"{broken} is 0755" in f for f in faults), out
    assert "run 'liaison init' as the node's user" in out
    assert any("migrations pending" in f and "0005_login_source" in f for f in faults), out
    assert "run 'liaison migrate'" in out
    (skew,) = [f for f in faults if "peer IN" in f and "clock skew" in f]
    seconds = int(re.search(r"clock skew \+(\d+) s", skew).group(1))  # type: ignore[union-attr]
    assert 1190 <= seconds <= 1210, skew  # the Date header counts whole seconds
    assert "NTP" in out
    assert any("peer US" in f and "unreachable" in f for f in faults), out
    assert f"{len(faults)} fault(s)" in out
    assert len(faults) == 5, faults
