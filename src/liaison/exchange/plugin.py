"""Information exchange: requests, replies, disclosures and alerts in cases."""

from __future__ import annotations

from liaison.kit.plugin import N_, Command, Job, Plugin, Ref

PLUGIN = Plugin(
    name="exchange",
    api_routers=(
        Ref("liaison.exchange.endpoints:router"),
        Ref("liaison.exchange.transfer_endpoints:router"),
        Ref("liaison.exchange.consent_endpoints:router"),
    ),
    web_routers=(
        # /exchange/compose before /exchange/{message_id}
        Ref("liaison.web.views.exchange_compose:router"),
        Ref("liaison.web.views.exchange:router"),
        Ref("liaison.web.views.exchange_actions:router"),
    ),
    commands=(
        Command(
            "exchange", Ref("liaison.exchange.cli:app"), "Requests, replies, disclosures, alerts."
        ),
    ),
    message_handlers={
        "exchange.message": Ref("liaison.exchange.federation:receive_message"),
        "exchange.delivered": Ref("liaison.exchange.delivered:apply_delivered"),
        "exchange.consent_request": Ref("liaison.exchange.consent:receive_request"),
        "exchange.consent_answer": Ref("liaison.exchange.consent:receive_answer"),
    },
    release_hooks={"exchange.message": Ref("liaison.exchange.federation:release_held")},
    accepted_hooks={"exchange.message": Ref("liaison.exchange.delivered:mark_delivered")},
    review_labels={"exchange.message": N_("Message")},
    purge_rules=(Ref("liaison.exchange.retention:PURGE_RULE"),),
    jobs=(
        Job(
            "exchange deadlines",
            Ref("liaison.exchange.jobs:escalate_job"),
            every=lambda settings: settings.exchange_escalation_minutes * 60,
        ),
        Job(
            "attachment transfers",
            Ref("liaison.exchange.transfer_pull:pull_job"),
            every=lambda settings: settings.worker_poll_seconds,
        ),
        Job(
            "attachment blob sweep",
            Ref("liaison.exchange.jobs:sweep_blobs_job"),
            every=lambda settings: settings.retention_purge_minutes * 60,
        ),
    ),
    figures={"exchange": Ref("liaison.exchange.stats:cached")},
    work_queue=(Ref("liaison.web.views.work_queue:requests_due"),),
)
