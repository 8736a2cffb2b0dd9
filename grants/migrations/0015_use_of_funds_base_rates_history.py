"""Records of the day of use; history and base rates that cannot be rewritten (issue 12, part 4).

- ``UseOfFundsRecord``: who recorded a drawdown's day of use, and when.
- The transition history (``django_fsm_log_statelog``) gets the ledger's protection. PostgreSQL
  refuses every ``UPDATE`` and ``DELETE`` of a row, and ``TRUNCATE`` by anyone but a superuser
  (a superuser may drop the trigger anyway; the test teardown truncates as one). SQLite refuses
  ``UPDATE``; it cannot refuse ``DELETE`` because its test teardown deletes row by row, and
  production runs on PostgreSQL only (the settings refuse anything else).
- A base rate that the interest of a decided reclaim ran through cannot be changed or deleted
  (``BaseRate.used_by`` in SQL): PostgreSQL refuses the ``UPDATE`` or ``DELETE``.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

STATELOG = "django_fsm_log_statelog"

PG_CREATE = f"""
CREATE OR REPLACE FUNCTION history_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: the history of transitions is never rewritten', TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER {STATELOG}_append_only
    BEFORE UPDATE OR DELETE ON {STATELOG}
    FOR EACH ROW EXECUTE FUNCTION history_append_only();

CREATE OR REPLACE FUNCTION history_no_truncate() RETURNS trigger AS $$
BEGIN
    IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
        RAISE EXCEPTION '% is append-only: TRUNCATE is refused', TG_TABLE_NAME;
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER {STATELOG}_no_truncate
    BEFORE TRUNCATE ON {STATELOG}
    FOR EACH STATEMENT EXECUTE FUNCTION history_no_truncate();

CREATE OR REPLACE FUNCTION grants_baserate_in_use() RETURNS trigger AS $$
DECLARE
    half_end date := CASE WHEN extract(month FROM OLD.valid_from) < 7
        THEN make_date(extract(year FROM OLD.valid_from)::int, 7, 1)
        ELSE make_date(extract(year FROM OLD.valid_from)::int + 1, 1, 1) END;
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.valid_from = OLD.valid_from AND NEW.rate = OLD.rate THEN
        RETURN NEW;
    END IF;
    IF EXISTS (
        SELECT 1 FROM grants_reclaim r
        WHERE NOT r.interest_waived AND r.interest_from < half_end
          AND COALESCE(
                r.interest_until,
                CASE WHEN r.state = 'settled'
                     THEN (SELECT max(p.received_on) FROM grants_repayment p WHERE p.reclaim_id = r.id)
                     ELSE current_date END
              ) > OLD.valid_from
    ) THEN
        RAISE EXCEPTION 'the base rate from % was used by the interest of a decided reclaim', OLD.valid_from;
    END IF;
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER grants_baserate_in_use
    BEFORE UPDATE OR DELETE ON grants_baserate
    FOR EACH ROW EXECUTE FUNCTION grants_baserate_in_use();
"""

PG_DROP = f"""
DROP TRIGGER IF EXISTS grants_baserate_in_use ON grants_baserate;
DROP FUNCTION IF EXISTS grants_baserate_in_use();
DROP TRIGGER IF EXISTS {STATELOG}_no_truncate ON {STATELOG};
DROP TRIGGER IF EXISTS {STATELOG}_append_only ON {STATELOG};
DROP FUNCTION IF EXISTS history_no_truncate();
DROP FUNCTION IF EXISTS history_append_only();
"""

SQLITE_CREATE = f"""
CREATE TRIGGER {STATELOG}_append_only BEFORE UPDATE ON {STATELOG}
BEGIN
    SELECT RAISE(ABORT, '{STATELOG} is append-only: the history of transitions is never rewritten');
END;
"""

SQLITE_DROP = f"DROP TRIGGER IF EXISTS {STATELOG}_append_only;"


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_CREATE, params=None)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_CREATE)


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_DROP, params=None)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_DROP)


class Migration(migrations.Migration):
    dependencies = [
        ("grants", "0014_bank_details_change_payee_frozen"),
        ("django_fsm_log", "0004_auto_20190131_0341"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="UseOfFundsRecord",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("used_on", models.DateField(verbose_name="used on")),
                (
                    "recorded_at",
                    models.DateTimeField(default=django.utils.timezone.now, verbose_name="recorded at"),
                ),
                (
                    "drawdown",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="use_records",
                        to="grants.drawdown",
                        verbose_name="drawdown",
                    ),
                ),
                (
                    "recorded_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="recorded by",
                    ),
                ),
            ],
            options={
                "verbose_name": "record of the day of use",
                "verbose_name_plural": "records of the day of use",
                "ordering": ["recorded_at", "pk"],
            },
        ),
        migrations.RunPython(forwards, backwards),
    ]
