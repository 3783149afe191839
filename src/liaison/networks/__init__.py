"""Crime networks: entity resolution across scripts and the cross-border link graph."""
