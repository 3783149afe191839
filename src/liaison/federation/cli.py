"""``liaison keys ...``, ``liaison peer ...`` and ``liaison worker``."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

import typer
from rich.table import Table

from liaison.federation import control, keys, peers
from liaison.federation.log import MessageLogQuery, message_log
from liaison.federation.schemas import PeerCreate
from liaison.kit.cli import console, registry, settings, transaction
from liaison.kit.crypto import format_fingerprint

keys_app = typer.Typer(help="This node's signing and encryption keys.", no_args_is_help=True)
peer_app = typer.Typer(help="Pinned peer nodes and the message log.", no_args_is_help=True)


@keys_app.command("show")
def keys_show() -> None:
    """Show this node's key generations and the fingerprint to give peers."""
    node = settings()
    table = Table("key id", "fingerprint", "valid from", "valid until", "current")
    with transaction(node) as db:
        for row in keys.valid_keys(db):
            table.add_row(
                row.key_id,
                format_fingerprint(keys.public_of(row).fingerprint()),
                row.not_before.date().isoformat(),
                row.not_after.date().isoformat(),
                "yes" if row.is_current else "",
            )
    console.print(table)


@keys_app.command("rotate")
def keys_rotate(
    days: Annotated[int, typer.Option(help="Validity of the new key.", min=1, max=3650)] = 365,
) -> None:
    """New keys; peers are told over the channel, signed with the old key."""
    node = settings()
    with transaction(node) as db:
        new = control.rotate_and_announce(db, node, timedelta(days=days))
        fingerprint = format_fingerprint(keys.public_of(new).fingerprint())
    console.print(f"new key {new.key_id}, fingerprint {fingerprint}; announced to every peer")


@peer_app.command("add")
def peer_add(
    context: typer.Context,
    party: Annotated[str, typer.Option(help="The peer's party code, e.g. IN.")],
    url: Annotated[str, typer.Option(help="The peer node's base URL.")],
    fingerprint: Annotated[str, typer.Option(help="Key fingerprint, from the peer's operator.")],
) -> None:
    """Pin a peer after checking its published key against the fingerprint."""
    node = settings()
    data = PeerCreate.model_validate(
        {"party_code": party, "base_url": url, "fingerprint": fingerprint}
    )
    document = peers.fetch_keys(str(data.base_url), verify=node.http_verify)
    with transaction(node) as db:
        peer = peers.add_peer(db, node.party, data, document)
        welcomes = registry(context).peer_welcomes
        queued = sum(welcome(db, node.party, peer.party_code) for welcome in welcomes)
    console.print(
        f"pinned {peer.party_code} ({peer.node_name}) at {peer.base_url}; "
        f"{queued} entries (directory and others) queued for it"
    )


@peer_app.command("list")
def peer_list() -> None:
    """Pinned peers with their queues."""
    node = settings()
    table = Table(
        "party", "node", "URL", "queued", "oldest undelivered", "last contact", "last error"
    )
    with transaction(node) as db:
        for peer in peers.list_peers(db):
            status = peers.peer_status(db, peer)
            table.add_row(
                status.party_code,
                status.node_name,
                status.base_url,
                str(status.queue_depth),
                status.oldest_undelivered_at.isoformat() if status.oldest_undelivered_at else "",
                status.last_contact_at.isoformat() if status.last_contact_at else "never",
                (status.last_error or "")[:60],
            )
    console.print(table)


@peer_app.command("status")
def peer_status(party: str) -> None:
    """Everything known about one peer's channel."""
    node = settings()
    with transaction(node) as db:
        status = peers.peer_status(db, peers.get_peer(db, party))
    for field, value in status.model_dump().items():
        console.print(f"{field:>24}: {value if value is not None else '-'}", highlight=False)


@peer_app.command("remove")
def peer_remove(party: str) -> None:
    """Unpin a peer (its undelivered envelopes are discarded)."""
    node = settings()
    with transaction(node) as db:
        peers.remove_peer(db, party)
    console.print(f"removed peer {party.upper()}")


@peer_app.command("ping")
def peer_ping(party: str) -> None:
    """Queue a ping; the worker delivers it and stores the signed receipt."""
    node = settings()
    with transaction(node) as db:
        message = control.ping(db, peers.get_peer(db, party).party_code, "ping")
    console.print(f"queued ping {message.id} (numbered when delivered)")


@peer_app.command("log")
def peer_log(
    party: Annotated[str | None, typer.Option("--peer", help="Only this peer.")] = None,
    direction: Annotated[str | None, typer.Option(help="out or in.")] = None,
    status: Annotated[
        str | None, typer.Option(help="queued, retrying, delivered, applied, refused.")
    ] = None,
    limit: Annotated[int, typer.Option(min=1, max=500)] = 50,
) -> None:
    """The message log, newest first."""
    node = settings()
    query = MessageLogQuery.model_validate(
        {"peer": party, "direction": direction, "status": status, "limit": limit}
    )
    table = Table("when", "dir", "peer", "seq", "type", "status", "reason", "receipt")
    with transaction(node) as db:
        for entry in message_log(db, query):
            when = entry.settled_at or entry.created_at
            table.add_row(
                when.isoformat(timespec="seconds") if when else "",
                entry.direction,
                entry.peer or "?",
                str(entry.seq or ""),
                entry.type or "",
                entry.status,
                entry.reason or "",
                "signed" if entry.has_receipt else "",
            )
    console.print(table)
