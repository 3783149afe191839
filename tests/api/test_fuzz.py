"""Schemathesis drives every API operation with generated input: never a 5xx."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

# Minutes per backend: queued with the live-node files (tests/support/scheduling.py).
pytestmark = pytest.mark.slow
# PostgreSQL is where fuzzing found bugs; SQLite gets half as many examples per operation.
EXAMPLES = {"postgresql": 30, "sqlite": 15}


def test_no_operation_answers_5xx(
    client: TestClient,
    auth_headers: Callable[[str], dict[str, str]],
    request: pytest.FixtureRequest,
) -> None:
    examples = EXAMPLES[request.node.callspec.params["db_factory"]]
    schema = schemathesis.openapi.from_asgi("/openapi.json", client.app)
    headers = auth_headers("ca-admin")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 15

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=examples, deadline=None, suppress_health_check=list(HealthCheck))
        def no_server_error(case: schemathesis.Case) -> None:
            case.call_and_validate(headers=headers, checks=[not_a_server_error])

        no_server_error()
