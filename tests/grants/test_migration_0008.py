"""Migration grants 0008 / reporting 0005: payment runs move from reporting to grants and keep
their rows (state only: the tables ``reporting_paymentrun`` and ``reporting_paymentrunitem``
stay). The test migrates back, writes a run with the historical reporting model, migrates
forward and reads it through ``grants.PaymentRun``.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.budgets.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("reporting", "0004_export_job_state_machine"), ("grants", "0007_one_instalment_one_plan_line")]
AFTER = [("reporting", "0005_payment_runs_to_grants"), ("grants", "0008_payment_runs_from_reporting")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def test_payment_runs_keep_their_rows_when_they_move_to_grants():
    old = migrate(BEFORE)
    user = UserFactory(username="m8")
    Run = old.get_model("reporting", "PaymentRun")
    Run.objects.create(
        reference="ZL-20260102-ABCD",
        state="executed",
        execution_date="2026-01-02",
        debtor_name="Bundeskasse",
        debtor_iban="DE02120300000000202051",
        debtor_bic="BYLADEM1001",
        total_amount=Decimal("1234.56"),
        payment_count=1,
        file="payment_runs/x.xml",
        file_name="Zahllauf_ZL-20260102-ABCD.xml",
        created_by_id=user.pk,
        executed_on="2026-01-03",
        executed_by_id=user.pk,
    )
    try:
        new = migrate(AFTER)
        moved = new.get_model("grants", "PaymentRun").objects.get(reference="ZL-20260102-ABCD")
        assert (moved.state, moved.total_amount, moved.created_by_id) == (
            "executed",
            Decimal("1234.56"),
            user.pk,
        )
        assert new.get_model("grants", "PaymentRun")._meta.db_table == "reporting_paymentrun"
        assert new.get_model("grants", "PaymentRunItem")._meta.db_table == "reporting_paymentrunitem"
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
