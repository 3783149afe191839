"""The shared workplan: versions both parties sign, progress, the dashboard and report."""

from __future__ import annotations

from liaison.kit.plugin import Command, Job, Plugin, Ref

PLUGIN = Plugin(
    name="workplan",
    api_routers=(Ref("liaison.workplan.endpoints:router"),),
    web_routers=(Ref("liaison.web.views.workplan:router"),),
    commands=(
        Command("workplan", Ref("liaison.workplan.cli:app"), "The shared workplan and report."),
    ),
    message_handlers={
        "workplan.proposal": Ref("liaison.workplan.federation:apply_proposal"),
        "workplan.response": Ref("liaison.workplan.federation:apply_response"),
        "workplan.signature": Ref("liaison.workplan.federation:apply_signature"),
        "workplan.progress": Ref("liaison.workplan.federation:apply_progress"),
    },
    jobs=(
        Job(
            "workplan signatures",
            Ref("liaison.workplan.jobs:share_signatures_job"),
            every=lambda _settings: 2.0,
        ),
    ),
    seed_steps=(Ref("liaison.workplan.seed:seed_workplan"),),
    work_queue=(Ref("liaison.web.views.work_queue:proposals_awaiting"),),
)
