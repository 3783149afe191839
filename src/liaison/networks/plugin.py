"""Crime networks: entity resolution across scripts and the cross-border link graph."""

from __future__ import annotations

from liaison.kit.plugin import N_, Command, Job, NavLink, Plugin, Ref

PLUGIN = Plugin(
    name="networks",
    api_routers=(Ref("liaison.networks.endpoints:router"),),
    web_routers=(Ref("liaison.web.views.networks:router"),),
    commands=(
        Command("networks", Ref("liaison.networks.cli:app"), "Entity resolution, link graph."),
    ),
    jobs=(
        Job(
            "networks resolution",
            Ref("liaison.networks.jobs:resolve_job"),
            every=lambda settings: 60.0,
        ),
    ),
    nav=(
        NavLink(
            N_("Networks"),
            "/networks",
            frozenset({"admin", "liaison_officer", "legal_reviewer", "analyst"}),
        ),
    ),
)
