"""Worker job: send queued e-mail over SMTP; a failure keeps the mail queued with backoff.

A row is only marked ``sent`` after the SMTP server accepted it, in its own
transaction; on any error the attempt is counted, the error kept and the next
attempt pushed back exponentially (capped). After ``smtp_max_attempts`` the row is
``failed`` and stays in the table for an operator to see.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from datetime import timedelta
from email.message import EmailMessage

from sqlalchemy import select
from sqlalchemy.orm import Session

from liaison.config import Settings
from liaison.kit import clock
from liaison.kit.jobs import in_transaction
from liaison.models import EmailOutbox

log = logging.getLogger("liaison.mail")
BATCH = 50
MAX_BACKOFF = timedelta(hours=1)


def backoff(attempts: int) -> timedelta:
    return min(timedelta(seconds=30 * 2 ** max(attempts - 1, 0)), MAX_BACKOFF)


def _due(db: Session) -> list[EmailOutbox]:
    query = (
        select(EmailOutbox)
        .where(EmailOutbox.status == "queued", EmailOutbox.next_attempt_at <= clock.now())
        .order_by(EmailOutbox.next_attempt_at, EmailOutbox.id)
        .limit(BATCH)
        .with_for_update(skip_locked=True)
    )
    return list(db.scalars(query))


def _message(settings: Settings, row: EmailOutbox) -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = settings.smtp_from
    mail["To"] = row.to
    mail["Subject"] = row.subject
    mail["Message-ID"] = f"<{row.id}@{settings.node_name}>"
    mail.set_content(row.body)
    return mail


def _connect(settings: Settings) -> smtplib.SMTP:
    smtp = smtplib.SMTP(
        settings.smtp_host, settings.smtp_port, timeout=settings.smtp_timeout_seconds
    )
    if settings.smtp_starttls:
        smtp.starttls(context=ssl.create_default_context())
    if settings.smtp_username:
        smtp.login(settings.smtp_username, settings.smtp_password)
    return smtp


def send_queued(db: Session, settings: Settings) -> int:
    """One pass in the caller's transaction: send what is due; how many were sent.

    Does nothing without ``smtp_host``. A mail accepted by the server is marked sent;
    if the transaction were then lost it would be sent again (at least once, never lost).
    """
    if not settings.smtp_host:
        return 0
    rows = _due(db)
    if not rows:
        return 0
    try:
        smtp = _connect(settings)
    except (OSError, smtplib.SMTPException) as error:
        for row in rows:
            _failed(settings, row, f"connect: {error}")
        return 0
    sent = 0
    try:
        for row in rows:
            try:
                smtp.send_message(_message(settings, row))
            except (OSError, smtplib.SMTPException) as error:
                _failed(settings, row, str(error))
                continue
            row.status, row.sent_at, row.last_error = "sent", clock.now(), None
            row.attempts += 1
            sent += 1
    finally:
        try:
            smtp.quit()
        except (OSError, smtplib.SMTPException):
            smtp.close()
    db.flush()
    return sent


def _failed(settings: Settings, row: EmailOutbox, error: str) -> None:
    row.attempts += 1
    row.last_error = error[:2000]
    row.next_attempt_at = clock.now() + backoff(row.attempts)
    if row.attempts >= settings.smtp_max_attempts:
        row.status = "failed"
    log.warning("mail %s to %s not sent (attempt %d): %s", row.id, row.to, row.attempts, error)


def run_pass(db: Session, settings: Settings) -> None:
    """One pass of the mail job: send what is due."""
    send_queued(db, settings)


mail_job = in_transaction(run_pass)
