"""Audit: an append-only, hash-chained log with peer-countersigned checkpoints."""
