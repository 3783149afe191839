"""Federation between nodes: signed, encrypted envelopes and signed receipts."""
