"""A Begleitausschuss at the PfD office of the chain world: five voting seats, two deputies."""

from __future__ import annotations

from datetime import date
from typing import Any

from grants.chain.models import Committee, CommitteeMember
from grants.chain.services.committee import agenda_item_add, committee_session_create
from tests.grants.chain.world import ChainWorld
from tests.grants.factories import OrganisationFactory


def add_committee(world: ChainWorld, *funds: Any) -> Committee:
    committee = Committee.objects.create(
        office=world.pfd, name="Begleitausschuss Landkreis Görlitz", kind="steering"
    )
    committee.funds.set(funds)
    verein = OrganisationFactory(name="Görlitzer Bürgerverein e.V.")
    world.people["verein"] = verein
    seats = {}
    for name, organisation in [
        ("Anna Berger", verein),
        ("Bernd Claus", None),
        ("Carla Dietz", None),
        ("Dirk Engel", None),
        ("Eva Fuchs", None),
    ]:
        seats[name] = CommitteeMember.objects.create(
            committee=committee, name=name, organisation=organisation
        )
    seats["Frank Graf"] = CommitteeMember.objects.create(
        committee=committee, name="Frank Graf", role="deputy", deputy_for=seats["Bernd Claus"]
    )
    seats["Gisela Horn"] = CommitteeMember.objects.create(
        committee=committee,
        name="Gisela Horn",
        role="deputy",
        deputy_for=seats["Anna Berger"],
        organisation=verein,
    )
    world.people["seats"] = seats
    return committee


def session_with(
    world: ChainWorld, committee: Committee, *applications: Any, procedure: str = "session", **kw: Any
):
    session = committee_session_create(
        committee=committee, procedure=procedure, held_on=date(2026, 3, 20), by=world.pfd_officer, **kw
    )
    items = [agenda_item_add(session=session, application=a, by=world.pfd_officer) for a in applications]
    return session, items
