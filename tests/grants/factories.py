from datetime import date
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from grants.applications.models import Application, CoverLine, ExpenditureLine
from grants.carriers.models import Organisation, OrganisationMembership
from tests.budgets.factories import FundingProgrammeFactory, UserFactory


class OrganisationFactory(DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Demokratie-Verein {n} e.V.")
    legal_form = "ev"
    street = "Hauptstraße 1"
    postcode = "01067"
    city = "Dresden"
    state = "SN"
    contact_person = "Erika Mustermann"
    email = factory.Sequence(lambda n: f"verein{n}@example.org")
    iban = "DE89370400440532013000"


def carrier_user(organisation: Organisation, **kwargs) -> object:
    user = UserFactory(**kwargs)
    OrganisationMembership.objects.create(user=user, organisation=organisation)
    return user


class ApplicationFactory(DjangoModelFactory):
    """A complete draft that passes the default programme's rules once it has a plan."""

    class Meta:
        model = Application

    reference = factory.Sequence(lambda n: f"A-2026-{n:05d}")
    organisation = factory.SubFactory(OrganisationFactory)
    programme = factory.SubFactory(FundingProgrammeFactory)
    office = None  # pass an office: offices live in a tree
    title = "Demokratiewerkstatt im Stadtteil"
    summary = "Workshops für Jugendliche zu demokratischer Teilhabe."
    goals = "Jugendliche beteiligen sich an kommunalen Entscheidungen."
    target_groups = "Jugendliche von 14 bis 21 Jahren"
    region = "Leipzig"
    start_date = date(2026, 1, 1)
    end_date = date(2026, 12, 31)
    financing_type = "deficit"
    created_by = factory.SubFactory(UserFactory)


def add_plan(
    application: Application,
    *,
    expenditure: Decimal = Decimal("10000"),
    own: Decimal = Decimal("1000"),
    third: Decimal = Decimal("0"),
    year: int = 2026,
) -> None:
    """A balanced one-year plan: staff costs covered by own funds, third funds and the grant."""
    ExpenditureLine.objects.create(
        application=application,
        category="staff",
        description="Projektleitung",
        budget_year=year,
        amount=expenditure,
    )
    CoverLine.objects.create(application=application, kind="own", budget_year=year, amount=own)
    if third:
        CoverLine.objects.create(
            application=application, kind="third_party", source="Stadt", budget_year=year, amount=third
        )
    CoverLine.objects.create(
        application=application, kind="grant", budget_year=year, amount=expenditure - own - third
    )
