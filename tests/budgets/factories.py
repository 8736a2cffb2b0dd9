from datetime import date
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from accounts.models import User
from budgets.models import CoordinatingOffice, FundingProgramme, OfficeMembership


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name", locale="de_DE")
    last_name = factory.Faker("last_name", locale="de_DE")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.PostGenerationMethodCall("set_password", "pw")

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


def office(*, parent: CoordinatingOffice | None = None, **kwargs) -> CoordinatingOffice:
    """Create an office in the tree (treebeard needs add_root/add_child, not save())."""
    n = CoordinatingOffice.objects.count() + 1
    values = {
        "name": f"Koordinierungsstelle {n}",
        "short_name": f"KS{n}",
        "code": f"K{n}",
        "kind": "local" if parent else "federal",
        "state": "SN",
    } | kwargs
    if parent is None:
        return CoordinatingOffice.objects.add_root(create_kwargs=values)
    parent.refresh_from_db()
    return CoordinatingOffice.objects.add_child(parent, create_kwargs=values)


class FundingProgrammeFactory(DjangoModelFactory):
    class Meta:
        model = FundingProgramme

    name = factory.Sequence(lambda n: f"Landesprogramm {n}")
    code = factory.Sequence(lambda n: f"LP{n}")
    family = "state"
    funding_level = "state"
    period_start = date(2025, 1, 1)
    period_end = date(2032, 12, 31)
    max_funding_rate = Decimal("95")
    min_own_share = Decimal("5")
    min_grant_per_year = Decimal("500")
    max_grant_per_year = Decimal("140000")


def membership(user: User, office_: CoordinatingOffice, role: str) -> OfficeMembership:
    return OfficeMembership.objects.create(user=user, office=office_, role=role)


# --- budget envelopes and the ledger (issue 3) ----------------------------------------------


def finance_user(office_: CoordinatingOffice, **kwargs) -> User:
    user = UserFactory(**kwargs)
    membership(user, office_, "finance")
    return user


def envelope(
    *,
    office: CoordinatingOffice,
    programme: FundingProgramme,
    budget_year: int = 2026,
    allocated: Decimal = Decimal("100000"),
    by: User | None = None,
    **kwargs,
):
    """An envelope created through the service (so its allocation is a ledger entry)."""
    from budgets.services.envelopes import envelope_create

    values = {"funding_source": programme.funding_level, "budget_title": "0601 684 21"} | kwargs
    return envelope_create(
        office=office,
        programme=programme,
        budget_year=budget_year,
        allocated=allocated,
        by=by or finance_user(office),
        **values,
    )
