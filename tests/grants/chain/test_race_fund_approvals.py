"""Two micro-project approvals racing for the last euros of a fund never overcommit it
(PostgreSQL row locks; the fund's envelope is locked before its figures are read)."""

import threading
from datetime import date
from decimal import Decimal as D

import pytest
from django.db import close_old_connections, connection

from budgets.selectors import envelope_figures
from core.errors import DomainError
from grants.applications.models import Application
from grants.applications.services.application import (
    application_propose_approval,
    application_record_recommendation,
)
from grants.awards.services.award import application_approve
from tests.grants.chain.world import build_chain_world
from tests.grants.factories import OrganisationFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _proposed(world, fund, amount: str) -> Application:
    app = world.micro_project(fund, OrganisationFactory(), grant=amount)
    application_record_recommendation(
        application=app, recommendation="adopted", on=date(2026, 3, 20), by=world.pfd_officer
    )
    return application_propose_approval(
        application=Application.objects.get(pk=app.pk), by=world.pfd_officer, instalments={2026: D(amount)}
    )


@pytest.mark.parametrize("run", range(3))
def test_two_micro_project_approvals_for_the_last_euros_of_a_fund_never_overcommit(settings, run):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    world = build_chain_world()
    world.approve_first_grant("100000")
    fund = world.open_fund(world.action_kind, "5000", max_per_measure="3000")
    # 2,000 are taken by an earlier micro-project: 3,000 remain for two asking 3,000 and 2,500.
    application_approve(application=_proposed(world, fund, "2000"), by=world.pfd_approver)
    racers = [_proposed(world, fund, "3000"), _proposed(world, fund, "2500")]
    barrier = threading.Barrier(len(racers))
    result: dict[int, str] = {}
    unexpected: list[BaseException] = []

    def approve(app_pk: int) -> None:
        try:
            barrier.wait(timeout=30)
            application_approve(application=Application.objects.get(pk=app_pk), by=world.pfd_approver)
            result[app_pk] = "approved"
        except DomainError:
            result[app_pk] = "refused"
        except BaseException as exc:  # pragma: no cover - reported below
            unexpected.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=approve, args=(app.pk,)) for app in racers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert unexpected == []
    assert sorted(result.values()) == ["approved", "refused"]
    (winner,) = [pk for pk, outcome in result.items() if outcome == "approved"]
    (loser,) = [pk for pk, outcome in result.items() if outcome == "refused"]
    assert Application.objects.get(pk=loser).state == "approval_proposed"  # nothing written
    figures = envelope_figures([fund.envelope_id])[fund.envelope_id]
    won = Application.objects.get(pk=winner).grant.granted_amount
    assert figures.committed == D("2000.00") + won <= D("5000.00")
    assert figures.available == D("3000.00") - won
