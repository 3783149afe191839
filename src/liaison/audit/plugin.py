"""The audit log's pages and API, and checkpoints countersigned by the peers."""

from __future__ import annotations

from liaison.kit.plugin import Command, Job, Plugin, Ref

PLUGIN = Plugin(
    name="audit",
    api_routers=(Ref("liaison.audit.endpoints:router"),),
    web_routers=(Ref("liaison.web.views.audit:router"),),
    commands=(Command("audit", Ref("liaison.audit.cli:app"), "The tamper-evident audit log."),),
    message_handlers={
        "audit.checkpoint": Ref("liaison.audit.checkpoints:receive_checkpoint"),
        "audit.countersign": Ref("liaison.audit.checkpoints:receive_countersign"),
    },
    jobs=(
        Job(
            "audit checkpoint",
            Ref("liaison.audit.jobs:checkpoint"),
            every=lambda settings: min(5.0, settings.audit_checkpoint_minutes * 60 / 4),
        ),
    ),
)
