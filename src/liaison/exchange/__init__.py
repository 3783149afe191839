"""Information exchange: cases, requests, replies, disclosures and alerts between agencies."""
