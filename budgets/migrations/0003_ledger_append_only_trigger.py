"""On PostgreSQL the database itself refuses UPDATE and DELETE on the ledger (append-only).

TRUNCATE (used by test teardown and the benchmark generator) is not affected.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION budgets_ledger_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'budgets_ledgerentry is append-only: post a counter-entry instead';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER budgets_ledgerentry_append_only
    BEFORE UPDATE OR DELETE ON budgets_ledgerentry
    FOR EACH ROW EXECUTE FUNCTION budgets_ledger_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS budgets_ledgerentry_append_only ON budgets_ledgerentry;
DROP FUNCTION IF EXISTS budgets_ledger_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("budgets", "0002_envelopes_ledger")]

    operations = [migrations.RunPython(forwards, backwards)]
