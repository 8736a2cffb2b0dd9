"""Root fixtures and the rules for tests that need real services.

Tests marked ``postgres`` run only when DATABASE_URL points at PostgreSQL; tests marked
``broker`` only when CELERY_BROKER_URL points at a real broker. Otherwise they are skipped
with the reason, and the rest of the suite runs on SQLite with Celery in-process.
"""

import os

import pytest


def pytest_collection_modifyitems(config, items):
    from django.db import connection

    on_postgres = connection.vendor == "postgresql"
    broker = os.environ.get("CELERY_BROKER_URL", "memory://")
    has_broker = not broker.startswith("memory://")
    skip_pg = pytest.mark.skip(reason="needs PostgreSQL: set DATABASE_URL=postgres://…")
    skip_broker = pytest.mark.skip(reason="needs a Celery broker: set CELERY_BROKER_URL=redis://…")
    for item in items:
        if "postgres" in item.keywords and not on_postgres:
            item.add_marker(skip_pg)
        if "broker" in item.keywords and not has_broker:
            item.add_marker(skip_broker)


@pytest.fixture(autouse=True)
def _eager_celery(settings):
    # Unit tests run tasks in-process; the worker test (marked broker) starts a real worker.
    from config.celery import app

    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    yield


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
    }
    yield


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # The default PBKDF2 costs ~0.3 s per user; tests create hundreds of users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    yield


@pytest.fixture(autouse=True)
def _default_language():
    # A test that switches to English must not leak it into the next one.
    from django.conf import settings as django_settings
    from django.utils import translation

    yield
    translation.activate(django_settings.LANGUAGE_CODE)


@pytest.fixture(scope="module")
def demo_world(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo world of ``manage.py seed_demo``, seeded once per module and rolled back after it."""
    from io import StringIO

    from django.conf import settings as django_settings
    from django.core.management import call_command
    from django.db import transaction
    from django.test.utils import override_settings

    storages = {
        **django_settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path_factory.mktemp("demo_media"))},
        },
    }
    with (
        override_settings(
            STORAGES=storages, PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]
        ),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        call_command("seed_demo", stdout=StringIO())
        yield
        transaction.set_rollback(True)
