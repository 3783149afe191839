"""Enum values as words people read: ``organised_crime`` → ``Organised crime``,
``mlat`` → ``MLAT``. The English words are the message ids of their translations."""

from __future__ import annotations

# Words people write in capitals (or their own way) whatever the enum value says.
_WORDS = {
    "mlat": "MLAT",
    "ndps": "NDPS",
    "ip": "IP",
    "ipv4": "IPv4",
    "ipv6": "IPv6",
    "url": "URL",
    "iban": "IBAN",
    "bic": "BIC",
    "lei": "LEI",
    "imo": "IMO",
    "cas": "CAS",
    "tlp": "TLP",
    "stix": "STIX",
    "taxii": "TAXII",
    "pdf": "PDF",
    "api": "API",
    "e164": "E.164",
}


def humanize(value: object) -> str:
    """``organised_crime`` → ``Organised crime``, ``mlat`` → ``MLAT`` (enum values shown
    to people)."""
    words = str(getattr(value, "value", value)).replace("_", " ").split(" ")
    text = " ".join(_WORDS.get(word.lower(), word) for word in words)
    return text[:1].upper() + text[1:]
