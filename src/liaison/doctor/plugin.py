"""The doctor: checks a node's setup (files, keys, migrations, peers, clock, disk, mail)."""

from __future__ import annotations

from liaison.kit.plugin import Command, Plugin, Ref

PLUGIN = Plugin(
    name="doctor",
    commands=(
        Command(
            "doctor",
            Ref("liaison.doctor.cli:doctor"),
            "Check this node's setup and say what to fix.",
            group=False,
        ),
    ),
)
