"""The policy tests' node: the shipped domains plus the test plug-in that releases (or
drops) the test items held for legal review (``tests.policy.holds``)."""

from __future__ import annotations

import pytest

from liaison.domains import DOMAINS
from liaison.kit.plugin import Registry
from tests.policy.holds import TEST_PLUGIN


@pytest.fixture
def registry() -> Registry:
    return Registry([*DOMAINS, TEST_PLUGIN])
