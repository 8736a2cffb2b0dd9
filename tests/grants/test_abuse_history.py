"""History cannot be rewritten: the transition history and the ledger refuse UPDATE, DELETE and
TRUNCATE at the database (issue 12, part 4; migrations grants 0015 and budgets 0009).

PostgreSQL refuses all three for every role but a superuser's TRUNCATE (which the test teardown
needs; a superuser may drop a trigger anyway). SQLite refuses UPDATE; it cannot refuse DELETE
because its test teardown deletes row by row, and production runs on PostgreSQL only.
"""

import secrets

import pytest
from django.db import DatabaseError, connection, transaction
from django_fsm_log.models import StateLog

from budgets.models import LedgerEntry
from grants.applications.services.application import application_submit
from tests.budgets.factories import FundingProgrammeFactory, envelope, office

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(workflow):
    application = application_submit(application=workflow.draft(), by=workflow.carrier)
    log = StateLog.objects.for_(application).get()  # type: ignore[attr-defined]
    return application, log


def refused(sql: str, params=()) -> str:
    with pytest.raises(DatabaseError) as caught, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
    return str(caught.value)


def test_the_transition_history_refuses_an_update(history):
    _application, log = history
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        StateLog.objects.filter(pk=log.pk).update(description="nachträglich geändert")
    assert "append-only" in refused(f"UPDATE django_fsm_log_statelog SET by_id = NULL WHERE id = {log.pk}")
    assert StateLog.objects.get(pk=log.pk).description in (None, "")


@pytest.mark.postgres
def test_postgresql_refuses_deleting_the_history_and_the_ledger(history):
    _application, log = history
    env = envelope(office=office(kind="state"), programme=FundingProgrammeFactory())
    assert "append-only" in refused(f"DELETE FROM django_fsm_log_statelog WHERE id = {log.pk}")
    assert "append-only" in refused("DELETE FROM budgets_ledgerentry")
    assert StateLog.objects.filter(pk=log.pk).exists() and LedgerEntry.objects.filter(envelope=env).exists()


@pytest.mark.postgres
def test_postgresql_refuses_truncate_to_the_application_role_even_with_the_privilege(history):
    envelope(office=office(kind="state"), programme=FundingProgrammeFactory())
    role = f"abuse_app_{secrets.token_hex(4)}"
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {role} NOLOGIN")
        cursor.execute(f"GRANT ALL ON django_fsm_log_statelog, budgets_ledgerentry TO {role}")
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending foreign-key checks in the way
        for table in ("django_fsm_log_statelog", "budgets_ledgerentry"):
            with pytest.raises(DatabaseError, match="append-only: TRUNCATE is refused"), transaction.atomic():
                cursor.execute(f"SET LOCAL ROLE {role}")
                cursor.execute(f"TRUNCATE {table} CASCADE")
        cursor.execute("RESET ROLE")
        cursor.execute(f"REVOKE ALL ON django_fsm_log_statelog, budgets_ledgerentry FROM {role}")
        cursor.execute(f"DROP ROLE {role}")
    assert StateLog.objects.exists() and LedgerEntry.objects.exists()


def test_new_history_is_still_written(history, workflow):
    application, _log = history
    from grants.applications.services.application import application_start_formal_check

    application_start_formal_check(application=application, by=workflow.officer)
    assert StateLog.objects.for_(application).count() == 2  # type: ignore[attr-defined]
