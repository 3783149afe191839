"""The hash-chained audit log itself: record, chain, verify, export. Imports no domain."""
