"""The ledger cannot be emptied either: TRUNCATE joins UPDATE and DELETE as refused (issue 12, part 4).

PostgreSQL: a statement-level ``BEFORE TRUNCATE`` trigger refuses it for everyone but a
superuser (who may drop the trigger anyway; the test teardown and the benchmark generator
truncate as one). In the two-role set-up of the README the application's role is no superuser,
does not own the table and holds only SELECT and INSERT on it.
SQLite: ``UPDATE`` is refused by a trigger (``DELETE`` cannot be: the test teardown deletes row
by row; production runs on PostgreSQL only). ``LedgerEntry`` refuses both in Python as well.
"""

from django.db import migrations

PG_CREATE = """
CREATE OR REPLACE FUNCTION budgets_ledger_no_truncate() RETURNS trigger AS $$
BEGIN
    IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
        RAISE EXCEPTION '% is append-only: TRUNCATE is refused', TG_TABLE_NAME;
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER budgets_ledgerentry_no_truncate
    BEFORE TRUNCATE ON budgets_ledgerentry
    FOR EACH STATEMENT EXECUTE FUNCTION budgets_ledger_no_truncate();
"""

PG_DROP = """
DROP TRIGGER IF EXISTS budgets_ledgerentry_no_truncate ON budgets_ledgerentry;
DROP FUNCTION IF EXISTS budgets_ledger_no_truncate();
"""

SQLITE_CREATE = """
CREATE TRIGGER budgets_ledgerentry_append_only BEFORE UPDATE ON budgets_ledgerentry
BEGIN
    SELECT RAISE(ABORT, 'budgets_ledgerentry is append-only: post a counter-entry instead');
END;
"""

SQLITE_DROP = "DROP TRIGGER IF EXISTS budgets_ledgerentry_append_only;"


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
    dependencies = [("budgets", "0008_programme_retention")]

    operations = [migrations.RunPython(forwards, backwards)]
