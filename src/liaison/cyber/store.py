"""Writing STIX objects into a collection: validate, version, mark, store in bulk.

Versions go by ``modified``: a version whose ``modified`` is not later than the stored
latest version of that id is not stored (reported as a failure), nor is one whose
``created`` differs from the stored one (STIX: ``created`` never changes across versions).
A new version may not carry a lower TLP than the stored one (no downgrade).

Markings travel with the object: an object without a TLP marking is stored under the
collection's default TLP *and says so on the wire* — the writer's node marks it, as a new
version (``modified`` one millisecond later, ``created`` kept) written by the importing
identity; the status of the write reports it. A SCO (no versions) just gains the
reference. So what is served or exported always carries the TLP it is stored under.
Marking definitions are the exception: STIX forbids changing one, so an unmarked one
(a TLP definition, a copyright statement) is stored as sent, as TLP:CLEAR.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, select, true, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from liaison.cyber import bulk
from liaison.cyber.tlp import MARKING_FOR, Tlp, tlp_of
from liaison.cyber.validate import Checked, StixInvalid, check, parse_timestamp
from liaison.kit import clock
from liaison.kit.errors import Conflict
from liaison.kit.i18n import Text
from liaison.kit.plugin import N_
from liaison.models import CyberAudience, CyberCollection, CyberObject


@dataclass
class Incoming:
    """One object to store, and who (beyond the writer) it was shared with."""

    obj: Any
    audience: Sequence[str] = ()


@dataclass
class Stored:
    seq: int
    stix_id: str
    version: str
    tlp: Tlp
    raw: str
    audience: list[str]


@dataclass
class WriteResult:
    stored: list[Stored] = field(default_factory=list)
    failures: list[dict[str, str]] = field(default_factory=list)  # TAXII's, in English
    refusals: list[Text] = field(default_factory=list)  # the same, for a person to read

    notes: dict[str, str] = field(default_factory=dict)

    @property
    def successes(self) -> list[dict[str, str]]:
        """TAXII status details; ``message`` carries warnings and marking notes."""
        found: list[dict[str, str]] = []
        for item in self.stored:
            detail = {"id": item.stix_id, "version": item.version}
            note = self.notes.get(item.stix_id)
            if note:
                detail["message"] = note
            found.append(detail)
        return found

    @property
    def warning_count(self) -> int:
        return sum(1 for note in self.notes.values() if "SHOULD" in note)


@dataclass
class Latest:
    """What a write needs to know of the stored latest version of an id."""

    seq: int | None
    modified: datetime | None
    rank: int
    created: datetime | None = None


def format_timestamp(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def latest_versions(db: Session, collection_id: str, ids: Sequence[str]) -> dict[str, Latest]:
    """The stored latest version of each of these ids (one query on PostgreSQL)."""
    found: dict[str, Latest] = {}
    for part in bulk.chunks(db, sorted(set(ids))):
        rows = db.execute(
            select(
                CyberObject.stix_id,
                CyberObject.seq,
                CyberObject.modified,
                CyberObject.tlp_rank,
                CyberObject.created,
            ).where(
                CyberObject.collection_id == collection_id,
                bulk.one_of(db, CyberObject.stix_id, part),
                CyberObject.is_latest == true(),
            )
        )
        for stix_id, seq, modified, rank, created in rows:
            found[stix_id] = Latest(seq, modified, rank, created)
    return found


def _refusal(checked: Checked, tlp: Tlp, latest: Latest | None) -> Text | None:
    if latest is None:
        return None
    if checked.modified is None:
        return Text(
            N_("this object is already stored (it has no modified timestamp to version by)")
        )
    if latest.modified is not None and checked.modified <= latest.modified:
        return Text(N_("a version with the same or a later 'modified' is already stored"))
    if (
        latest.created is not None
        and checked.created is not None
        and clock.as_utc(latest.created) != checked.created
    ):
        stored = format_timestamp(clock.as_utc(latest.created))
        return Text(
            N_("'created' may not change across versions: the stored versions say %(stored)s"),
            stored=stored,
        )
    if tlp.rank < latest.rank:
        previous = Tlp.from_rank(latest.rank)
        return Text(
            N_("marking downgrade refused: stored as TLP:%(previous)s, new version TLP:%(tlp)s"),
            previous=str(previous),
            tlp=str(tlp),
        )
    return None


def _date_added(db: Session, collection_id: str) -> datetime:
    """Now, but never earlier than the collection's last addition (keeps paging ordered)."""
    last = db.scalar(
        select(func.max(CyberObject.date_added)).where(CyberObject.collection_id == collection_id)
    )
    now = clock.now()
    return max(now, clock.as_utc(last)) if last is not None else now


def mark(obj: dict[str, Any], tlp: Tlp) -> tuple[dict[str, Any], Checked]:
    """The object with the TLP marking added: a new version (modified + 1 ms, created
    kept) for versioned objects; a SCO just gains the reference."""
    marked = {**obj, "object_marking_refs": [*obj.get("object_marking_refs", []), MARKING_FOR[tlp]]}
    if "modified" in obj:
        modified = parse_timestamp(obj["modified"], "modified") + timedelta(milliseconds=1)
        marked["modified"] = format_timestamp(modified)[:23] + "Z"
    return marked, check(marked)


