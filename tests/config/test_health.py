"""The load balancer's health endpoint: 200 when database, cache, broker, storage and migrations
answer; 503 naming what fails; reachable by address over plain HTTP in production."""

from unittest import mock

import pytest
from django.db import OperationalError
from django.urls import reverse
from kombu.exceptions import OperationalError as BrokerError

from config import health

pytestmark = pytest.mark.django_db

COMPONENTS = ["database", "cache", "broker", "storage", "migrations"]


@pytest.fixture(autouse=True)
def _forget_migrations():
    # The positive migrations answer is kept per process; each test asks afresh.
    health._migrations_complete = False
    yield
    health._migrations_complete = False


def test_all_green_is_200_with_every_component(client):
    response = client.get("/health/")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["failing"] == []
    assert list(body["checks"]) == COMPONENTS
    assert all(check["ok"] for check in body["checks"].values())
    assert response["Cache-Control"] == "no-store"
    assert reverse("health") == "/health/"


@pytest.mark.parametrize(
    ("component", "target", "error", "failing"),
    [
        # Without the database the migrations cannot be read either.
        ("database", "config.health.connection.cursor", OperationalError("no route to db.internal"), 2),
        ("cache", "config.health.cache.set", ConnectionError("Redis is down"), 1),
        ("broker", "config.celery.app.connection_for_write", BrokerError("Redis is down"), 1),
        ("storage", "config.health.default_storage.save", PermissionError("read-only file system"), 1),
    ],
)
def test_a_failing_component_makes_it_503_and_is_named(client, caplog, component, target, error, failing):
    with mock.patch(target, side_effect=error):
        response = client.get("/health/")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "fail"
    assert body["failing"] == [component, "migrations"][:failing]
    assert body["checks"][component] == {
        "ok": False,
        "ms": body["checks"][component]["ms"],
        "error": type(error).__name__,
    }
    assert all(body["checks"][other]["ok"] for other in COMPONENTS if other not in body["failing"])
    # The message (host names, paths) goes to the log, not to the public answer.
    assert str(error) not in response.content.decode()
    assert f"Health check {component} failed" in caplog.text


def test_a_cache_that_loses_what_was_written_is_unhealthy(client):
    with mock.patch("config.health.cache.get", return_value=None):
        body = client.get("/health/").json()

    assert body["failing"] == ["cache"]
    assert body["checks"]["cache"]["error"] == "the cache did not return what was just written"


def test_unapplied_migrations_make_it_503_until_migrate_ran(client):
    class Pending:
        app_label, name = "grants", "0099_new_release"

    with mock.patch("config.health.MigrationExecutor.migration_plan", return_value=[(Pending(), False)]):
        body = client.get("/health/").json()
    assert body["failing"] == ["migrations"]
    assert body["checks"]["migrations"]["error"] == "1 unapplied: grants.0099_new_release"

    assert client.get("/health/").status_code == 200


def test_the_probe_needs_neither_https_nor_a_known_host_but_pages_do(client, settings):
    settings.ALLOWED_HOSTS = ["foerderung.example.org"]
    settings.SECURE_SSL_REDIRECT = True

    # A load balancer probes each machine by its address over plain HTTP.
    assert client.get("/health/", HTTP_HOST="10.0.3.17:8000").status_code == 200
    assert client.get("/anmelden/", HTTP_HOST="10.0.3.17:8000").status_code == 400
    redirect = client.get("/anmelden/", HTTP_HOST="foerderung.example.org")
    assert (redirect.status_code, redirect["Location"]) == (301, "https://foerderung.example.org/anmelden/")


def test_the_probe_is_anonymous_and_read_only(client):
    assert client.post("/health/").status_code != 200  # only GET and HEAD are the probe
    assert client.head("/health/").status_code == 200
