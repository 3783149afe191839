"""The node's files are its own: data directory 0700, files in it 0600.

``secure`` sets that (``liaison init`` calls it; it walks the whole data directory).
``exposed`` checks, at start-up, the data and blob directories, the SQLite database with
its ``-wal`` and ``-shm`` files, the secret key and the settings file, and ``warn_if_exposed``
logs a warning per path that others may read. SQLite gives ``-wal``/``-shm`` the
database file's permissions, so a 0600 database keeps them 0600 too.
"""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

from liaison.config import Settings

log = logging.getLogger("liaison.files")
DIR_MODE = 0o700
FILE_MODE = 0o600


def _sqlite_file(settings: Settings) -> Path | None:
    url = settings.effective_database_url
    prefix = "sqlite:///"
    return Path(url[len(prefix) :].split("?")[0]) if url.startswith(prefix) else None


def _checked(settings: Settings) -> list[Path]:
    paths = [settings.data_dir, settings.data_dir / "blobs", settings.secret_key_path]
    paths.append(settings.data_dir / "liaison.toml")
    database = _sqlite_file(settings)
    if database is not None:
        paths += [database, Path(f"{database}-wal"), Path(f"{database}-shm")]
    return [path for path in paths if path.exists()]


def secure(settings: Settings) -> None:
    """chmod the data directory tree (and the database and key, wherever they are)."""
    root = settings.data_dir
    if root.exists():
        os.chmod(root, DIR_MODE)
        for folder, dirs, files in os.walk(root):
            for name in dirs:
                os.chmod(Path(folder) / name, DIR_MODE)
            for name in files:
                os.chmod(Path(folder) / name, FILE_MODE)
    for path in _checked(settings):
        os.chmod(path, DIR_MODE if path.is_dir() else FILE_MODE)


def exposed(settings: Settings) -> list[str]:
    """Paths that group or others may read, write or enter, as 'path (mode)'."""
    found = []
    for path in _checked(settings):
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077:
            wanted = DIR_MODE if path.is_dir() else FILE_MODE
            found.append(f"{path} is {mode:04o}, should be {wanted:04o}")
    return found


def warn_if_exposed(settings: Settings) -> list[str]:
    problems = exposed(settings)
    for problem in problems:
        log.warning("node files readable by others: %s (run 'liaison init' to fix)", problem)
    return problems