def _note(result: WriteResult, checked: Checked, text: str) -> None:
    key = checked.id
    previous = result.notes.get(key)
    result.notes[key] = f"{previous}; {text}" if previous else text


def store_objects(
    db: Session,
    collection: CyberCollection,
    items: Iterable[Incoming],
    *,
    added_by: str,
    origin_party: str,
    origin_node: str | None = None,
    latest: dict[str, Latest] | None = None,
) -> WriteResult:
    """Validate and store; one bulk insert. Flushes, never commits.

    ``latest``: the stored latest versions of the ids written, if the caller has
    already read them (``latest_versions``); read here otherwise."""
    result = WriteResult()
    accepted: list[tuple[Checked, Tlp, str, list[str]]] = []
    for item in items:
        try:
            checked = check(item.obj)
        except StixInvalid as exc:
            stix_id = item.obj.get("id") if isinstance(item.obj, dict) else None
            result.failures.append({"id": str(stix_id or "(no id)")[:300], "message": str(exc)})
            result.refusals.append(exc.text)
            continue
        obj, tlp = item.obj, tlp_of(checked.marking_refs)
        if tlp is None and checked.type != "marking-definition":
            tlp = Tlp(collection.default_tlp)
            obj, checked = mark(obj, tlp)
            _note(result, checked, f"marked TLP:{tlp} (the collection's default) by {added_by}")
        for warning in checked.warnings:
            _note(result, checked, warning)
        raw = json.dumps(obj, separators=(",", ":"), ensure_ascii=False)
        accepted.append((checked, tlp or Tlp.CLEAR, raw, list(dict.fromkeys(item.audience))))
    if not accepted:
        return result
    if latest is None:
        latest = latest_versions(db, collection.id, [checked.id for checked, *_ in accepted])
    else:
        latest = dict(latest)  # updated below as versions in this batch supersede others
    date_added = _date_added(db, collection.id)
    stamp = format_timestamp(date_added)
    rows: list[dict[str, Any]] = []
    keep: list[tuple[Checked, Tlp, str, list[str]]] = []
    superseded: list[int] = []
    for checked, tlp, raw, audience in accepted:
        previous = latest.get(checked.id)
        reason = _refusal(checked, tlp, previous)
        if reason is not None:
            result.failures.append(
                {"id": checked.id, "version": checked.version or "", "message": str(reason)}
            )
            result.refusals.append(reason)
            continue
        if previous is not None and previous.seq is not None:
            superseded.append(previous.seq)
        latest[checked.id] = Latest(None, checked.modified, tlp.rank)
        rows.append(
            {
                "collection_id": collection.id,
                "stix_id": checked.id,
                "type": checked.type,
                "spec_version": "2.1",
                "created": checked.created,
                "modified": checked.modified,
                "version": checked.version or stamp,
                "date_added": date_added,
                "tlp": tlp.value,
                "tlp_rank": tlp.rank,
                "revoked": checked.revoked,
                "is_latest": True,
                "is_first": previous is None,
                "origin_party": origin_party,
                "origin_node": origin_node,
                "added_by": added_by,
                "raw": raw,
            }
        )
        keep.append((checked, tlp, raw, audience))
    if not rows:
        return result
    _mark_in_batch_duplicates(rows)
    try:
        # a savepoint: a collision leaves the request's transaction usable and unchanged
        with db.begin_nested():
            for part in bulk.chunks(db, superseded):
                db.execute(
                    update(CyberObject)
                    .where(bulk.one_of(db, CyberObject.seq, part))
                    .values(is_latest=False)
                )
            seqs = bulk.insert_objects(db, rows)
    except IntegrityError as exc:
        raise Conflict(
            N_(
                "another write stored a version of one of these objects at "
                "the same moment; send the envelope again"
            )
        ) from exc
    audience_rows: list[dict[str, Any]] = []
    for row, (checked, tlp, raw, audience) in zip(rows, keep, strict=True):
        seq = seqs.get((checked.id, row["version"]), 0)
        if seq and tlp.rank > Tlp.AMBER.rank:  # restricted: who it was shared with
            audience_rows.extend({"object_seq": seq, "subject": s} for s in audience)
        result.stored.append(Stored(seq, checked.id, row["version"], tlp, raw, audience))
    if audience_rows:
        db.execute(insert(CyberAudience), audience_rows)
    db.flush()
    return result


def _mark_in_batch_duplicates(rows: list[dict[str, Any]]) -> None:
    """Several versions of one id in one envelope: only the last is the latest."""
    seen: dict[str, dict[str, Any]] = {}
    for row in rows:
        earlier = seen.get(row["stix_id"])
        if earlier is not None:
            earlier["is_latest"] = False
            row["is_first"] = False
        seen[row["stix_id"]] = row


def audiences(db: Session, seqs: list[int]) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    for part in bulk.chunks(db, seqs):
        rows = db.execute(
            select(CyberAudience.object_seq, CyberAudience.subject).where(
                bulk.one_of(db, CyberAudience.object_seq, part)
            )
        )
        for seq, subject in rows:
            found.setdefault(seq, []).append(subject)
    return found
