"""Cyber information sharing: the STIX 2.1 store, TAXII 2.1 server, incidents."""

from __future__ import annotations

from liaison.kit.plugin import Command, Job, Plugin, Ref

FEED_PULL_SECONDS = 15 * 60

PLUGIN = Plugin(
    name="cyber",
    api_routers=(Ref("liaison.cyber.taxii:router"),),
    web_routers=(
        Ref("liaison.web.views.cyber:router"),
        Ref("liaison.web.views.cyber_objects:router"),
        Ref("liaison.web.views.cyber_feeds:router"),
        Ref("liaison.web.views.cyber_incidents:router"),
    ),
    commands=(Command("cyber", Ref("liaison.cyber.cli:app"), "STIX store, TAXII, incidents."),),
    message_handlers={
        "cyber.object_upsert": Ref("liaison.cyber.federation:apply_upsert"),
        "cyber.object_revoke": Ref("liaison.cyber.federation:apply_revoke"),
    },
    seed_steps=(Ref("liaison.cyber.seed:seed_step"),),
    peer_welcome=(Ref("liaison.cyber.federation:welcome_peer"),),
    jobs=(
        Job(
            "cyber feed pull",
            Ref("liaison.cyber.pull:pull_job"),
            every=lambda settings: FEED_PULL_SECONDS,
        ),
    ),
    work_queue=(Ref("liaison.web.views.work_queue:incident_obligations"),),
)
