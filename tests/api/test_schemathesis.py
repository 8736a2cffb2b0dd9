"""The served OpenAPI document, exercised by schemathesis in-process (WSGI) with the tokens of a
carrier and of a case officer: no 5xx, and every response conforms to the document (status
codes, content types, bodies, headers).

Each operation gets a few generated examples (ids that mostly do not exist, filters, bodies
that break the schema); the world behind them is the workflow's, with an approved grant, a
drawdown and a proof, so lists have rows and details can be found.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api.conftest import make_token

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]


@pytest.fixture
def api_schema(db):
    # In-process requests run inside the test's transaction: Django's request signals must not
    # close the connection between them (Django's own test client disconnects them too).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/v1/openapi.json", WSGIHandler())
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def tokens(grant_world, settings):
    """Read-and-write tokens of the carrier and of the case officer of the grant's office."""
    settings.API_RATE_LIMIT = 100_000
    world = grant_world.workflow
    return {"carrier": make_token(world.carrier), "case officer": make_token(world.officer)}


MAX_EXAMPLES = 8


def test_every_operation_answers_as_documented(api_schema, tokens):
    """Every operation of the document, for each token: generated requests, all checks.

    Driven operation by operation with hypothesis here rather than through schemathesis' pytest
    plugin (whose lazy fixtures do not run under this pytest); the checks are the same.
    """
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) > 20
    statuses: dict[int, int] = {}
    for who, token in tokens.items():
        for operation in operations:
            _exercise(operation, who, {"Authorization": f"Bearer {token}"}, statuses)
    # Found objects, refusals and rejected input all occurred: the examples reached the code.
    assert {200, 404, 422} <= set(statuses), statuses
    print(statuses)


def _exercise(operation: Any, who: str, headers: dict[str, str], statuses: dict[int, int]) -> None:
    @given(case=operation.as_strategy())
    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def exercise(case: Any) -> None:
        response = case.call_and_validate(headers=headers, checks=CHECKS)
        statuses[response.status_code] = statuses.get(response.status_code, 0) + 1

    try:
        exercise()
    except Exception as failure:
        raise AssertionError(f"{operation.label} as {who}: {failure}") from failure
