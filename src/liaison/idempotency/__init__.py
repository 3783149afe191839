"""Idempotent writes: the same key from the same principal does the work once."""
