"""Limits: requests per token and window (429 with Retry-After), the size of a request body
(413), each answered as problem details."""

from __future__ import annotations

import json

import pytest

from api.limits import check_rate
from api.problems import RateLimited
from tests.api.conftest import make_token

pytestmark = pytest.mark.django_db


def test_a_token_gets_its_limit_per_window_then_429_with_retry_after(api, grant_world, settings):
    settings.API_RATE_LIMIT = 3
    settings.API_RATE_WINDOW = 60
    token = grant_world.token("carrier")
    assert [api.get("/me", token).status_code for _ in range(3)] == [200, 200, 200]
    refused = api.get("/me", token)
    assert refused.status_code == 429
    assert refused["Content-Type"] == "application/problem+json; charset=utf-8"
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert refused.json()["detail"] == (
        "Höchstens 3 Anfragen je 60 Sekunden; bitte warten Sie vor der nächsten."
    )
    # Another token (even of the same person) counts on its own.
    assert api.get("/me", make_token(grant_world.workflow.carrier)).status_code == 200


def test_the_window_is_fixed_and_starts_again(settings, db):
    settings.API_RATE_LIMIT = 2
    settings.API_RATE_WINDOW = 60
    check_rate("token:1", now=120.0)
    check_rate("token:1", now=150.0)
    with pytest.raises(RateLimited) as refused:
        check_rate("token:1", now=170.5)
    assert refused.value.retry_after == 10
    check_rate("token:1", now=180.0)  # the next window


def test_a_body_over_the_limit_is_refused_before_it_is_read(api, grant_world, settings, client):
    settings.API_MAX_BODY_BYTES = 1024
    token = grant_world.token("carrier")
    body = json.dumps({"amount": "1", "needed_on": "2026-03-10", "purpose": "x" * 2000})
    response = client.post(
        f"/api/v1/grants/{grant_world.grant.pk}/drawdowns",
        data=body,
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 413
    assert response.json()["type"] == "/api/v1/problems/too-large"
    assert response.json()["detail"] == "Eine Anfrage an die API darf höchstens 1 KiB enthalten."


def test_a_body_django_will_not_read_is_413_too(api, grant_world, settings, client):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    token = grant_world.token("carrier")
    response = client.post(
        f"/api/v1/grants/{grant_world.grant.pk}/drawdowns",
        data=json.dumps({"amount": "1", "needed_on": "2026-03-10", "purpose": "x" * 500}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 413
