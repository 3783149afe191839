"""Directory: who is who — parties, agencies, liaison officers, contact channels."""
