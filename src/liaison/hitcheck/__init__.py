"""Privacy-preserving hit/no-hit checks (ECDH-PSI on ristretto255)."""
