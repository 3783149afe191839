"""Enum values shown to people read as words, with the acronyms officers write."""

from __future__ import annotations

from liaison.kit.words import humanize


def test_enum_values_read_as_words() -> None:
    assert humanize("police_cooperation") == "Police cooperation"
    assert humanize("mlat") == "MLAT"
    assert humanize("ip") == "IP"
    assert humanize("ndps_31a_repeat") == "NDPS 31a repeat"
    assert humanize("refugee_claimant") == "Refugee claimant"
