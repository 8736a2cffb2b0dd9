"""Payment runs move to grants (awards.payments): reporting drops them from its state only.

The tables and their rows stay; grants' 0008 owns them from now on.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("reporting", "0004_export_job_state_machine"),
        ("grants", "0008_payment_runs_from_reporting"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(model_name="paymentrunitem", name="run"),
                migrations.RemoveField(model_name="paymentrunitem", name="drawdown"),
                migrations.DeleteModel(name="PaymentRun"),
                migrations.DeleteModel(name="PaymentRunItem"),
            ],
            database_operations=[],
        ),
    ]
