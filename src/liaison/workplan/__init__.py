"""Shared workplan and dialogue records: a plan both parties co-own, version by version."""
