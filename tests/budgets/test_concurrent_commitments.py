"""Concurrent approvals can never overcommit an envelope (PostgreSQL row locks)."""

import threading
from decimal import Decimal

import pytest
from django.db import close_old_connections, connection, transaction

from budgets.selectors import envelope_figures
from budgets.services.commitments import commit_instalments
from core.errors import DomainError
from tests.budgets.factories import FundingProgrammeFactory, UserFactory, envelope, office

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 20
ROUNDS = 5
INSTALMENT = Decimal("1000.00")
ALLOCATED = Decimal("10500.00")  # fits exactly 10 of the 20 instalments


def _race(*, local, programme, by, year: int) -> tuple[int, int, list[BaseException]]:
    """Start THREADS commitments at the same instant; return (succeeded, refused, other errors)."""
    barrier = threading.Barrier(THREADS)
    lock = threading.Lock()
    outcome = {"ok": 0, "refused": 0}
    unexpected: list[BaseException] = []

    def approve(n: int) -> None:
        try:
            barrier.wait(timeout=30)
            with transaction.atomic():
                commit_instalments(
                    office=local,
                    programme=programme,
                    instalments={year: INSTALMENT},
                    reference=f"R{year}-{n}",
                    by=by,
                )
                # Hold the lock a moment, as a real approval does while it writes the notice.
                connection.cursor().execute("SELECT pg_sleep(0.005)")
            with lock:
                outcome["ok"] += 1
        except DomainError:
            with lock:
                outcome["refused"] += 1
        except BaseException as exc:
            unexpected.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=approve, args=(n,)) for n in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return outcome["ok"], outcome["refused"], unexpected


def test_concurrent_commitments_never_overcommit_an_envelope():
    root = office(kind="federal")
    state = office(parent=root, kind="state")
    local = office(parent=state, kind="local")
    programme = FundingProgrammeFactory()
    by = UserFactory()
    for round_ in range(ROUNDS):
        year = 2026 + round_
        env = envelope(office=state, programme=programme, budget_year=year, allocated=ALLOCATED)
        ok, refused, unexpected = _race(local=local, programme=programme, by=by, year=year)
        assert unexpected == []
        assert (ok, refused) == (10, 10)
        figures = envelope_figures([env.pk])[env.pk]
        assert figures.committed == INSTALMENT * 10
        assert figures.committed <= ALLOCATED
        assert figures.available == Decimal("500.00")


def _proposed_applications(n: int, *, local, state, programme) -> tuple[list, object]:
    from grants.applications.services.application import (
        application_complete_formal_check,
        application_propose_approval,
        application_start_formal_check,
        application_submit,
    )
    from tests.budgets.factories import membership
    from tests.grants.factories import ApplicationFactory, add_plan, carrier_user

    officer, approver = UserFactory(), UserFactory()
    membership(officer, state, "case_officer")
    membership(approver, state, "approver")
    applications = []
    for _ in range(n):
        app = ApplicationFactory(office=local, programme=programme)
        add_plan(app, expenditure=Decimal("10000"), own=Decimal("1000"))
        carrier = carrier_user(app.organisation)
        app = application_submit(application=app, by=carrier)
        app = application_start_formal_check(application=app, by=officer)
        app = application_complete_formal_check(application=app, by=officer)
        applications.append(
            application_propose_approval(application=app, by=officer, instalments={2026: Decimal("9000")})
        )
    return applications, approver


def _approval_race(applications: list, approver) -> list[str]:
    from grants.awards.services.award import application_approve

    barrier = threading.Barrier(len(applications))
    outcome: list[str] = []
    lock = threading.Lock()

    def approve(app) -> None:
        try:
            barrier.wait(timeout=30)
            application_approve(application=app, by=approver)
            result = "ok"
        except DomainError:
            result = "refused"
        except BaseException as exc:
            result = repr(exc)
        finally:
            connection.close()
        with lock:
            outcome.append(result)

    threads = [threading.Thread(target=approve, args=(app,)) for app in applications]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return outcome


def test_concurrent_approvals_never_overcommit_an_envelope():
    from grants.models import Application

    root = office(kind="federal")
    state = office(parent=root, kind="state")
    local = office(parent=state, kind="local")
    state.refresh_from_db()
    for _round in range(3):
        programme = FundingProgrammeFactory()
        env = envelope(office=state, programme=programme, budget_year=2026, allocated=Decimal("95000"))
        applications, approver = _proposed_applications(
            THREADS, local=local, state=state, programme=programme
        )
        outcome = _approval_race(applications, approver)
        assert sorted(outcome) == ["ok"] * 10 + ["refused"] * 10
        figures = envelope_figures([env.pk])[env.pk]
        assert figures.committed == Decimal("90000.00")
        assert figures.available == Decimal("5000.00")
        approved = Application.objects.filter(programme=programme, state="approved").count()
        assert approved == 10
