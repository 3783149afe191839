"""Liaison: bilateral security and law-enforcement cooperation."""

# The one place the version is written (pyproject reads it; see CHANGELOG.md).
__version__ = "0.2.0"
