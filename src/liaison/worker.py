"""Background jobs of a node: today, delivery of the federation outbox.

Runs as a thread inside ``liaison serve`` (and so in the demo) or on its own as
``liaison worker``. Several workers may run against one PostgreSQL database.
"""

from __future__ import annotations

import logging
import threading

import httpx
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from liaison.audit.jobs import Schedule
from liaison.config import Settings
from liaison.exchange.deadlines import escalate
from liaison.exchange.retention import sweep_blobs
from liaison.federation.delivery import Deliverer
from liaison.federation.outbox import outbox_signal
from liaison.notifications.mailer import run_pass as send_mail
from liaison.workplan.jobs import share_signatures_job

log = logging.getLogger("liaison.worker")


def run(factory: sessionmaker[Session], settings: Settings, stop: threading.Event) -> None:
    """Deliver until ``stop`` is set; wake at once when this process queues something."""
    with httpx.Client(headers={"User-Agent": f"liaison/{settings.node_name}"}) as client:
        deliverer = Deliverer(factory, settings, client)
        jobs = Schedule(factory, settings)
        jobs.add("exchange deadlines", settings.exchange_escalation_minutes * 60, escalate)
        jobs.add("notification mail", settings.smtp_poll_seconds, send_mail)
        jobs.add("attachment blob sweep", settings.retention_purge_minutes * 60, sweep_blobs)
        while not stop.is_set():
            jobs.run_due()
            try:
                settled = deliverer.run_once()
            except SQLAlchemyError as exc:  # database briefly unavailable: keep going
                log.warning("delivery pass failed: %s", exc)
                settled = 0
            settled += share_signatures_job(factory, settings)
            if settled == 0:
                outbox_signal.wait(timeout=settings.worker_poll_seconds)
                outbox_signal.clear()


def start_thread(factory: sessionmaker[Session], settings: Settings) -> threading.Event:
    stop = threading.Event()
    thread = threading.Thread(
        target=run, args=(factory, settings, stop), name="liaison-delivery", daemon=True
    )
    thread.start()
    return stop
