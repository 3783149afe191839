"""Entity index rows (for deconfliction) and the normalised search text of a message."""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import TypeAdapter
from sqlalchemy import insert
from sqlalchemy.orm import Session

from liaison.exchange.entities import Entity, EntityKind
from liaison.exchange.entity_keys import label, match_keys
from liaison.exchange.repository import normalise_search
from liaison.models import Message, MessageEntity

PERSONAL_KINDS = frozenset({EntityKind.PERSON, EntityKind.PHONE, EntityKind.EMAIL})
_ENTITY_LIST: TypeAdapter[list[Entity]] = TypeAdapter(list[Entity])


def parse_entities(raw: list[dict[str, object]]) -> list[Entity]:
    return _ENTITY_LIST.validate_python(raw)


def dump_entities(entities: Sequence[Entity]) -> list[dict[str, object]]:
    return [entity.model_dump(mode="json") for entity in entities]


def has_personal_data(entities: Sequence[Entity]) -> bool:
    return any(EntityKind(entity.kind) in PERSONAL_KINDS for entity in entities)


def entity_keys(entities: Sequence[Entity]) -> list[str]:
    keys: list[str] = []
    for entity in entities:
        keys.extend(match_keys(entity))
    return sorted(set(keys))


def index_rows(message: Message, entities: Sequence[Entity]) -> list[dict[str, str]]:
    """Set the message's search text (subject, body, entity labels and keys) and return
    its entity index rows, one per match key, each key computed once. Called before the
    message is first flushed, so its row is inserted complete (no UPDATE after); the
    caller inserts the rows (``insert_index``) once the message row exists."""
    labels: list[str] = []
    rows: list[dict[str, str]] = []
    seen: set[str] = set()
    for entity in entities:
        text = label(entity)
        labels.append(text)
        for key in match_keys(entity):
            if key in seen:
                continue
            seen.add(key)
            labels.append(key)
            rows.append(
                {
                    "message_id": message.id,
                    "case_id": message.case_id,
                    "key": key[:300],
                    "kind": str(entity.kind),
                    "label": text[:300],
                }
            )
    message.search_text = normalise_search(" ".join([message.subject, message.body, *labels]))
    return rows


def insert_index(db: Session, rows: Sequence[dict[str, str]]) -> None:
    """The index rows of a flushed message, in one statement (no row is read back:
    nothing refers to them, so they are not kept in the session)."""
    if rows:
        db.execute(insert(MessageEntity), list(rows))


def index_message(db: Session, message: Message, entities: Sequence[Entity]) -> None:
    """``index_rows`` for a message already flushed: its rows are inserted at once."""
    insert_index(db, index_rows(message, entities))
