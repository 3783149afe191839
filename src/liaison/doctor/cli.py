"""``liaison doctor``: one line per finding, what to do under each fault or warning."""

from __future__ import annotations

from typing import Annotated

import typer

from liaison.doctor.checks import Level
from liaison.doctor.service import diagnose
from liaison.kit.cli import console, settings

STYLE = {Level.OK: "green", Level.WARNING: "yellow", Level.FAULT: "red"}


def doctor(
    timeout: Annotated[float, typer.Option(help="Seconds to wait for each peer.")] = 5.0,
) -> None:
    """Check this node's files, secret key, migrations, keys, peers, clock, disk and SMTP."""
    findings = diagnose(settings(), timeout=timeout)
    for finding in findings:
        label = finding.level.value.upper()
        console.print(
            f"[{STYLE[finding.level]}]{label:>7}[/] {finding.check}: {finding.detail}",
            highlight=False,
            markup=True,
        )
        if finding.fix:
            console.print(f"        → {finding.fix}", highlight=False, markup=False)
    faults = sum(f.level is Level.FAULT for f in findings)
    warnings = sum(f.level is Level.WARNING for f in findings)
    console.print(f"{faults} fault(s), {warnings} warning(s)")
    if faults:
        raise typer.Exit(code=1)
