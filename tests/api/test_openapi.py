"""The OpenAPI document: the committed copy is what the API serves, and the API page shows it
with Swagger UI from our own static files under the site's content security policy."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.django_db

COMMITTED = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"


def test_the_committed_openapi_document_is_the_served_one(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    served = response.json()
    committed = json.loads(COMMITTED.read_text(encoding="utf-8"))
    assert served == committed, "The API changed: run `make openapi` and commit docs/openapi.json."


def test_every_error_response_is_documented_as_problem_details(client):
    document = client.get("/api/v1/openapi.json").json()
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            for status, response in operation["responses"].items():
                if int(status) >= 400:
                    assert list(response["content"]) == ["application/problem+json"], (method, path, status)
            assert {"401", "403", "404", "422", "429"} <= set(operation["responses"]), (method, path)
            assert operation["security"] == [{"TokenAuth": []}, {"BrowserSession": []}]


def test_the_api_page_serves_swagger_ui_from_our_static_files_under_the_csp(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    scripts = re.findall(r"<script[^>]*>", html)
    # Only external scripts from our own static files; the settings block is JSON, not code.
    assert all('src="/static/' in tag or 'type="application/json"' in tag for tag in scripts), scripts
    assert "cdn" not in html.lower()
    assert 'href="/static/ninja/swagger-ui.css"' in html
    assert "/api/v1/openapi.json" in html


def test_swagger_ui_static_files_are_shipped():
    from django.contrib.staticfiles import finders

    for name in ("ninja/swagger-ui-bundle.js", "ninja/swagger-ui-init.js", "ninja/swagger-ui.css"):
        assert finders.find(name), name
