"""The policy engine: rule packs, decisions with citations, and the legal review queue."""

from __future__ import annotations

from liaison.kit.plugin import Command, Plugin, Ref

PLUGIN = Plugin(
    name="policy",
    api_routers=(
        Ref("liaison.policy.endpoints:router"),
        Ref("liaison.policy.obligation_endpoints:router"),
    ),
    web_routers=(
        Ref("liaison.web.views.policy:router"),
        Ref("liaison.web.views.policy_reviews:router"),
        Ref("liaison.web.views.policy_obligations:router"),
        Ref("liaison.web.views.policy_register:router"),
    ),
    commands=(Command("policy", Ref("liaison.policy.cli:app"), "Rule packs and decisions."),),
    seed_steps=(Ref("liaison.policy.store:seed_packs"),),
    purge_rules=(Ref("liaison.policy.register:PURGE_RULE"),),
    figures={"obligations": Ref("liaison.policy.obligations:figure")},
    work_queue=(Ref("liaison.web.views.work_queue:held_for_review"),),
)
