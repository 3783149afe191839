"""Shared plumbing only: database, errors, clock, ids, security helpers."""
