"""``SavesChangedFields``: a use case saves exactly what it changed, without a hand-kept list."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from grants.applications.models import Application
from tests.budgets.factories import office
from tests.grants.factories import ApplicationFactory

pytestmark = pytest.mark.django_db


def test_save_changes_writes_only_the_fields_that_changed():
    application = ApplicationFactory(title="Alt", office=office())
    fresh = Application.objects.get(pk=application.pk)
    fresh.title = "Neu"
    fresh.region = "Dresden"
    with CaptureQueriesContext(connection) as queries:
        changed = fresh.save_changes()
    assert sorted(changed) == ["region", "title"]
    updates = [q["sql"] for q in queries if q["sql"].startswith("UPDATE")]
    assert len(updates) == 1
    assert '"summary"' not in updates[0]
    fresh.refresh_from_db()
    assert (fresh.title, fresh.region) == ("Neu", "Dresden")


def test_save_changes_without_a_change_writes_nothing():
    application = ApplicationFactory(office=office())
    fresh = Application.objects.get(pk=application.pk)
    with CaptureQueriesContext(connection) as queries:
        assert fresh.save_changes() == []
    assert not [q for q in queries if q["sql"].startswith("UPDATE")]


def test_a_second_save_changes_sees_only_what_changed_since_the_first():
    fresh = Application.objects.get(pk=ApplicationFactory(office=office()).pk)
    fresh.title = "Erst"
    assert fresh.save_changes() == ["title"]
    fresh.summary = "Dann"
    assert fresh.save_changes() == ["summary"]
