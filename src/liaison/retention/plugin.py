"""Retention periods, legal holds, the purge, and deletion requests with certificates."""

from __future__ import annotations

from liaison.kit.plugin import Command, Job, Plugin, Ref

PLUGIN = Plugin(
    name="retention",
    api_routers=(Ref("liaison.retention.endpoints:router"),),
    web_routers=(Ref("liaison.web.views.retention:router"),),
    commands=(
        Command("retention", Ref("liaison.retention.cli:app"), "Retention, holds, deletion."),
    ),
    message_handlers={
        "retention.delete_request": Ref("liaison.retention.deletion:receive_request"),
        "retention.delete_certificate": Ref("liaison.retention.deletion:receive_certificate"),
    },
    jobs=(
        Job(
            "retention purge",
            Ref("liaison.retention.jobs:purge"),
            every=lambda settings: settings.retention_purge_minutes * 60,
        ),
    ),
)
