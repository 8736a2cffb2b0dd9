"""Committees through the services: recusals, votes, quorum and the close that becomes the
recommendation on which the PfD office decides."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.utils import translation

from core.errors import AccessDenied, DomainError
from grants.applications.models import Application
from grants.chain.models import AgendaItem, Recusal, Vote
from grants.chain.services.committee import (
    agenda_item_add,
    agenda_item_remove,
    committee_session_create,
    item_tallies,
    recusal_declare,
    session_close,
    session_open_voting,
    vote_cast,
)
from tests.grants.chain.committee_world import add_committee, session_with
from tests.grants.chain.world import build_chain_world
from tests.grants.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    w = build_chain_world()
    w.approve_first_grant("100000")
    w.people["fund"] = w.open_fund(w.action_kind, "50000")
    w.people["committee"] = add_committee(w, w.fund)
    return w


def _refused(call, *fragments):
    with translation.override("de"), pytest.raises(DomainError) as error:
        call()
    text = " ".join(error.value.messages)
    for fragment in fragments:
        assert fragment in text, text
    return text


def _votes(world, item, choices, **kwargs):
    seats = world.seats
    for name, choice in choices.items():
        vote_cast(item=item, member=seats[name], choice=choice, by=world.pfd_officer, **kwargs)


def test_a_member_whose_organisation_applies_is_recused_and_cannot_vote(world):
    own = world.micro_project(world.fund, world.verein, grant="2000")
    other = world.micro_project(world.fund, OrganisationFactory(), grant="1500")
    session, (item1, item2) = session_with(world, world.committee, own, other)
    recused = {(r.item_id, r.member.name, r.reason) for r in Recusal.objects.all()}
    # Anna Berger and her deputy Gisela Horn both belong to the applying association.
    assert recused == {(item1.pk, "Anna Berger", "applies"), (item1.pk, "Gisela Horn", "applies")}
    session_open_voting(session=session, by=world.pfd_officer)
    before = Vote.objects.count()
    _refused(
        lambda: vote_cast(item=item1, member=world.seats["Anna Berger"], choice="yes", by=world.pfd_officer),
        "Anna Berger",
        "befangen",
    )
    assert Vote.objects.count() == before
    # She votes on the other item.
    vote_cast(item=item2, member=world.seats["Anna Berger"], choice="yes", by=world.pfd_officer)


def test_a_session_closes_into_recommendations_and_the_office_decides_on_them(world):
    own = world.micro_project(world.fund, world.verein, grant="2000")
    other = world.micro_project(world.fund, OrganisationFactory(), grant="1500")
    session, (item1, item2) = session_with(world, world.committee, own, other)
    session_open_voting(session=session, by=world.pfd_officer)
    # Item 1: 4 eligible (Anna recused); 3 vote: 2 yes, 1 no → quorate (3 > 2), adopted.
    _votes(world, item1, {"Bernd Claus": "yes", "Carla Dietz": "yes", "Dirk Engel": "no"})
    # Item 2: 5 eligible; 3 vote: 1 yes, 1 no, 1 abstain → tie → rejected.
    _votes(world, item2, {"Anna Berger": "yes", "Carla Dietz": "no", "Eva Fuchs": "abstain"})
    session = session_close(session=session, by=world.pfd_officer)
    assert session.is_closed
    item1.refresh_from_db()
    item2.refresh_from_db()
    assert (item1.outcome, item1.yes, item1.no, item1.eligible, item1.recused_count) == (
        "adopted",
        2,
        1,
        4,
        1,
    )
    assert (item2.outcome, item2.abstain) == ("rejected", 1)
    assert Application.objects.get(pk=own.pk).recommendation == "adopted"
    assert Application.objects.get(pk=own.pk).recommended_on == date(2026, 3, 20)
    assert Application.objects.get(pk=other.pk).recommendation == "rejected"


def test_a_session_without_quorum_does_not_close_and_writes_nothing(world):
    app = world.micro_project(world.fund, OrganisationFactory(), grant="1500")
    session, (item,) = session_with(world, world.committee, app)
    session_open_voting(session=session, by=world.pfd_officer)
    _votes(world, item, {"Anna Berger": "yes", "Bernd Claus": "yes"})  # 2 of 5: not more than 2,5
    _refused(lambda: session_close(session=session, by=world.pfd_officer), "2", "5", "2,5")
    session.refresh_from_db()
    item.refresh_from_db()
    assert (session.state, item.outcome) == ("voting", "")
    assert Application.objects.get(pk=app.pk).recommendation == ""
    # Postponing the item lets the session close without it.
    agenda_item_remove(item=item, by=world.pfd_officer)
    session_close(session=session, by=world.pfd_officer)
    assert Application.objects.get(pk=app.pk).recommendation == ""


def test_a_deputy_votes_for_an_absent_member_but_not_twice_and_not_for_a_recused_seat(world):
    own = world.micro_project(world.fund, world.verein, grant="2000")
    other = world.micro_project(world.fund, OrganisationFactory(), grant="1500")
    session, (item1, item2) = session_with(world, world.committee, own, other)
    session_open_voting(session=session, by=world.pfd_officer)
    seats = world.seats
    vote = vote_cast(
        item=item2,
        member=seats["Bernd Claus"],
        deputy=seats["Frank Graf"],
        choice="yes",
        by=world.pfd_officer,
    )
    assert vote.cast_by_deputy == seats["Frank Graf"]
    _refused(
        lambda: vote_cast(item=item2, member=seats["Bernd Claus"], choice="no", by=world.pfd_officer),
        "Bernd Claus",
    )
    # Frank Graf is no deputy of Carla Dietz.
    _refused(
        lambda: vote_cast(
            item=item2,
            member=seats["Carla Dietz"],
            deputy=seats["Frank Graf"],
            choice="no",
            by=world.pfd_officer,
        ),
        "Frank Graf",
    )
    # Gisela Horn stands in for Anna Berger, but both are recused on item 1.
    _refused(
        lambda: vote_cast(
            item=item1,
            member=seats["Anna Berger"],
            deputy=seats["Gisela Horn"],
            choice="yes",
            by=world.pfd_officer,
        ),
        "befangen",
    )
    # A deputy holds no seat of their own.
    _refused(
        lambda: vote_cast(item=item2, member=seats["Frank Graf"], choice="yes", by=world.pfd_officer),
        "Frank Graf",
    )


def test_a_declared_conflict_recuses_and_is_named(world):
    app = world.micro_project(world.fund, OrganisationFactory(), grant="1500")
    session, (item,) = session_with(world, world.committee, app)
    recusal_declare(
        item=item, member=world.seats["Eva Fuchs"], note="Ehemann im Vorstand", by=world.pfd_officer
    )
    session_open_voting(session=session, by=world.pfd_officer)
    _refused(
        lambda: vote_cast(item=item, member=world.seats["Eva Fuchs"], choice="no", by=world.pfd_officer),
        "Befangenheit erklärt",
    )
    (tally,) = item_tallies(session)
    assert (tally.members, tally.recused, tally.eligible) == (5, 1, 4)


def test_circulation_needs_a_majority_of_all_eligible_members_and_ends_at_its_deadline(world):
    app = world.micro_project(world.fund, OrganisationFactory(), grant="1500")
    session, (item,) = session_with(
        world, world.committee, app, procedure="circulation", deadline=date(2026, 3, 27)
    )
    session_open_voting(session=session, by=world.pfd_officer)
    # Members with an account cast their own vote in a circulation.
    eva = world.seats["Eva Fuchs"]
    eva.user = world.municipal_carrier
    eva.save()
    vote_cast(item=item, member=eva, choice="yes", by=world.municipal_carrier, today=date(2026, 3, 21))
    _votes(world, item, {"Anna Berger": "yes"}, today=date(2026, 3, 22))
    _refused(
        lambda: session_close(session=session, by=world.pfd_officer, today=date(2026, 3, 23)), "27.03.2026"
    )
    _refused(
        lambda: vote_cast(
            item=item,
            member=world.seats["Carla Dietz"],
            choice="yes",
            by=world.pfd_officer,
            today=date(2026, 3, 28),
        ),
        "27.03.2026",
    )
    session_close(session=session, by=world.pfd_officer, today=date(2026, 3, 28))
    item.refresh_from_db()
    # 2 yes of 5 eligible is no majority of all eligible members.
    assert item.outcome == "rejected"
    assert Application.objects.get(pk=app.pk).recommendation == "rejected"


def test_a_member_cannot_cast_another_seats_vote_nor_vote_in_a_session(world):
    app = world.micro_project(world.fund, OrganisationFactory(), grant="1500")
    session, (item,) = session_with(world, world.committee, app)
    session_open_voting(session=session, by=world.pfd_officer)
    eva = world.seats["Eva Fuchs"]
    eva.user = world.municipal_carrier
    eva.save()
    with pytest.raises(AccessDenied):
        vote_cast(item=item, member=eva, choice="yes", by=world.municipal_carrier)
    with pytest.raises(AccessDenied):
        vote_cast(item=item, member=world.seats["Dirk Engel"], choice="yes", by=world.municipal_carrier)
    assert not Vote.objects.exists()


def test_only_staff_of_the_committees_office_prepare_sessions(world):
    with pytest.raises(AccessDenied):
        committee_session_create(
            committee=world.committee,
            procedure="session",
            held_on=date(2026, 3, 20),
            by=world.other_pfd_officer,
        )
    with pytest.raises(AccessDenied):
        committee_session_create(
            committee=world.committee,
            procedure="session",
            held_on=date(2026, 3, 20),
            by=world.municipal_carrier,
        )
    app = world.micro_project(world.fund, OrganisationFactory(), grant="1500")
    session, _items = session_with(world, world.committee, app)
    with pytest.raises(AccessDenied):
        session_open_voting(session=session, by=world.other_pfd_officer)
    with pytest.raises(AccessDenied):
        session_close(session=session, by=world.federal_finance)


def test_only_ready_micro_projects_of_the_committees_funds_go_on_the_agenda(world):
    session = committee_session_create(
        committee=world.committee, procedure="session", held_on=date(2026, 3, 20), by=world.pfd_officer
    )
    youth = world.open_fund(world.youth_kind, "10000", max_per_measure="1000")
    foreign = world.micro_project(youth, OrganisationFactory(), grant="500")
    _refused(
        lambda: agenda_item_add(session=session, application=foreign, by=world.pfd_officer), foreign.reference
    )
    app = world.micro_project(world.fund, OrganisationFactory(), grant="1500")
    agenda_item_add(session=session, application=app, by=world.pfd_officer)
    _refused(lambda: agenda_item_add(session=session, application=app, by=world.pfd_officer))
    assert AgendaItem.objects.count() == 1


def test_a_circulation_needs_a_deadline(world):
    _refused(
        lambda: committee_session_create(
            committee=world.committee,
            procedure="circulation",
            held_on=date(2026, 3, 20),
            by=world.pfd_officer,
        )
    )


def test_the_recommended_micro_project_is_approved_by_the_pfd_office_with_four_eyes(world):
    from grants.applications.services.application import application_propose_approval
    from grants.awards.services.award import application_approve

    app = world.micro_project(world.fund, OrganisationFactory(), grant="1500")
    session, (item,) = session_with(world, world.committee, app)
    session_open_voting(session=session, by=world.pfd_officer)
    _votes(world, item, {"Anna Berger": "yes", "Bernd Claus": "yes", "Carla Dietz": "yes"})
    session_close(session=session, by=world.pfd_officer)
    app = application_propose_approval(
        application=Application.objects.get(pk=app.pk), by=world.pfd_officer, instalments={2026: D("1500")}
    )
    with pytest.raises((AccessDenied, DomainError)):
        application_approve(application=app, by=world.pfd_officer)
    app = application_approve(application=app, by=world.pfd_approver)
    assert app.grant.fund == world.fund


def test_staff_of_another_office_and_carriers_touch_no_agenda_recusal_or_vote(world):
    app = world.micro_project(world.fund, OrganisationFactory(), grant="1500")
    session, (item,) = session_with(world, world.committee, app)
    second = world.micro_project(world.fund, OrganisationFactory(), grant="1000")
    for outsider in (world.other_pfd_officer, world.municipal_carrier):
        with pytest.raises(AccessDenied):
            agenda_item_add(session=session, application=second, by=outsider)
        with pytest.raises(AccessDenied):
            recusal_declare(item=item, member=world.seats["Eva Fuchs"], note="", by=outsider)
        with pytest.raises(AccessDenied):
            agenda_item_remove(item=item, by=outsider)
    session_open_voting(session=session, by=world.pfd_officer)
    for outsider in (world.other_pfd_officer, world.municipal_carrier):
        with pytest.raises(AccessDenied):
            vote_cast(item=item, member=world.seats["Eva Fuchs"], choice="yes", by=outsider)
    assert AgendaItem.objects.count() == 1
    assert not Vote.objects.exists()
    assert set(Recusal.objects.values_list("member__name", flat=True)) == set()
