"""``manage.py seed_demo``: a complete, valid, idempotent demo world.

Seeding takes several seconds, so the module seeds once (twice, to prove idempotence) inside
a transaction that is rolled back at the end, and every test reads that data.
"""

from __future__ import annotations

from dataclasses import dataclass
from io import StringIO

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import transaction
from django.test.utils import override_settings
from django_fsm_log.models import StateLog

from accounts.models import User
from grants.management.commands._demo_people import USERS
from grants.management.commands._demo_world import DEMO_PASSWORD
from grants.models import Application, ApplicationState, Organisation
from grants.services.application import application_rule_check

pytestmark = pytest.mark.django_db

SEEDED_APPS = ("accounts", "budgets", "grants", "django_fsm_log")


def _row_counts() -> dict[str, int]:
    return {
        model._meta.label: model.objects.count()
        for model in apps.get_models()
        if model._meta.app_label in SEEDED_APPS
    }


@dataclass
class Seeded:
    first_counts: dict[str, int]
    second_counts: dict[str, int]
    output: str


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker, tmp_path_factory):
    storages = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path_factory.mktemp("media"))},
        },
    }
    fast_hashing = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with (
        override_settings(STORAGES=storages, PASSWORD_HASHERS=fast_hashing),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        call_command("seed_demo", stdout=StringIO())
        first = _row_counts()
        out = StringIO()
        call_command("seed_demo", stdout=out)
        yield Seeded(first, _row_counts(), out.getvalue())
        transaction.set_rollback(True)


@pytest.fixture
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_running_the_seed_twice_creates_no_duplicates(seeded):
    assert seeded.first_counts["grants.Application"] > 0
    assert seeded.second_counts == seeded.first_counts


def test_demo_has_at_least_forty_applications_in_every_workflow_state(seeded):
    assert Application.objects.count() >= 40
    states = set(Application.objects.values_list("state", flat=True))
    assert states == set(ApplicationState.values)


def test_demo_has_at_least_ten_carriers_including_a_confidential_exit_programme(seeded):
    assert Organisation.objects.count() >= 10
    confidential = Organisation.objects.get(confidential=True)
    assert "Ausstieg" in confidential.name
    assert confidential.applications.exists()


def test_every_demo_user_can_log_in_with_the_demo_password(seeded, client, fast_password_hashing):
    usernames = [spec["username"] for spec in USERS]
    assert User.objects.filter(username__in=usernames).count() == len(usernames)
    refused = [name for name in usernames if not client.login(username=name, password=DEMO_PASSWORD)]
    assert refused == []
    assert User.objects.get(username="admin").is_superuser


def test_every_submitted_demo_application_passes_its_programme_rules(seeded):
    broken = {
        a.reference: errors
        for a in Application.objects.exclude(state="draft").select_related("programme")
        if (errors := application_rule_check(a))
    }
    assert broken == {}


def test_every_demo_state_was_reached_through_recorded_transitions(seeded):
    for application in Application.objects.exclude(state="draft"):
        logs = list(StateLog.objects.for_(application).order_by("timestamp", "pk"))
        assert logs, application.reference
        assert logs[-1].state == application.state, application.reference
        assert all(log.by_id for log in logs), application.reference
        # Only the carrier's first submission goes without a comment.
        assert all(log.description for log in logs[1:]), application.reference


def test_seed_prints_every_demo_login_with_the_password(seeded):
    for spec in USERS:
        assert spec["username"] in seeded.output
    assert DEMO_PASSWORD in seeded.output
