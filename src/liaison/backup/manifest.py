"""A backup's manifest: what was backed up, from which node, at which schema revision,
with the SHA-256 of every part; ``verify`` re-hashes the parts before a restore."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from liaison.kit.errors import ValidationFailed

NAME = "manifest.json"
CHUNK = 1 << 20


class Part(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, Field(min_length=1, max_length=300, pattern=r"^[A-Za-z0-9._/-]+$")]
    sha256: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
    bytes: int = Field(ge=0)


class Manifest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    format: Literal[1] = 1
    liaison_version: str
    backend: Literal["sqlite", "postgresql"]
    schema_revision: str
    party: Annotated[str, Field(pattern=r"^[A-Z]{2}$")]
    node_name: str
    created_at: datetime
    audit_sequence: int = Field(ge=0, description="the audit chain's head when taken")
    secret_key_included: bool
    parts: list[Part]


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def part(root: Path, path: Path) -> Part:
    return Part(
        name=path.relative_to(root).as_posix(), sha256=sha256_of(path), bytes=path.stat().st_size
    )


def write(root: Path, manifest: Manifest) -> Path:
    target = root / NAME
    target.write_text(manifest.model_dump_json(indent=2) + "\n", encoding="utf-8")
    return target


def read(root: Path) -> Manifest:
    """The manifest of the backup in ``root``; a clear error if it is missing or bad."""
    source = root / NAME
    if not source.is_file():
        raise ValidationFailed(f"{root} is not a Liaison backup: it has no {NAME}")
    try:
        return Manifest.model_validate(json.loads(source.read_text(encoding="utf-8")))
    except (ValueError, ValidationError) as error:
        raise ValidationFailed(f"{source} is not a valid backup manifest: {error}") from None


def verify(root: Path, manifest: Manifest) -> None:
    """Every part present, of the recorded size and hash, and nothing outside ``root``."""
    for item in manifest.parts:
        path = (root / item.name).resolve()
        if root.resolve() not in path.parents:
            raise ValidationFailed(f"the manifest names {item.name}, outside the backup")
        if not path.is_file():
            raise ValidationFailed(f"the backup is incomplete: {item.name} is missing")
        if path.stat().st_size != item.bytes or sha256_of(path) != item.sha256:
            raise ValidationFailed(
                f"the backup is damaged: {item.name} does not match its SHA-256 in {NAME}"
            )
