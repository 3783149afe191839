"""The demo: local nodes, Canada and India (or ``--parties``), seeded with the February
2026 readouts."""

from __future__ import annotations

from liaison.kit.plugin import Command, Plugin, Ref

PLUGIN = Plugin(
    name="demo",
    commands=(
        Command(
            "demo",
            Ref("liaison.demo.cli:demo_command"),
            "Start the Canada and India demo nodes (--parties CA,IN,US adds the United States).",
            group=False,
        ),
    ),
)
