"""How a message is built and sent: the case and message rows, the sender's policy on
each recipient's copy, then store, index, attach, and hold, queue or deliver locally.

A multilateral request (one compose to agencies at several parties) is one case with
one message per recipient party. Each copy is decided by the sender's policy on its
own (the pack of that pair, the decision recorded per party): one may be held for
legal review or blocked while the others go. A blocked copy is kept in the case with
the status ``blocked`` and the rules that blocked it; it never leaves. TLP:RED is all or
nothing: its named recipients are checked at each party, and a copy that would go to
an agency it does not name refuses the whole compose with the rule id.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import inspect
from sqlalchemy.orm import make_transient_to_detached

from liaison.exchange.case_numbers import next_number
from liaison.exchange.entities import Entity
from liaison.exchange.federation import OBJECT_TYPE, decide, hold_or_queue, mark_outgoing
from liaison.exchange.indexing import (
    dump_entities,
    has_personal_data,
    index_rows,
    insert_index,
    parse_entities,
)
from liaison.exchange.markings import message_columns
from liaison.exchange.schemas import CaseKind, Markings, MessageType
from liaison.exchange.send_checks import SendChecks
from liaison.kit import clock
from liaison.kit.db import insert_new
from liaison.kit.errors import Conflict, PolicyBlocked
from liaison.kit.ids import new_id
from liaison.kit.plugin import N_
from liaison.ledger.service import record
from liaison.models import Agency, Attachment, Case, Message
from liaison.policy.schemas import Decision, Tlp

# Columns with a default (Python-side or the database's): left unset, the insert applies it.
_DEFAULTED = frozenset(
    column.key
    for column in Case.__table__.columns
    if column.default is not None or column.server_default is not None
)


class Sending(SendChecks):
    # building -------------------------------------------------------------------
    def _message(
        self,
        case: Case,
        *,
        type_: MessageType,
        from_agency: Agency,
        to_agency: Agency,
        priority: str,
        subject: str,
        body: str,
        entities: Sequence[Entity],
        offences: Sequence[str],
        markings: Markings,
        originator_party: str | None = None,
        in_reply_to: str | None = None,
    ) -> Message:
        return Message(
            id=new_id(),
            case_id=case.id,
            type=type_.value,
            in_reply_to=in_reply_to,
            direction="out" if to_agency.party_code != self.settings.party else "local",
            from_agency_id=from_agency.id,
            to_agency_id=to_agency.id,
            from_party=from_agency.party_code,
            to_party=to_agency.party_code,
            originator_party=originator_party or from_agency.party_code,
            via_officer_ids=[],
            priority=priority,
            subject=subject,
            body=body,
            entities=dump_entities(entities),
            offences=list(offences),
            contains_personal_data=has_personal_data(entities),
            **message_columns(markings),
            status="draft",
            reason_text="",
            created_by=self.actor,
            created_at=clock.now(),
            pauses=[],
            obligations=[],
        )

    def _new_case(
        self,
        title: str,
        summary: str,
        peer_parties: Sequence[str],
        kind: CaseKind = CaseKind.STANDARD,
    ) -> Case:
        now = clock.now()
        return Case(
            id=new_id(),
            reference="",
            title=title,
            summary=summary,
            parties=sorted({self.settings.party, *peer_parties}),
            origin_party=self.settings.party,
            kind=kind.value,
            status="open",
            created_by=self.actor,
            created_at=now,
            updated_at=now,
        )

    def _insert_case(self, case: Case) -> None:
        """Allocate the next reference (CA-2026-000123) and insert the case; the next
        number on a clash.

        The number is one above the highest taken (``case_numbers``; on PostgreSQL a
        number another compose is inserting is skipped, not waited for). The row goes
        in with ``ON CONFLICT DO NOTHING``: a number another transaction took and
        committed meanwhile inserts nothing (no error, so no savepoint is needed), and
        the highest is read again. The case then joins the session as the stored row."""
        prefix = f"{self.settings.party}-{case.created_at.year}-"
        columns = {  # a column left unset takes its default in the insert, not NULL
            attr.key: getattr(case, attr.key)
            for attr in inspect(Case).column_attrs
            if getattr(case, attr.key) is not None or attr.key not in _DEFAULTED
        }
        for attempt in range(10):
            columns["reference"] = f"{prefix}{next_number(self.db, prefix, attempt):06d}"
            if insert_new(self.db, Case, columns):
                for key, value in columns.items():
                    setattr(case, key, value)
                make_transient_to_detached(case)
                self.db.add(case)
                return
        raise Conflict(N_("could not allocate a case reference: try again"))

    def _attachments_markings(self, attachments: Sequence[Attachment], markings: Markings) -> None:
        """An attachment is never marked less restrictively than its message."""
        order = [t.value for t in Tlp]
        for attachment in attachments:
            if order.index(attachment.tlp) < order.index(markings.tlp.value):
                attachment.tlp = markings.tlp.value

    # sending --------------------------------------------------------------------
    def _decide(self, message: Message, entities: Sequence[Entity]) -> Decision | None:
        """The sender's policy on the message (None: it stays on this node)."""
        if message.direction == "local":
            return None
        return decide(self.db, message, actor=self.actor, entities=entities)

    def _send(
        self,
        message: Message,
        attachments: Sequence[Attachment],
        new_case: Case | None = None,
        entities: Sequence[Entity] | None = None,
    ) -> Message:
        """Policy first (a block changes nothing but the audit log), then store the
        case and message, index, attach, and hold, queue or deliver locally.

        The entities are parsed once (``entities``, else from the message) and the
        message row is inserted complete: status, send time, obligations and search
        text are set before its first flush, so no UPDATE follows it."""
        parsed = parse_entities(message.entities) if entities is None else entities
        decision = self._decide(message, parsed)
        if new_case is not None:
            self._insert_case(new_case)
        self._store(message, decision, attachments, parsed)
        return message

    def _store(
        self,
        message: Message,
        decision: Decision | None,
        attachments: Sequence[Attachment],
        entities: Sequence[Entity],
    ) -> None:
        if decision is None:
            message.status = "delivered"
            message.sent_at = clock.now()
        else:
            mark_outgoing(message, decision, self.settings)
        entity_rows = index_rows(message, entities)
        self.db.add(message)
        self.db.flush()
        insert_index(self.db, entity_rows)
        for attachment in attachments:
            attachment.message_id = message.id
        if decision is not None:
            hold_or_queue(
                self.db, self.settings, message, decision, actor=self.actor, attachments=attachments
            )
        self.db.flush()

    def _send_each(
        self,
        case: Case,
        messages: Sequence[Message],
        attachments: Sequence[Attachment],
        entities: Sequence[Entity],
    ) -> Message:
        """A multilateral case: each recipient party's copy decided and sent on its own
        (see the module's docstring); the first copy is returned."""
        outcomes: list[Decision | PolicyBlocked | None] = []
        for message in messages:
            try:
                outcomes.append(self._decide(message, entities))
            except PolicyBlocked as refusal:
                if message.tlp == Tlp.RED.value:
                    raise  # named recipients at every party, or no copy leaves
                outcomes.append(refusal)
        if all(isinstance(outcome, PolicyBlocked) for outcome in outcomes):
            first = outcomes[0]
            assert isinstance(first, PolicyBlocked)
            raise first
        self._insert_case(case)
        unused = list(attachments)  # the uploads go with the first copy that is sent
        for message, outcome in zip(messages, outcomes, strict=True):
            if isinstance(outcome, PolicyBlocked):  # never leaves: no attachments
                self._store_blocked(message, outcome, entities)
                continue
            own = unused or [_copy(a) for a in attachments]
            unused = []
            self.db.add_all(own)
            self._store(message, outcome, own, entities)
        return messages[0]

    def _keep(self, message: Message, entities: Sequence[Entity]) -> None:
        """Store a message that does not leave (yet), indexed like any other."""
        self.db.add(message)
        self.db.flush()
        insert_index(self.db, index_rows(message, entities))

    def _store_blocked(
        self, message: Message, refusal: PolicyBlocked, entities: Sequence[Entity]
    ) -> None:
        """A recipient's copy that the sender's policy blocked: kept in the case, never
        sent; the rules that blocked it are on it and in the audit log."""
        message.status = "blocked"
        message.reason_text = ", ".join(rule.rule_id for rule in refusal.rules)
        message.obligations = [
            {"kind": "blocked", "rule_id": rule.rule_id, "citation": rule.citation}
            for rule in refusal.rules
        ]
        self._keep(message, entities)
        record(
            self.db,
            actor=self.actor,
            action="exchange.message.send",
            object_type=OBJECT_TYPE,
            object_id=message.id,
            decision="block",
            rule_ids=[rule.rule_id for rule in refusal.rules],
            detail={"status": "blocked", "to_party": message.to_party, "tlp": message.tlp},
        )
        self.db.flush()


def _copy(attachment: Attachment) -> Attachment:
    """The same stored file, attached to another recipient's copy."""
    return Attachment(
        id=new_id(),
        blob_id=attachment.blob_id,
        sha256=attachment.sha256,
        size=attachment.size,
        mime=attachment.mime,
        filename=attachment.filename,
        tlp=attachment.tlp,
        handling_code=attachment.handling_code,
        uploaded_by=attachment.uploaded_by,
    )
