from datetime import date
from decimal import Decimal

from django.db import migrations

# DOMAIN.md §4.3: the base rate per half-year as shipped; finance maintains later values.
BASE_RATES = [
    (date(2023, 1, 1), Decimal("1.62")),
    (date(2023, 7, 1), Decimal("3.12")),
    (date(2024, 1, 1), Decimal("3.62")),
    (date(2024, 7, 1), Decimal("3.37")),
    (date(2025, 1, 1), Decimal("2.27")),
    (date(2025, 7, 1), Decimal("1.27")),
    (date(2026, 1, 1), Decimal("1.27")),
]


def ship(apps, schema_editor):
    BaseRate = apps.get_model("grants", "BaseRate")
    for valid_from, rate in BASE_RATES:
        BaseRate.objects.get_or_create(valid_from=valid_from, defaults={"rate": rate})


def unship(apps, schema_editor):
    BaseRate = apps.get_model("grants", "BaseRate")
    BaseRate.objects.filter(valid_from__in=[d for d, _ in BASE_RATES]).delete()


class Migration(migrations.Migration):
    dependencies = [("grants", "0002_grant")]
    operations = [migrations.RunPython(ship, unship)]
