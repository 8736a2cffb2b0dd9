"""Payment runs move from reporting to grants (awards.payments): state only, the tables stay.

The tables keep their names (``reporting_paymentrun``, ``reporting_paymentrunitem``) and their
rows; reporting drops the models from its state in its 0005, which depends on this migration.
The state becomes a protected FSMField of the same column (varchar(10)), with "cancelled" added.
"""

import django.db.models.deletion
import django.utils.timezone
import django_fsm
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("grants", "0007_one_instalment_one_plan_line"),
        ("reporting", "0004_export_job_state_machine"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="PaymentRun",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("reference", models.CharField(max_length=35, unique=True, verbose_name="reference")),
                        (
                            "state",
                            django_fsm.FSMField(
                                choices=[
                                    ("created", "File created"),
                                    ("executed", "Executed"),
                                    ("cancelled", "Cancelled"),
                                ],
                                default="created",
                                max_length=10,
                                protected=True,
                                verbose_name="state",
                            ),
                        ),
                        ("execution_date", models.DateField(verbose_name="requested execution date")),
                        (
                            "debtor_name",
                            models.CharField(max_length=70, verbose_name="paying account holder"),
                        ),
                        ("debtor_iban", models.CharField(max_length=34, verbose_name="paying IBAN")),
                        ("debtor_bic", models.CharField(max_length=11, verbose_name="paying BIC")),
                        (
                            "total_amount",
                            models.DecimalField(decimal_places=2, max_digits=14, verbose_name="total"),
                        ),
                        ("payment_count", models.PositiveIntegerField(verbose_name="number of payments")),
                        (
                            "file",
                            models.FileField(max_length=255, upload_to="payment_runs/", verbose_name="file"),
                        ),
                        ("file_name", models.CharField(max_length=200, verbose_name="file name")),
                        (
                            "created_at",
                            models.DateTimeField(default=django.utils.timezone.now, verbose_name="created"),
                        ),
                        ("executed_on", models.DateField(blank=True, null=True, verbose_name="executed on")),
                        (
                            "created_by",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "executed_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "payment run",
                        "verbose_name_plural": "payment runs",
                        "db_table": "reporting_paymentrun",
                        "ordering": ["-created_at"],
                    },
                    bases=(django_fsm.ConcurrentTransitionMixin, models.Model),
                ),
                migrations.CreateModel(
                    name="PaymentRunItem",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "amount",
                            models.DecimalField(decimal_places=2, max_digits=12, verbose_name="amount (EUR)"),
                        ),
                        ("creditor_name", models.CharField(max_length=70, verbose_name="payee")),
                        ("creditor_iban", models.CharField(max_length=34, verbose_name="IBAN")),
                        ("creditor_bic", models.CharField(blank=True, max_length=11, verbose_name="BIC")),
                        (
                            "remittance",
                            models.CharField(max_length=140, verbose_name="remittance information"),
                        ),
                        (
                            "end_to_end_id",
                            models.CharField(max_length=35, unique=True, verbose_name="end-to-end ID"),
                        ),
                        (
                            "drawdown",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="payment_run_item",
                                to="grants.drawdown",
                                verbose_name="payment",
                            ),
                        ),
                        (
                            "run",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="items",
                                to="grants.paymentrun",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "payment run item",
                        "verbose_name_plural": "payment run items",
                        "db_table": "reporting_paymentrunitem",
                    },
                ),
                migrations.AddConstraint(
                    model_name="paymentrun",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("total_amount__gt", 0)), name="payment_run_total_positive"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="paymentrunitem",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("amount__gt", 0)), name="payment_item_positive"
                    ),
                ),
            ],
            database_operations=[],
        ),
    ]
