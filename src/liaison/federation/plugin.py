"""Federation: keys, pinned peers, the signed envelope channel and its delivery."""

from __future__ import annotations

from liaison.kit.plugin import Command, Job, Plugin, Ref

PLUGIN = Plugin(
    name="federation",
    api_routers=(Ref("liaison.federation.endpoints:router"),),
    web_routers=(Ref("liaison.web.views.federation:router"),),
    commands=(
        Command("keys", Ref("liaison.federation.cli:keys_app"), "This node's keys."),
        Command("peer", Ref("liaison.federation.cli:peer_app"), "Pinned peers, message log."),
    ),
    message_handlers={
        "federation.ping": Ref("liaison.federation.control:apply_ping"),
        "federation.key_announce": Ref("liaison.federation.control:apply_key_announce"),
    },
    jobs=(
        Job(
            "federation delivery",
            Ref("liaison.federation.jobs:deliver"),
            every=lambda settings: settings.worker_poll_seconds,
            on_wake=True,
        ),
    ),
)
