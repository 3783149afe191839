"""Command line: Typer + Rich, one sub-app per domain."""
