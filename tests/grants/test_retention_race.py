"""The retention run ∥ an auditor placing a legal hold, on PostgreSQL row locks.

Both lock the case (grant row first, then the application). Whichever comes second sees what the
first wrote: a hold placed first makes the run skip the case; a run first anonymises it and the
hold is refused with a German sentence. Never both: an active hold on an anonymised case.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date

import pytest
from django.db import close_old_connections, connection
from django.utils import translation

from core.errors import DomainError
from grants.applications.models import Application
from grants.records.models import HoldReason, LegalHold, RetentionAction, RetentionLog
from grants.records.services import ANONYMISED, legal_hold_place, retention_run
from tests.budgets.factories import UserFactory, membership
from tests.reporting.helpers import make_world, rejected

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROUNDS = 4


def race(*jobs: Callable[[], object]) -> tuple[list[str], list[BaseException]]:
    barrier = threading.Barrier(len(jobs))
    refusals: list[str] = []
    unexpected: list[BaseException] = []

    def run(job: Callable[[], object]) -> None:
        try:
            barrier.wait(timeout=30)
            with translation.override("de"):
                job()
        except DomainError as error:
            refusals.extend(error.messages)
        except BaseException as error:  # a deadlock or any server error fails the test
            unexpected.append(error)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return refusals, unexpected


def test_a_hold_and_the_run_never_both_win(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    world = make_world()
    auditor = UserFactory()
    membership(auditor, world["sn"], "auditor")
    for round_ in range(ROUNDS):
        application = rejected(world)
        Application.objects.filter(pk=application.pk).update(decided_at="2024-03-10T10:00:00+01:00")
        today = date(2027, 1, 1 + round_)
        refusals, unexpected = race(
            lambda today=today: retention_run(today=today),
            lambda application=application: legal_hold_place(
                application=application, by=auditor, reason=HoldReason.AUDIT, note="Prüfung BRH"
            ),
        )
        assert unexpected == []
        application.refresh_from_db()
        held = LegalHold.objects.active().filter(application=application).exists()
        anonymised = RetentionLog.objects.anonymised_cases().filter(application=application).exists()
        assert held != anonymised, f"round {round_}: held={held}, anonymised={anonymised}"
        if held:
            assert application.title != ANONYMISED
            assert RetentionLog.objects.filter(
                application=application, action=RetentionAction.SKIPPED, run_on=today
            ).exists()
        else:
            assert application.title == ANONYMISED
            assert refusals == [
                f"Der Vorgang {application.reference} ist bereits anonymisiert; es gibt nichts mehr aufzubewahren."
            ]
