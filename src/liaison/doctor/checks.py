"""What ``liaison doctor`` checks: the mistakes an operator makes, each with what to do.

Every check returns findings; a ``fault`` makes the command exit non-zero, a ``warning``
does not. The checks read the node's files, database and peers; they change nothing.
"""

from __future__ import annotations

import shutil
import smtplib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from enum import StrEnum

import httpx
from pydantic import ValidationError
from sqlalchemy import Engine, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from liaison.config import Settings
from liaison.federation import keys
from liaison.federation import resync as resync_of
from liaison.federation.schemas import KeysDocument
from liaison.kit import clock, files
from liaison.kit.errors import LiaisonError
from liaison.kit.migrate import current_and_head
from liaison.models import NodeKey, Peer, PeerKey

KEY_EXPIRY_WARNING = timedelta(days=30)
MIN_FREE_BYTES = 1024**3  # below this the blob store is a fault
MIN_FREE_FRACTION = 0.05  # below this share of the disk, a warning


class Level(StrEnum):
    OK = "ok"
    WARNING = "warning"
    FAULT = "fault"


@dataclass(frozen=True)
class Finding:
    level: Level
    check: str
    detail: str
    fix: str = ""


def ok(check: str, detail: str) -> Finding:
    return Finding(Level.OK, check, detail)


def files_and_secret(settings: Settings) -> Iterator[Finding]:
    if not settings.data_dir.is_dir():
        yield Finding(
            Level.FAULT,
            "data directory",
            f"{settings.data_dir} does not exist",
            "run 'liaison init' (as the service's user) or set LIAISON_DATA_DIR",
        )
        return
    exposed = files.exposed(settings)
    for problem in exposed:
        yield Finding(
            Level.FAULT,
            "permissions",
            f"readable by others: {problem}",
            "run 'liaison init' as the node's user (it sets 0700 directories, 0600 files)",
        )
    if not exposed:
        yield ok("permissions", f"{settings.data_dir} and its files are the node's own")
    path = settings.secret_key_path
    try:
        valid = len(bytes.fromhex(path.read_text().strip())) == 32
    except (OSError, ValueError):
        valid = False
    if valid:
        yield ok("secret key", f"{path} present")
    else:
        yield Finding(
            Level.FAULT,
            "secret key",
            f"{path} is missing, unreadable or not 64 hexadecimal characters",
            "restore it from the backup (without it the node's keys cannot be unsealed); "
            "on a new node run 'liaison init'",
        )


def migrations(engine: Engine) -> Iterator[Finding]:
    try:
        current, head = current_and_head(engine)
    except SQLAlchemyError as exc:
        yield Finding(
            Level.FAULT,
            "database",
            f"unreachable: {type(exc).__name__}: {str(exc).splitlines()[0]}",
            "check LIAISON_DATABASE_URL and that the database server is running",
        )
        return
    if current == head:
        yield ok("migrations", f"database at {current} (the newest)")
    else:
        yield Finding(
            Level.FAULT,
            "migrations",
            f"migrations pending: database at {current or 'nothing'}, this release needs {head}",
            "back up, then run 'liaison migrate' (stop serve and worker first)",
        )


def own_keys(db: Session, settings: Settings) -> Iterator[Finding]:
    row = db.scalar(select(NodeKey).where(NodeKey.is_current))
    if row is None:
        yield Finding(Level.FAULT, "own keys", "this node has no key", "run 'liaison init'")
        return
    now = clock.now()
    try:
        keys.keypair(db, settings, row.key_id)
    except (LiaisonError, ValueError) as exc:
        yield Finding(
            Level.FAULT,
            "own keys",
            f"key {row.key_id} cannot be unsealed with the secret key ({exc})",
            "restore the secret key file that belongs to this database",
        )
        return
    if not row.not_before <= now < row.not_after:
        yield Finding(
            Level.FAULT,
            "own keys",
            f"key {row.key_id} is not valid now (valid {row.not_before:%Y-%m-%d} to "
            f"{row.not_after:%Y-%m-%d})",
            "run 'liaison keys rotate' and give peers the new fingerprint",
        )
    elif row.not_after - now < KEY_EXPIRY_WARNING:
        yield Finding(
            Level.WARNING,
            "own keys",
            f"key {row.key_id} expires {row.not_after:%Y-%m-%d}",
            "run 'liaison keys rotate' (peers are told of the new key) before it expires",
        )
    else:
        yield ok("own keys", f"key {row.key_id} valid until {row.not_after:%Y-%m-%d}")


def _skew(response: httpx.Response, sent: datetime, received: datetime) -> float | None:
    """Seconds the peer's clock is ahead of ours (its Date header against our midpoint)."""
    header = response.headers.get("date")
    if not header:
        return None
    try:
        theirs = parsedate_to_datetime(header)
    except (TypeError, ValueError):
        return None
    return (theirs - (sent + (received - sent) / 2)).total_seconds()


