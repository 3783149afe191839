"""The policy engine: rule packs, decisions with citations, and the legal review queue."""

from __future__ import annotations

from liaison.kit.plugin import Command, Plugin, Ref

PLUGIN = Plugin(
    name="policy",
    api_routers=(Ref("liaison.policy.endpoints:router"),),
    web_routers=(
        Ref("liaison.web.views.policy:router"),
        Ref("liaison.web.views.policy_reviews:router"),
    ),
    commands=(Command("policy", Ref("liaison.policy.cli:app"), "Rule packs and decisions."),),
    seed_steps=(Ref("liaison.policy.store:seed_packs"),),
    work_queue=(Ref("liaison.web.views.work_queue:held_for_review"),),
)
