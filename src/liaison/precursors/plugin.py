"""Fentanyl precursors: substance register, pre-export notifications with answers and
deadlines, alerts and incidents, ties to exchange cases, and the dashboard."""

from __future__ import annotations

from liaison.kit.plugin import N_, Command, Job, NavLink, Plugin, Ref

PLUGIN = Plugin(
    name="precursors",
    api_routers=(
        Ref("liaison.precursors.endpoints:router"),
        Ref("liaison.precursors.delivery_endpoints:router"),
    ),
    web_routers=(
        Ref("liaison.web.views.precursors:router"),
        Ref("liaison.web.views.precursors_forms:router"),
        Ref("liaison.web.views.precursors_deliveries:router"),
    ),
    commands=(
        Command(
            "precursors",
            Ref("liaison.precursors.cli:app"),
            "Precursor register, pre-export notifications, imports.",
        ),
    ),
    message_handlers={
        "precursors.notices": Ref("liaison.precursors.federation:receive_notices"),
        "precursors.answer": Ref("liaison.precursors.federation:receive_answer"),
        "precursors.delivery": Ref("liaison.precursors.delivery_federation:receive_change"),
    },
    release_hooks={
        "precursors.notice": Ref("liaison.precursors.holds:release_notice"),
        "precursors.import": Ref("liaison.precursors.holds:release_import"),
        "precursors.answer": Ref("liaison.precursors.holds:release_answer"),
    },
    review_labels={
        "precursors.notice": N_("Pre-export notification"),
        "precursors.import": N_("Imported pre-export notifications"),
    },
    jobs=(
        Job(
            "precursor deadlines",
            Ref("liaison.precursors.jobs:flag_overdue_job"),
            every=lambda settings: settings.exchange_escalation_minutes * 60,
        ),
        Job(
            "controlled-delivery changes",
            Ref("liaison.precursors.jobs:send_waiting_job"),
            every=lambda settings: settings.worker_poll_seconds,
        ),
    ),
    figures={"precursors": Ref("liaison.precursors.dashboard:figures")},
    report_sections=(Ref("liaison.precursors.report:section"),),
    seed_steps=(Ref("liaison.precursors.seed:seed_precursors"),),
    nav=(NavLink(N_("Precursors"), "/precursors"),),
)
