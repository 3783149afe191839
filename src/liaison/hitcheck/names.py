"""Cross-script name keys: "Gurpreet Singh" and "गुरप्रीत सिंह" (and ਗੁਰਪ੍ਰੀਤ ਸਿੰਘ) share one.

The key is the exchange's (``exchange.normalise.name_key``), the one the crime
networks resolve persons with, so hit/no-hit and the networks agree on whether two
names are one. Paired with the date of birth, it is a deliberately coarse key: a hit
is a lead for a human to confirm, never an identification.
"""

from __future__ import annotations

from liaison.exchange.normalise import name_key


def skeleton(name: str) -> str:
    """The cross-script key of a name."""
    return name_key(name)
