"""Migration 0007 (one abstract instalment, one plan line): rows and amounts survive, and the
renamed constraints still guard what the old ones guarded.

The test migrates the test database back to 0006, writes a small grant world with the historical
models, migrates forward and compares every row. (The same check on a copy of the seeded demo
database is described in the report of issue 8: row counts and amounts per table were identical.)
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from tests.budgets.factories import FundingProgrammeFactory, UserFactory, office

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("grants", "0006_objection_lodged")]
AFTER = [("grants", "0007_one_instalment_one_plan_line")]
D = Decimal

TABLES = {
    "instalment": ("application", ("budget_year", "amount")),
    "grantinstalment": ("grant", ("budget_year", "amount")),
    "amendmentinstalment": ("amendment", ("budget_year", "amount")),
    "expenditureline": ("application", ("category", "description", "budget_year", "amount", "position")),
    "coverline": ("application", ("kind", "source", "budget_year", "amount", "position")),
    "planversionline": (
        "plan",
        ("side", "category", "cover_kind", "text", "budget_year", "amount", "position"),
    ),
    "amendmentline": (
        "amendment",
        ("side", "category", "cover_kind", "text", "budget_year", "amount", "position"),
    ),
}


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def seed(apps):
    """A grant with an application plan, a plan version and an open amendment (historical models)."""
    get = apps.get_model
    user = UserFactory(username="m7")  # budgets and accounts are not migrated back: today's models fit
    sn = office(name="Demokratie-Zentrum", code="SN", kind="state")
    programme = FundingProgrammeFactory(code="WO")
    organisation = get("grants", "Organisation").objects.create(
        name="Verein", legal_form="ev", street="Weg 1", postcode="01067", city="Dresden", state="SN",
        contact_person="A", email="a@example.org",
    )  # fmt: skip
    application = get("grants", "Application").objects.create(
        reference="A-1", organisation=organisation, programme_id=programme.pk, office_id=sn.pk,
        created_by_id=user.pk, title="Projekt", summary="S", goals="G", target_groups="T", region="R",
        start_date=date(2026, 1, 1), end_date=date(2027, 12, 31), financing_type="share",
    )  # fmt: skip
    for year, amount in ((2026, "22500.00"), (2027, "22500.50")):
        get("grants", "Instalment").objects.create(
            application=application, budget_year=year, amount=D(amount)
        )
        get("grants", "ExpenditureLine").objects.create(
            application=application,
            category="staff",
            description="Leitung",
            budget_year=year,
            amount=D(amount),
        )
        get("grants", "CoverLine").objects.create(
            application=application, kind="grant", source="", budget_year=year, amount=D(amount), position=1
        )
    grant = get("grants", "Grant").objects.create(
        application=application, file_number="SN-WO-2026-001", organisation=organisation,
        programme_id=programme.pk, office_id=sn.pk, title="Projekt", purpose="Zweck", period_start=date(2026, 1, 1),
        period_end=date(2027, 12, 31), financing_type="share", granted_amount=D("45000.50"),
        planned_expenditure=D("45000.50"), drawdown_window_value=6, drawdown_window_unit="weeks",
        overrun_tolerance=D("0.20"), notice_receipt_days=3, interim_report_months=4, final_report_months=6,
        payout_requires_final_notice=False, interest_margin_points=D("5"),
        late_use_interest_from_window_end=False, confidential_individual_support=False,
        approved_by_id=user.pk,
    )  # fmt: skip
    plan = get("grants", "PlanVersion").objects.create(
        grant=grant, version=1, created_by_id=user.pk, reason="v1"
    )
    amendment = get("grants", "Amendment").objects.create(
        grant=grant, number=1, reason="Mehr", created_by_id=user.pk
    )
    for year, amount in ((2026, "18500.00"), (2027, "26500.50")):
        get("grants", "GrantInstalment").objects.create(grant=grant, budget_year=year, amount=D(amount))
        get("grants", "AmendmentInstalment").objects.create(
            amendment=amendment, budget_year=year, amount=D(amount)
        )
        for model, parent in (
            ("PlanVersionLine", {"plan": plan}),
            ("AmendmentLine", {"amendment": amendment}),
        ):
            get("grants", model).objects.create(
                **parent,
                side="expenditure",
                category="fees",
                text="Workshops",
                budget_year=year,
                amount=D(amount),
            )
            get("grants", model).objects.create(
                **parent, side="cover", cover_kind="own", budget_year=year, amount=D("0.01"), position=2
            )


def snapshot(apps):
    rows = {}
    for name, (parent, fields) in TABLES.items():
        model = apps.get_model("grants", name)
        rows[name] = list(model.objects.order_by("pk").values_list("pk", f"{parent}_id", *fields))
    return rows


def test_migration_0007_keeps_every_row_and_amount_and_the_guards():
    try:
        old_apps = migrate(BEFORE)
        seed(old_apps)
        snapshot_before = snapshot(old_apps)
        before = {name: len(rows) for name, rows in snapshot_before.items()}

        new_apps = migrate(AFTER)

        assert snapshot(new_apps) == snapshot_before
        assert before == {
            "instalment": 2,
            "grantinstalment": 2,
            "amendmentinstalment": 2,
            "expenditureline": 2,
            "coverline": 2,
            "planversionline": 4,
            "amendmentline": 4,
        }
        grant_instalment = new_apps.get_model("grants", "GrantInstalment")
        amendment_line = new_apps.get_model("grants", "AmendmentLine")
        grant = new_apps.get_model("grants", "Grant").objects.get()
        amendment = new_apps.get_model("grants", "Amendment").objects.get()
        guarded = [
            lambda: grant_instalment.objects.create(grant=grant, budget_year=2026, amount=D("1")),
            lambda: grant_instalment.objects.create(grant=grant, budget_year=2028, amount=D("-0.01")),
            lambda: amendment_line.objects.create(
                amendment=amendment, side="cover", cover_kind="", budget_year=2026, amount=D("1")
            ),
        ]
        for write in guarded:
            with pytest.raises(IntegrityError), transaction.atomic():
                write()
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
