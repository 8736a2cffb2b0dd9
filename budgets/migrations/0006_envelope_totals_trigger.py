"""The database keeps ``budgets_envelopetotal`` = Σ ledger per (envelope, budget year, figure).

An ``AFTER INSERT`` trigger on the ledger adds every new entry to its envelope's totals in the
same statement, so a posting and its totals commit together (or roll back together), whatever
inserts the row: ``post_entries``, a ``bulk_create`` in a test, ``COPY`` in the benchmark.

- PostgreSQL: one statement-level trigger with a transition table: each INSERT (or COPY) does
  one grouped upsert, ordered by (envelope, year) so two transactions take the total rows in
  the same order. ``ON CONFLICT DO UPDATE`` adds (``t.x + EXCLUDED.x``) under the row lock, so
  concurrent postings never lose an increment.
- SQLite: one row-level trigger with the same upsert per row; SQLite stores decimals as
  floats, so every sum is rounded to the cent (the exact cent value, never a drifting float).

An entry of a kind the trigger does not know is refused: a new ledger kind needs a new
migration that maps it to a column here (and in ``budgets.selectors.FIGURE_KINDS``).
Existing ledgers are summed into the table once, below. Reversing drops the trigger and the rows.
"""

from django.db import migrations

# Frozen copy of budgets.selectors.FIGURE_KINDS as it stands with this migration.
COLUMNS = {
    "allocated": ("allocation",),
    "carry_over": ("carry_over",),
    "reinforcements": ("reinforcement",),
    "blocked": ("block",),
    "committed": ("commitment", "decommitment"),
    "disbursed": ("disbursement",),
    "proven": ("proven",),
    "reclaimed": ("reclaim",),
    "repaid": ("repayment",),
}
KINDS = ", ".join(f"'{kind}'" for kinds in COLUMNS.values() for kind in kinds)
NAMES = ", ".join(COLUMNS)


def _in(kinds: tuple[str, ...]) -> str:
    return "kind IN ({})".format(", ".join(f"'{k}'" for k in kinds))


PG_SUMS = ",\n        ".join(
    f"COALESCE(SUM(amount) FILTER (WHERE {_in(kinds)}), 0)" for kinds in COLUMNS.values()
)
PG_ADD = ",\n        ".join(f"{c} = t.{c} + EXCLUDED.{c}" for c in COLUMNS)

PG_CREATE = f"""
CREATE OR REPLACE FUNCTION budgets_envelope_totals_add() RETURNS trigger AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM new_entries WHERE kind NOT IN ({KINDS})) THEN
        RAISE EXCEPTION 'budgets_envelopetotal: no column for this ledger kind (add it to the trigger)';
    END IF;
    INSERT INTO budgets_envelopetotal AS t (envelope_id, budget_year, {NAMES})
    SELECT envelope_id, budget_year,
        {PG_SUMS}
    FROM new_entries
    GROUP BY envelope_id, budget_year
    ORDER BY envelope_id, budget_year
    ON CONFLICT (envelope_id, budget_year) DO UPDATE SET
        {PG_ADD};
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER budgets_ledgerentry_totals
    AFTER INSERT ON budgets_ledgerentry
    REFERENCING NEW TABLE AS new_entries
    FOR EACH STATEMENT EXECUTE FUNCTION budgets_envelope_totals_add();
"""
PG_DROP = """
DROP TRIGGER IF EXISTS budgets_ledgerentry_totals ON budgets_ledgerentry;
DROP FUNCTION IF EXISTS budgets_envelope_totals_add();
"""

SQLITE_VALUES = ", ".join(
    f"CASE WHEN new.{_in(kinds)} THEN new.amount ELSE 0 END" for kinds in COLUMNS.values()
)
SQLITE_ADD = ", ".join(f"{c} = ROUND({c} + excluded.{c}, 2)" for c in COLUMNS)
SQLITE_CREATE = f"""
CREATE TRIGGER budgets_ledgerentry_totals AFTER INSERT ON budgets_ledgerentry
BEGIN
    SELECT RAISE(ABORT, 'budgets_envelopetotal: no column for this ledger kind (add it to the trigger)')
    WHERE new.kind NOT IN ({KINDS});
    INSERT INTO budgets_envelopetotal (envelope_id, budget_year, {NAMES})
    VALUES (new.envelope_id, new.budget_year, {SQLITE_VALUES})
    ON CONFLICT (envelope_id, budget_year) DO UPDATE SET {SQLITE_ADD};
END;
"""
SQLITE_DROP = "DROP TRIGGER IF EXISTS budgets_ledgerentry_totals;"

BACKFILL_SUMS = ", ".join(
    f"ROUND(COALESCE(SUM(CASE WHEN {_in(kinds)} THEN amount END), 0), 2)" for kinds in COLUMNS.values()
)
BACKFILL = f"""
INSERT INTO budgets_envelopetotal (envelope_id, budget_year, {NAMES})
SELECT envelope_id, budget_year, {BACKFILL_SUMS}
FROM budgets_ledgerentry
GROUP BY envelope_id, budget_year
"""


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor not in ("postgresql", "sqlite"):
        raise RuntimeError(f"budgets: no envelope-totals trigger for {vendor}")
    # The trigger first: on PostgreSQL CREATE TRIGGER locks the ledger against inserts until this
    # migration commits, so no entry can slip between the backfill and the trigger.
    schema_editor.execute(PG_CREATE if vendor == "postgresql" else SQLITE_CREATE)
    schema_editor.execute(BACKFILL)


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    schema_editor.execute(PG_DROP if vendor == "postgresql" else SQLITE_DROP)
    schema_editor.execute("DELETE FROM budgets_envelopetotal")


class Migration(migrations.Migration):
    dependencies = [("budgets", "0005_envelope_totals")]

    operations = [migrations.RunPython(forwards, backwards)]
