"""Fixtures for the API tests: the workflow world of tests/grants (an office tree, two carriers,
one person per role), an approved grant with a drawdown, personal tokens, and a client that
speaks JSON with a bearer token or a browser session."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from api.tokens import token_create
from grants.applications.models import ApplicationState
from grants.awards.models import Grant
from grants.awards.payments.services.drawdown import drawdown_request
from tests.grants import conftest as grants_fixtures
from tests.grants.conftest import Workflow

# The workflow world of the grants tests (fixtures live in conftest files, not test modules).
workflow = grants_fixtures.workflow
clock = grants_fixtures.clock
fast_password_hashing = grants_fixtures.fast_password_hashing


@pytest.fixture(autouse=True)
def _fresh_rate_counters():
    # The counters live in the cache; one test's requests must not count against the next's.
    cache.clear()
    yield
    cache.clear()


def make_token(user: Any, scope: str = "read_write", days: int = 30) -> str:
    _token, secret = token_create(
        user=user, name=f"Test {scope}", scope=scope, expires_on=timezone.localdate() + timedelta(days=days)
    )
    return secret


@dataclass
class Api:
    """JSON requests to /api/v1/ with a bearer token (or a logged-in browser client)."""

    client: Client

    def call(self, method: str, path: str, token: str | None = None, body: Any = None, **params: Any) -> Any:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        url = f"/api/v1{path}"
        if method == "get":
            return self.client.get(url, params, headers=headers)
        data = json.dumps(body if body is not None else {})
        return getattr(self.client, method)(url, data=data, content_type="application/json", headers=headers)

    def get(self, path: str, token: str | None = None, **params: Any) -> Any:
        return self.call("get", path, token, **params)

    def post(self, path: str, token: str | None = None, body: Any = None) -> Any:
        return self.call("post", path, token, body)

    def put(self, path: str, token: str | None = None, body: Any = None) -> Any:
        return self.call("put", path, token, body)

    def patch(self, path: str, token: str | None = None, body: Any = None) -> Any:
        return self.call("patch", path, token, body)


@pytest.fixture
def api(client) -> Api:
    return Api(client)


@dataclass
class GrantWorld:
    workflow: Workflow
    grant: Grant
    tokens: dict[str, str]

    def token(self, role: str) -> str:
        """A read-and-write token of the workflow's person ``role`` (made once per test)."""
        if role not in self.tokens:
            self.tokens[role] = make_token(self.workflow.person(role))
        return self.tokens[role]


def approved_grant(workflow: Workflow, **fields: Any) -> Grant:
    application = workflow.bring_to(ApplicationState.APPROVED, workflow.draft(**fields))
    return Grant.objects.get(application=application)


@pytest.fixture
def grant_world(workflow, clock) -> GrantWorld:
    """An approved grant of 9,000 € for 2026 at the PfD Leipzig (the workflow's ``office``) with
    one requested drawdown of 1,000 €; the clock stands at 2 March 2026."""
    clock.set(2026, 3, 2)
    grant = approved_grant(workflow)
    # Costs count from the period's first day (a permitted early start, DOMAIN.md §9).
    Grant.objects.filter(pk=grant.pk).update(early_start_from=grant.period_start)
    grant.refresh_from_db()
    drawdown_request(
        grant=grant,
        by=workflow.carrier,
        amount=Decimal("1000.00"),
        needed_on=date(2026, 3, 10),
        purpose="Honorare März",
        today=date(2026, 3, 2),
    )
    return GrantWorld(workflow=workflow, grant=grant, tokens={})
