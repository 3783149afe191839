"""Retention periods, legal holds, the purge, and deletion requests with signed certificates."""
