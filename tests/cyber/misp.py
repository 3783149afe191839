"""A MISP event with the to_ids attribute types the hand-written mapping used to drop."""

from __future__ import annotations

from typing import Any

TO_IDS = (
    ("filename|md5", "evil.exe|" + "a" * 32, "Payload delivery"),
    ("filename|sha256", "evil.dll|" + "b" * 64, "Payload delivery"),
    ("ip-dst|port", "203.0.113.5|443", "Network activity"),
    ("ssdeep", "96:s4Ud1Lj96tHHlZDrwciQmA:s4Ud1L6tHRpNr", "Payload delivery"),
    ("imphash", "c" * 32, "Payload delivery"),
    ("yara", 'rule evil { strings: $a = "evil" condition: $a }', "Payload installation"),
    ("regkey|value", "HKLM\\Software\\Evil|1", "Persistence mechanism"),
)


def misp_event() -> dict[str, Any]:
    org = {"name": "CIRCL", "uuid": "55f6ea5e-2c60-40e5-964f-47a8950d210f"}
    attributes = [
        {
            "uuid": f"5a0d{n:04x}-1c2b-4d3e-8f40-5a6b7c8d9e0f",
            "type": kind,
            "value": value,
            "category": category,
            "to_ids": True,
            "timestamp": "1488326400",
        }
        for n, (kind, value, category) in enumerate(TO_IDS)
    ]
    attributes.append(
        {
            "uuid": "5a0d00ff-1c2b-4d3e-8f40-5a6b7c8d9e0f",
            "type": "comment",
            "value": "seen by CCCS",
            "category": "Other",
            "to_ids": False,
            "timestamp": "1488326400",
        }
    )
    return {
        "Event": {
            "uuid": "5f2b0a66-1d1c-4a8e-9f0e-2f6a0b7c9d11",
            "info": "Ransomware dropper (round trip)",
            "date": "2017-03-01",
            "timestamp": "1488326400",
            "published": True,
            "Orgc": org,
            "Org": org,
            "Tag": [{"name": "tlp:green"}],
            "Attribute": attributes,
        }
    }
