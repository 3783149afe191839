"""Liaison: bilateral security and law-enforcement cooperation."""

__version__ = "0.1.0"
