"""Backup and restore of a node: database, attachment blobs and a verified manifest."""
