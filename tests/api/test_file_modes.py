"""The node's files are its own: 'liaison init' leaves the data directory 0700 and the
database (with -wal and -shm), key and blobs 0600, and start-up warns when they are not."""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

import pytest

from liaison.config import Settings
from liaison.kit import files
from liaison.kit.db import make_engine
from liaison.node import initialise


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_init_makes_node_files_private_and_start_up_warns_when_they_are_not(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    old = os.umask(0o022)  # what a careless shell has
    try:
        settings = Settings(party="CA", node_name="liaison-ca", data_dir=tmp_path / "node")
        (settings.data_dir / "blobs" / "ab").mkdir(parents=True)
        (settings.data_dir / "blobs" / "ab" / "blob").write_bytes(b"x")
        engine = make_engine(settings.effective_database_url)
        with engine.begin() as conn:  # WAL mode: the -wal and -shm files exist while open
            conn.exec_driver_sql("PRAGMA journal_mode=WAL")
            initialise(settings, engine)
            database = settings.data_dir / "liaison.db"
            for path in (database, Path(f"{database}-wal"), settings.secret_key_path):
                assert _mode(path) == 0o600, path
            for path in (settings.data_dir, settings.data_dir / "blobs"):
                assert _mode(path) == 0o700, path
            assert _mode(settings.data_dir / "blobs" / "ab" / "blob") == 0o600
            assert files.exposed(settings) == []
        engine.dispose()
        os.chmod(database, 0o644)
        os.chmod(settings.data_dir, 0o755)  # noqa: S103  (the mistake under test)
        with caplog.at_level(logging.WARNING, logger="liaison.files"):
            problems = files.warn_if_exposed(settings)
        assert len(problems) == 2
        assert "liaison.db is 0644, should be 0600" in caplog.text
        assert f"{settings.data_dir} is 0755, should be 0700" in caplog.text
    finally:
        os.umask(old)
