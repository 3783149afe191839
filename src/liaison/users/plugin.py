"""Users, roles, sign-in and API tokens."""

from __future__ import annotations

from liaison.kit.plugin import Command, Plugin, Ref

PLUGIN = Plugin(
    name="users",
    api_routers=(Ref("liaison.users.endpoints:router"),),
    web_routers=(
        Ref("liaison.web.views.auth:router"),
        Ref("liaison.web.views.preferences:router"),
    ),
    commands=(Command("user", Ref("liaison.users.cli:app"), "Users, roles and API tokens."),),
)
