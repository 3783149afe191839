"""Policy engine: rule packs (data), decisions with citations, legal review queue."""
