"""PostgreSQL: ``pg_dump --format=custom`` of the node's schema, ``pg_restore`` back."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from sqlalchemy import Engine, make_url, text

from liaison.kit.errors import ConfigurationError

TIMEOUT_SECONDS = 3600


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise ConfigurationError(
            f"{name} is not installed: install the PostgreSQL client tools "
            "(Debian: apt-get install postgresql-client, of the server's major version or newer)"
        )
    return found


def _libpq(url: str) -> tuple[str, dict[str, str]]:
    """A libpq URI for the SQLAlchemy URL (password passed in the environment)."""
    parsed = make_url(url)
    env = dict(os.environ)
    if parsed.password:
        env["PGPASSWORD"] = str(parsed.password)
    plain = parsed.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _run(command: list[str], env: dict[str, str], what: str) -> None:
    result = subprocess.run(  # noqa: S603  (our own arguments, no shell)
        command, env=env, capture_output=True, text=True, timeout=TIMEOUT_SECONDS, check=False
    )
    if result.returncode != 0:
        raise ConfigurationError(f"{what} failed: {result.stderr.strip()[-1500:]}")


def schema_of(engine: Engine) -> str:
    with engine.connect() as conn:
        return str(conn.execute(text("select current_schema()")).scalar_one())


def dump(engine: Engine, url: str, target: Path) -> None:
    uri, env = _libpq(url)
    command = [_tool("pg_dump"), "--format=custom", "--no-owner", f"--schema={schema_of(engine)}"]
    _run([*command, f"--file={target}", f"--dbname={uri}"], env, "pg_dump")


def restore(engine: Engine, url: str, source: Path) -> None:
    """Replace the node's schema with the dump (objects dropped first, one transaction)."""
    uri, env = _libpq(url)
    tool = _tool("pg_restore")
    command = [tool, "--clean", "--if-exists", "--no-owner", "--single-transaction"]
    _run([*command, f"--dbname={uri}", str(source)], env, "pg_restore")
