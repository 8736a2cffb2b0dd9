"""Two sessions putting the same micro-project on their agendas at once: it lands on one
(PostgreSQL row locks; the application is locked after each session)."""

import threading
from datetime import date

import pytest
from django.db import close_old_connections, connection

from core.errors import DomainError
from grants.chain.models import AgendaItem
from grants.chain.services.committee import agenda_item_add, committee_session_create
from tests.grants.chain.committee_world import add_committee
from tests.grants.chain.world import build_chain_world
from tests.grants.factories import OrganisationFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("run", range(3))
def test_an_application_goes_on_one_open_agenda_only_when_two_sessions_add_it_at_once(settings, run):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    world = build_chain_world()
    world.approve_first_grant("100000")
    fund = world.open_fund(world.action_kind, "50000")
    committee = add_committee(world, fund)
    app = world.micro_project(fund, OrganisationFactory(), grant="1500")
    sessions = [
        committee_session_create(
            committee=committee, procedure="session", held_on=date(2026, 3, day), by=world.pfd_officer
        )
        for day in (20, 27)
    ]
    barrier = threading.Barrier(len(sessions))
    result: dict[int, str] = {}
    unexpected: list[BaseException] = []

    def add(session_pk: int) -> None:
        try:
            barrier.wait(timeout=30)
            session = next(s for s in sessions if s.pk == session_pk)
            agenda_item_add(session=session, application=app, by=world.pfd_officer)
            result[session_pk] = "added"
        except DomainError:
            result[session_pk] = "refused"
        except BaseException as exc:  # pragma: no cover - reported below
            unexpected.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=add, args=(s.pk,)) for s in sessions]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert unexpected == []
    assert sorted(result.values()) == ["added", "refused"]
    assert AgendaItem.objects.filter(application=app).count() == 1
