"""Exchange rules for what is sent: compose, reply, forward, clarification requests.

Services flush, never commit. Sending goes through ``federation.dispatch`` (policy,
legal review hold, outbox) in the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.exc import IntegrityError

from liaison.exchange import deadlines
from liaison.exchange.attachments import StoredBlob
from liaison.exchange.entities import Entity
from liaison.exchange.federation import decide, hold_or_queue, mark_outgoing
from liaison.exchange.indexing import dump_entities, has_personal_data, index_rows, parse_entities
from liaison.exchange.markings import check_forward, incident_time, markings_of, reply_markings
from liaison.exchange.schemas import (
    CaseKind,
    ComposeIn,
    ForwardIn,
    Markings,
    MessageType,
    ReplyIn,
)
from liaison.exchange.send_checks import SendChecks
from liaison.kit import clock
from liaison.kit.errors import Conflict, ValidationFailed
from liaison.kit.i18n import Text
from liaison.kit.ids import new_id
from liaison.kit.plugin import N_
from liaison.ledger.service import record
from liaison.models import Agency, Attachment, Case, Clarification, Message
from liaison.policy.schemas import Tlp


class ExchangeService(SendChecks):
    """What sends to the peer (compose, reply, forward, clarification requests) and
    attachments; case work without sending is CaseWork's, the reads ExchangeReads'."""

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
            tlp=markings.tlp.value,
            handling_code=markings.handling_code.value,
            source_reliability=markings.source_reliability,
            information_credibility=markings.information_credibility,
            legal_basis=markings.legal_basis.value if markings.legal_basis else "",
            legal_basis_reference=markings.legal_basis_reference,
            mlat_reference=markings.mlat_reference,
            purpose=markings.purpose,
            named_recipients=list(markings.named_recipients),
            status="draft",
            reason_text="",
            created_by=self.actor,
            created_at=clock.now(),
            pauses=[],
            obligations=[],
        )

    def _new_case(
        self, title: str, summary: str, peer_party: str, kind: CaseKind = CaseKind.STANDARD
    ) -> Case:
        now = clock.now()
        return Case(
            id=new_id(),
            reference="",
            title=title,
            summary=summary,
            parties=sorted({self.settings.party, peer_party}),
            origin_party=self.settings.party,
            kind=kind.value,
            status="open",
            created_by=self.actor,
            created_at=now,
            updated_at=now,
        )

    def _insert_case(self, case: Case) -> None:
        """Allocate the next reference (CA-2026-000123); retry on a concurrent clash.

        A clash means another transaction took the number and has committed (the
        insert waited for it), so each retry counts again. The savepoint's rollback
        has already taken the case out of the session (a pending object added in it)."""
        for attempt in range(10):
            number = self.repo.next_case_number(self.settings.party, case.created_at.year)
            case.reference = f"{self.settings.party}-{case.created_at.year}-{number + attempt:06d}"
            try:
                with self.db.begin_nested():
                    self.db.add(case)
                    self.db.flush()
                return
            except IntegrityError:
                if case in self.db:
                    self.db.expunge(case)
                continue
        raise Conflict(N_("could not allocate a case reference: try again"))

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
        decision = (
            None
            if message.direction == "local"
            else decide(self.db, message, actor=self.actor, entities=parsed)
        )
        if new_case is not None:
            self._insert_case(new_case)
        if decision is None:
            message.status = "delivered"
            message.sent_at = clock.now()
        else:
            mark_outgoing(message, decision)
        entity_rows = index_rows(message, parsed)
        self.db.add(message)
        self.db.flush()
        self.db.add_all(entity_rows)
        for attachment in attachments:
            attachment.message_id = message.id
        if decision is not None:
            hold_or_queue(
                self.db, self.settings, message, decision, actor=self.actor, attachments=attachments
            )
        self.db.flush()
        return message

    # operations ----------------------------------------------------------------
    def compose(self, data: ComposeIn) -> Message:
        """A new case with its first message, sent (or held for legal review)."""
        self.check_may_send()
        # Both agencies in one query; held here so the checks below find them in the
        # session (the identity map keeps only what something refers to).
        known = self.repo.agencies([data.from_agency_id, data.to_agency_id])
        from_agency = self._own_agency("from_agency_id", data.from_agency_id)
        to_agency = self._peer_agency("to_agency_id", data.to_agency_id)
        del known
        self._markings(data.markings)
        if data.type not in (MessageType.REQUEST, MessageType.DISCLOSURE, MessageType.ALERT):
            raise ValidationFailed.on_field(
                "type", N_("a new case starts with a request, disclosure or alert")
            )
        attachments = self._attachments(data.attachment_ids)
        case = self._new_case(
            data.case_title, data.case_summary, to_agency.party_code, data.case_kind
        )
        message = self._message(
            case,
            type_=data.type,
            from_agency=from_agency,
            to_agency=to_agency,
            priority=data.priority.value,
            subject=data.subject,
            body=data.body,
            entities=data.entities,
            offences=data.offences,
            markings=data.markings,
        )
        message.via_officer_ids = list(data.via_officer_ids)
        message.incident_detected_at = incident_time(data.incident_detected_at)
        self._attachments_markings(attachments, data.markings)
        return self._send(message, attachments, new_case=case, entities=data.entities)

    def _attachments_markings(self, attachments: Sequence[Attachment], markings: Markings) -> None:
        """An attachment is never marked less restrictively than its message."""
        order = [t.value for t in Tlp]
        for attachment in attachments:
            if order.index(attachment.tlp) < order.index(markings.tlp.value):
                attachment.tlp = markings.tlp.value

    def reply(self, message_id: str, data: ReplyIn) -> Message:
        """Reply, acknowledge or follow up in the thread of ``message_id``."""
        self.check_may_send()
        parent = self.repo.message(message_id)
        case = self.repo.case(parent.case_id)
        if parent.direction == "in":
            from_id, to_id = parent.to_agency_id, parent.from_agency_id
        else:
            from_id, to_id = parent.from_agency_id, parent.to_agency_id
        from_agency = self._own_agency("from_agency_id", from_id)
        to_agency = self._peer_agency("to_agency_id", to_id)
        markings = data.markings or reply_markings(parent, to_agency)
        self._markings(markings)
        attachments = self._attachments(data.attachment_ids)
        self._attachments_markings(attachments, markings)
        message = self._message(
            case,
            type_=data.type,
            from_agency=from_agency,
            to_agency=to_agency,
            priority=(data.priority.value if data.priority else parent.priority),
            subject=data.subject or f"Re: {parent.subject}"[:300],
            body=data.body,
            entities=data.entities,
            offences=parent.offences,
            markings=markings,
            in_reply_to=parent.id,
        )
        if data.type is MessageType.REPLY:
            message.outcome = data.outcome.value
            message.reason_code = data.reason_code.value if data.reason_code else None
            message.reason_text = data.reason_text
            if parent.direction == "in" and parent.type == "request":
                parent.status = data.outcome.value
                parent.reason_code = message.reason_code
        case.updated_at = clock.now()
        return self._send(message, attachments, entities=data.entities)

    def forward(self, message_id: str, data: ForwardIn) -> Message:
        """Pass a message on to another agency, if its markings allow it."""
        self.check_may_send()
        source = self.repo.message(message_id)
        case = self.repo.case(source.case_id)
        target = self.repo.agency(data.to_agency_id)
        if target is None:
            raise ValidationFailed.on_field(
                "to_agency_id",
                Text(N_("no agency %(to_agency_id)s"), to_agency_id=data.to_agency_id),
            )
        check_forward(self.db, source, target, actor=self.actor)
        from_agency = self._own_agency(
            "from_agency_id", data.from_agency_id or self.caller.agency_id
        )
        if target.id == from_agency.id:
            raise ValidationFailed.on_field("to_agency_id", N_("forward to another agency"))
        body = f"{data.note}\n\n--- forwarded ---\n{source.body}" if data.note else source.body
        entities = parse_entities(source.entities)
        message = self._message(
            case,
            type_=MessageType.DISCLOSURE,
            from_agency=from_agency,
            to_agency=target,
            priority=source.priority,
            subject=f"Fwd: {source.subject}"[:300],
            body=body,
            entities=entities,
            offences=source.offences,
            markings=markings_of(source),
            originator_party=source.originator_party,
            in_reply_to=source.id,
        )
        message.incident_detected_at = source.incident_detected_at
        record(
            self.db,
            actor=self.actor,
            action="exchange.message.forward",
            object_type="exchange.message",
            object_id=source.id,
            detail={"to_agency_id": target.id, "forward_id": message.id},
        )
        return self._send(message, [], entities=entities)

    def ask_clarification(self, message_id: str, question: str) -> Clarification:
        """Ask the requester to clarify: the question goes out as a follow-up and the
        request's deadline clock pauses until the answer arrives."""
        request = self.repo.message(message_id)
        if request.direction != "in" or request.type != "request":
            raise ValidationFailed.on_field(
                "message_id", N_("only a received request is clarified")
            )
        if request.paused_since is not None:
            raise Conflict(N_("a clarification is already pending on this request"))
        follow_up = self.reply(
            message_id, ReplyIn(type=MessageType.FOLLOW_UP, body=question, subject="")
        )
        request.status = "received"  # a clarification does not answer the request
        now = clock.now()
        deadlines.pause(request, now)
        clarification = Clarification(
            message_id=request.id,
            question_message_id=follow_up.id,
            question=question,
            asked_by=self.actor,
            asked_at=now,
        )
        self.db.add(clarification)
        self.db.flush()
        return clarification

    def add_attachment(self, blob: StoredBlob, markings: Markings) -> Attachment:
        self.check_may_send()
        attachment = Attachment(
            blob_id=blob.blob_id,
            sha256=blob.sha256,
            size=blob.size,
            mime=blob.mime,
            filename=blob.filename,
            tlp=markings.tlp.value,
            handling_code=markings.handling_code.value,
            uploaded_by=self.actor,
        )
        self.db.add(attachment)
        self.db.flush()
        return attachment
