"""Privacy-preserving hit/no-hit (PSI): ask the peer whether it holds anything on an
identifier without disclosing the identifier when the answer is no."""

from __future__ import annotations

from liaison.kit.plugin import N_, Command, Job, NavLink, Plugin, Ref

PLUGIN = Plugin(
    name="hitcheck",
    api_routers=(Ref("liaison.hitcheck.endpoints:router"),),
    web_routers=(Ref("liaison.web.views.hitcheck:router"),),
    commands=(Command("hitcheck", Ref("liaison.hitcheck.cli:app"), "Hit/no-hit checks (PSI)."),),
    jobs=(
        Job(
            "hit/no-hit index",
            Ref("liaison.hitcheck.jobs:index_job"),
            every=lambda settings: settings.hitcheck_index_seconds,
        ),
    ),
    nav=(
        NavLink(N_("Hit/no-hit"), "/hitcheck", frozenset({"admin", "liaison_officer", "analyst"})),
    ),
)
