"""CLI start-up: wall time of ``liaison`` commands that do no work, and which heavy
libraries each one imports.

Each command runs in a fresh interpreter (``python -m liaison …``), ``--repeats`` times,
alternating with the baselines from the same run: a bare interpreter
(``python -c pass``) and a Typer app with one command (the floor for a Typer CLI).
The heavy libraries are the ones a command that lists or helps must not pay for: the
web app, Splink, DuckDB, WeasyPrint, misp-stix, PyMISP, taxii2-client, networkx.

Run: ``uv run python bench/cli_startup.py [--repeats 7]``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time

COMMANDS = {
    "liaison --version": ["--version"],
    "liaison --help": ["--help"],
    "liaison cyber --help": ["cyber", "--help"],
    "liaison cyber pull --help": ["cyber", "pull", "--help"],
}
BASELINES = {
    "python -c pass": [sys.executable, "-c", "pass"],
    "a one-command Typer app": [
        sys.executable,
        "-c",
        "import typer; app = typer.Typer(); app.command()(lambda: None); "
        "import sys; sys.argv = ['x', '--help']; app()",
    ],
}
HEAVY = (
    "liaison.app",
    "liaison.web",
    "splink",
    "duckdb",
    "weasyprint",
    "misp_stix_converter",
    "pymisp",
    "taxii2client",
    "networkx",
    "sqlalchemy",
    "fastapi",
)
# Imports the command, runs it, then prints which heavy packages were loaded.
PROBE = (
    "import sys, runpy, json, atexit\n"
    "heavy = {heavy!r}\n"
    "atexit.register(lambda: print('HEAVY=' + json.dumps(sorted("
    "h for h in heavy if h in sys.modules)), file=sys.stderr))\n"
    "sys.argv = ['liaison', *{args!r}]\n"
    "runpy.run_module('liaison', run_name='__main__')\n"
)


def seconds(argv: list[str]) -> float:
    began = time.perf_counter()
    subprocess.run(argv, check=True, capture_output=True)
    return time.perf_counter() - began


def heavy_of(args: list[str]) -> list[str]:
    probe = PROBE.format(heavy=HEAVY, args=args)
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    for line in done.stderr.splitlines():
        if line.startswith("HEAVY="):
            found: list[str] = json.loads(line[len("HEAVY=") :])
            return found
    raise RuntimeError(f"the probe of {args} printed nothing: {done.stderr[-500:]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    runs = {name: [sys.executable, "-m", "liaison", *argv] for name, argv in COMMANDS.items()}
    runs |= BASELINES
    timings: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(args.repeats):  # alternating, so machine load hits all alike
        for name, argv in runs.items():
            timings[name].append(seconds(argv))
    print(f"median wall time of {args.repeats} runs each, alternating (fresh interpreter)")
    print(f"{'command':<32}{'median s':>10}{'min s':>8}  heavy libraries imported")
    for name in runs:
        heavy = ", ".join(heavy_of(COMMANDS[name])) if name in COMMANDS else "(baseline)"
        times = timings[name]
        print(f"{name:<32}{statistics.median(times):>10.3f}{min(times):>8.3f}  {heavy or 'none'}")


if __name__ == "__main__":
    main()