def peer(db: Session, settings: Settings, row: Peer, client: httpx.Client) -> Iterator[Finding]:
    name = f"peer {row.party_code}"
    url = f"{row.base_url.rstrip('/')}/federation/v1/keys"
    sent = clock.now()
    try:
        response = client.get(url)
        received = clock.now()
        response.raise_for_status()
        document = KeysDocument.model_validate(response.json())
    except (httpx.HTTPError, ValueError, ValidationError) as exc:
        yield Finding(
            Level.FAULT,
            name,
            f"unreachable at {url}: {type(exc).__name__}: {exc}",
            "check the peer's URL ('liaison peer status'), DNS, firewall and TLS "
            "(LIAISON_CA_BUNDLE); ask the peer's operator whether their node is up",
        )
        return
    yield from _pinned(db, name, row, document)
    skew = _skew(response, sent, received)
    window = settings.federation_clock_window_seconds
    if skew is None:
        yield Finding(Level.WARNING, name, "no Date header: clock skew unknown")
    elif abs(skew) > window / 2:
        yield Finding(
            Level.FAULT if abs(skew) > window else Level.WARNING,
            name,
            f"clock skew {skew:+.0f} s against {row.party_code} (the federation window "
            f"is {window} s: envelopes outside it are refused)",
            "synchronise both clocks with NTP (timedatectl set-ntp true; chronyc tracking)",
        )
    else:
        yield ok(name, f"reachable, clock skew {skew:+.0f} s")


def resync(db: Session, row: Peer) -> Iterator[Finding]:
    """After ``liaison restore``: has the peer re-sent what the restore lost?"""
    waiting = resync_of.pending(db, row.party_code)
    if waiting is not None:
        tried = f"{waiting.attempts} attempt(s)" + (
            f", last: {waiting.last_error}" if waiting.last_error else ""
        )
        yield Finding(
            Level.WARNING,
            f"peer {row.party_code}",
            f"restored from a backup; {row.party_code} has not yet re-sent what the restore "
            f"lost, and nothing goes to it until it has ({tried})",
            "run the node's worker ('liaison serve' runs one) with the peer reachable; "
            "'liaison peer status' shows the delivery",
        )


def _pinned(db: Session, name: str, row: Peer, document: KeysDocument) -> Iterator[Finding]:
    now = clock.now()
    pinned = {
        k.key_id
        for k in db.scalars(select(PeerKey).where(PeerKey.peer_party == row.party_code))
        if k.not_before <= now < k.not_after
    }
    current = [k for k in document.keys if k.current]
    if document.party != row.party_code:
        yield Finding(
            Level.FAULT,
            name,
            f"{row.base_url} now serves party {document.party}",
            "correct the peer's URL: 'liaison peer remove' then 'liaison peer add'",
        )
    elif not pinned:
        yield Finding(
            Level.FAULT,
            name,
            "no pinned key of this peer is valid any more",
            "get the peer's current fingerprint from its operator, then re-pin it "
            "('liaison peer remove', 'liaison peer add')",
        )
    elif current and current[0].key_id not in pinned:
        yield Finding(
            Level.WARNING,
            name,
            f"the peer's current key {current[0].key_id} is not pinned here yet",
            "let the worker run (the peer announces its new key), or re-pin it",
        )


def disk(settings: Settings) -> Iterator[Finding]:
    where = settings.data_dir / "blobs"
    where = where if where.exists() else settings.data_dir
    if not where.exists():
        return
    usage = shutil.disk_usage(where)
    free = f"{usage.free / 1024**3:.1f} GiB free of {usage.total / 1024**3:.1f} GiB at {where}"
    if usage.free < MIN_FREE_BYTES:
        yield Finding(
            Level.FAULT, "disk", free, "free space or move the data directory to a larger disk"
        )
    elif usage.free < usage.total * MIN_FREE_FRACTION:
        yield Finding(Level.WARNING, "disk", free, "plan more space for attachments (blobs)")
    else:
        yield ok("disk", free)


def smtp(settings: Settings) -> Iterator[Finding]:
    if not settings.smtp_host:
        yield Finding(
            Level.WARNING,
            "smtp",
            "no SMTP relay: notifications are not e-mailed",
            "set LIAISON_SMTP_HOST (and port, user, password) to e-mail notifications",
        )
        return
    where = f"{settings.smtp_host}:{settings.smtp_port}"
    try:
        with smtplib.SMTP(
            settings.smtp_host, settings.smtp_port, timeout=settings.smtp_timeout_seconds
        ) as relay:
            relay.noop()
    except (OSError, smtplib.SMTPException) as exc:  # refused, timed out, TLS
        yield Finding(
            Level.FAULT,
            "smtp",
            f"relay {where} unreachable: {exc}",
            "check LIAISON_SMTP_HOST/LIAISON_SMTP_PORT and the firewall",
        )
        return
    yield ok("smtp", f"relay {where} answers")
