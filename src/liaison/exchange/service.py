"""Exchange rules for what is sent: compose, reply, forward, clarification requests.

Services flush, never commit. Sending goes through ``federation.dispatch`` (policy,
legal review hold, outbox) in the caller's transaction.
"""

from __future__ import annotations

from liaison.exchange import deadlines
from liaison.exchange.attachments import StoredBlob
from liaison.exchange.consent import ask, check_onward
from liaison.exchange.indexing import parse_entities
from liaison.exchange.markings import incident_time, markings_of, reply_markings
from liaison.exchange.schemas import (
    ComposeIn,
    ForwardIn,
    Markings,
    MessageType,
    ReplyIn,
)
from liaison.exchange.sending import Sending
from liaison.kit import clock
from liaison.kit.errors import Conflict, ValidationFailed
from liaison.kit.i18n import Text
from liaison.kit.plugin import N_
from liaison.ledger.service import record
from liaison.models import Attachment, Clarification, Message


class ExchangeService(Sending):
    """What sends to the peer (compose, reply, forward, clarification requests) and
    attachments; case work without sending is CaseWork's, the reads ExchangeReads'."""

    # operations ----------------------------------------------------------------
    def compose(self, data: ComposeIn) -> Message:
        """A new case with its first message, sent (or held for legal review); to
        several parties at once, one copy per recipient party (exchange/sending.py)."""
        self.check_may_send()
        # The agencies in one query; held here so the checks below find them in the
        # session (the identity map keeps only what something refers to).
        known = self.repo.agencies([data.from_agency_id, *data.recipient_ids])
        from_agency = self._own_agency("from_agency_id", data.from_agency_id)
        recipients = self._recipients(data.recipient_ids)
        del known
        self._markings(data.markings)
        if data.type not in (MessageType.REQUEST, MessageType.DISCLOSURE, MessageType.ALERT):
            raise ValidationFailed.on_field(
                "type", N_("a new case starts with a request, disclosure or alert")
            )
        attachments = self._attachments(data.attachment_ids)
        self._attachments_markings(attachments, data.markings)
        case = self._new_case(
            data.case_title,
            data.case_summary,
            [agency.party_code for agency in recipients],
            data.case_kind,
        )
        messages = []
        for to_agency in recipients:
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
                markings=self._copy_markings(data.markings, to_agency, len(recipients)),
            )
            message.via_officer_ids = list(data.via_officer_ids)
            message.incident_detected_at = incident_time(data.incident_detected_at)
            messages.append(message)
        if len(messages) == 1:
            return self._send(messages[0], attachments, new_case=case, entities=data.entities)
        return self._send_each(case, messages, attachments, data.entities)

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
        waits_for_consent = check_onward(self.db, source, target, actor=self.actor)
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
        if waits_for_consent:  # kept, not sent, until the originator answers
            message.status = "awaiting_consent"
            message.obligations = waits_for_consent
            self._keep(message, entities)
            ask(self.db, self.settings, source, message, target, actor=self.actor, note=data.note)
            return message
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
