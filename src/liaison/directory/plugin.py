"""The directory: parties, agencies, liaison officers and their accreditation."""

from __future__ import annotations

from liaison.kit.plugin import Command, Plugin, Ref

PLUGIN = Plugin(
    name="directory",
    api_routers=(Ref("liaison.directory.endpoints:router"),),
    web_routers=(
        Ref("liaison.web.views.home:router"),
        Ref("liaison.web.views.parties:router"),
        Ref("liaison.web.views.agencies:router"),
        # /directory/officers/new before /directory/officers/{officer_id}
        Ref("liaison.web.views.officers:router"),
        Ref("liaison.web.views.officer_detail:router"),
    ),
    commands=(
        Command(
            "directory",
            Ref("liaison.directory.cli:app"),
            "The directory: parties, agencies, liaison officers.",
        ),
    ),
    message_handlers={
        "directory.agency_upsert": Ref("liaison.directory.federation:apply_agency"),
        "directory.officer_upsert": Ref("liaison.directory.federation:apply_officer"),
        "directory.accreditation_decision": Ref("liaison.directory.federation:apply_decision"),
    },
    purge_rules=(Ref("liaison.directory.retention:PURGE_RULE"),),
    seed_steps=(Ref("liaison.directory.seed:seed_directory"),),
    peer_welcome=(Ref("liaison.directory.federation:publish_directory"),),
)
