"""THE ordered list of a node's domains. The app, the worker and the CLI are built from it.

Order matters only where routes overlap (a domain's pages are mounted in the order its
plug-in lists them, domains in this order) and for the demo seed (the directory first:
users belong to its agencies). To add a domain, write its ``plugin.py`` and add it
here; nothing else needs to know. See docs/architecture.md.
"""

from __future__ import annotations

from functools import cache

from liaison.audit.plugin import PLUGIN as AUDIT
from liaison.backup.plugin import PLUGIN as BACKUP
from liaison.cyber.plugin import PLUGIN as CYBER
from liaison.demo.plugin import PLUGIN as DEMO
from liaison.directory.plugin import PLUGIN as DIRECTORY
from liaison.doctor.plugin import PLUGIN as DOCTOR
from liaison.exchange.plugin import PLUGIN as EXCHANGE
from liaison.federation.plugin import PLUGIN as FEDERATION
from liaison.hitcheck.plugin import PLUGIN as HITCHECK
from liaison.idempotency.plugin import PLUGIN as IDEMPOTENCY
from liaison.kit.plugin import Plugin, Registry
from liaison.networks.plugin import PLUGIN as NETWORKS
from liaison.notifications.plugin import PLUGIN as NOTIFICATIONS
from liaison.policy.plugin import PLUGIN as POLICY
from liaison.precursors.plugin import PLUGIN as PRECURSORS
from liaison.retention.plugin import PLUGIN as RETENTION
from liaison.users.plugin import PLUGIN as USERS
from liaison.workplan.plugin import PLUGIN as WORKPLAN

DOMAINS: tuple[Plugin, ...] = (
    USERS,
    DIRECTORY,
    FEDERATION,
    IDEMPOTENCY,
    POLICY,
    AUDIT,
    RETENTION,
    NOTIFICATIONS,
    WORKPLAN,
    EXCHANGE,
    HITCHECK,
    PRECURSORS,
    NETWORKS,
    CYBER,
    DEMO,
    DOCTOR,
    BACKUP,
)


@cache
def registry() -> Registry:
    """The registry of the shipped domains (the app and worker may be given others)."""
    return Registry(DOMAINS)
