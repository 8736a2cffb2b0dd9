# ExportJob.state becomes a protected FSMField; its transitions are logged in ExportJobLog.

import django.db.models.deletion
import django.utils.timezone
import django_fsm
from django.conf import settings
from django.db import migrations, models

STATES = [("queued", "Queued"), ("running", "Running"), ("done", "Done"), ("failed", "Failed")]


class Migration(migrations.Migration):

    dependencies = [
        ("reporting", "0003_document_kinds"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="exportjob",
            name="state",
            field=django_fsm.FSMField(
                choices=STATES, default="queued", max_length=8, protected=True, verbose_name="state"
            ),
        ),
        migrations.CreateModel(
            name="ExportJobLog",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("timestamp", models.DateTimeField(default=django.utils.timezone.now, verbose_name="time")),
                ("source_state", models.CharField(blank=True, choices=STATES, max_length=8, verbose_name="from")),
                ("state", models.CharField(choices=STATES, max_length=8, verbose_name="state")),
                ("transition", models.CharField(max_length=20, verbose_name="step")),
                (
                    "by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="by",
                    ),
                ),
                (
                    "job",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="history",
                        to="reporting.exportjob",
                    ),
                ),
            ],
            options={
                "verbose_name": "export job step",
                "verbose_name_plural": "export job history",
                "ordering": ["timestamp", "pk"],
            },
        ),
    ]
