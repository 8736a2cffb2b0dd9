"""Generate a large budget world: a three-level office tree, envelopes and a big ledger.

The Grant model does not exist yet, so a "grant" here is its file number (the ledger
reference) with its bookings: commitments per year, disbursements and, for some, proven
amounts, reclaims and repayments — exactly the rows a grant produces in the ledger.

Rows are written with PostgreSQL ``COPY`` or with large ``executemany`` batches on SQLite; the
ledger trigger builds the envelope totals from them as it does for every posting.
:func:`grow` then multiplies the ledger in the database (``INSERT … SELECT … generate_series``),
so 10,000,000 entries take minutes, not the memory of ten million Python tuples.
"""

from __future__ import annotations

import random
import time
from datetime import UTC, datetime
from decimal import Decimal

from django.db import connection, transaction

from budgets.models import CoordinatingOffice

YEARS = (2025, 2026, 2027)
PROGRAMMES = [
    ("Bench Demokratie leben!", "B-DL", "demokratie_leben", "federal"),
    ("Bench Zusammenhalt", "B-ZT", "zusammenhalt", "federal"),
    ("Bench Landesprogramm", "B-LP", "state", "state"),
    ("Bench Kommunalfonds", "B-KF", "state", "municipal"),
]
LEDGER_COLUMNS = (
    "envelope_id",
    "budget_year",
    "kind",
    "amount",
    "reference",
    "actor_id",
    "created_at",
    "comment",
)


def wipe() -> None:
    tables = [
        "budgets_ledgerentry",
        "budgets_envelopetotal",  # kept by the ledger trigger: built again by the inserts below
        "budgets_budgetenvelope",
        "budgets_officemembership",
        "budgets_coordinatingoffice",
        "budgets_fundingprogramme",
    ]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
        else:
            for table in tables:
                cursor.execute(f"DELETE FROM {table}")


def _offices(n_states: int, n_locals: int) -> list[CoordinatingOffice]:
    path = CoordinatingOffice._get_path
    rows = [
        CoordinatingOffice(
            path=path(None, 1, 1),
            depth=1,
            numchild=n_states,
            name="Bundesamt (Bench)",
            short_name="BUND",
            code="B",
            kind="federal",
            state="NW",
        )
    ]
    states = ["BW", "BY", "BE", "BB", "HB", "HH", "HE", "MV", "NI", "NW", "RP", "SL", "SN", "ST", "SH", "TH"]
    per_state = [n_locals // n_states + (1 if i < n_locals % n_states else 0) for i in range(n_states)]
    for s in range(n_states):
        state_path = path(rows[0].path, 2, s + 1)
        code = states[s % len(states)]
        rows.append(
            CoordinatingOffice(
                path=state_path,
                depth=2,
                numchild=per_state[s],
                name=f"Landesstelle {code} {s + 1:02d}",
                short_name=f"L{s + 1:02d}",
                code=f"B-{s + 1:02d}",
                kind="state",
                state=code,
            )
        )
        for i in range(per_state[s]):
            rows.append(
                CoordinatingOffice(
                    path=path(state_path, 3, i + 1),
                    depth=3,
                    numchild=0,
                    name=f"Partnerschaft {s + 1:02d}-{i + 1:03d}",
                    short_name=f"P{s + 1:02d}{i + 1:03d}",
                    code=f"B-{s + 1:02d}-{i + 1:03d}",
                    kind="local",
                    state=code,
                )
            )
    CoordinatingOffice.objects.bulk_create(rows, batch_size=1000)
    return list(CoordinatingOffice.objects.order_by("path"))


def _insert_ledger(rows: list[tuple]) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            raw = cursor.cursor  # the psycopg cursor
            with raw.copy(f"COPY budgets_ledgerentry ({', '.join(LEDGER_COLUMNS)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
    else:
        sql = (
            f"INSERT INTO budgets_ledgerentry ({', '.join(LEDGER_COLUMNS)}) "
            f"VALUES ({', '.join(['%s'] * len(LEDGER_COLUMNS))})"
        )
        with connection.cursor() as cursor:
            for start in range(0, len(rows), 50_000):
                cursor.executemany(sql, rows[start : start + 50_000])


def generate(*, offices: int, grants: int, entries: int, seed: int = 3) -> dict[str, int]:
    """Create the world; returns the counts actually written."""

    started = time.perf_counter()
    # One transaction: SQLite would otherwise commit (and sync) every inserted row.
    with transaction.atomic():
        counts = _generate(offices=offices, grants=grants, entries=entries, seed=seed)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return counts | {"seconds": round(time.perf_counter() - started)}


def _generate(*, offices: int, grants: int, entries: int, seed: int) -> dict[str, int]:
    from accounts.models import User
    from budgets.models import BudgetEnvelope, FundingProgramme

    rng = random.Random(seed)
    wipe()
    n_states = 16
    tree = _offices(n_states, offices - 1 - n_states)
    actor, _created = User.objects.get_or_create(username="bench", defaults={"is_superuser": True})
    programmes = FundingProgramme.objects.bulk_create(
        FundingProgramme(
            name=name,
            code=code,
            family=family,
            funding_level=level,
            period_start=datetime(2025, 1, 1).date(),
            period_end=datetime(2032, 12, 31).date(),
        )
        for name, code, family, level in PROGRAMMES
    )
    envelopes = BudgetEnvelope.objects.bulk_create(
        (
            BudgetEnvelope(
                office=office,
                programme=p,
                budget_year=year,
                funding_source=p.funding_level,
                budget_title=f"{p.code} 684 {year % 100:02d}",
                is_default=True,
            )
            for office in tree
            for p in programmes
            for year in YEARS
        ),
        batch_size=5000,
    )
    if connection.vendor != "postgresql":  # SQLite's bulk_create does not return primary keys on all versions
        envelopes = list(BudgetEnvelope.objects.order_by("pk"))
    # COPY takes an aware timestamp; SQLite stores Django's naive UTC text.
    now = datetime(2026, 6, 1, tzinfo=UTC) if connection.vendor == "postgresql" else "2026-06-01 00:00:00"
    rows: list[tuple] = []
    for env in envelopes:
        rows.append(
            (
                env.pk,
                env.budget_year,
                "allocation",
                Decimal(rng.randrange(200_000, 2_000_000)),
                "",
                actor.pk,
                now,
                "",
            )
        )
    # Each grant commits against the envelopes of one office and programme, for one to three years.
    by_key: dict[tuple[int, int], list] = {}
    for env in envelopes:
        by_key.setdefault((env.office_id, env.programme_id), []).append(env)
    keys = list(by_key)
    per_grant = max(1, (entries - len(rows)) // grants)
    for g in range(grants):
        reference = f"BG-{g + 1:06d}"
        envs = by_key[keys[rng.randrange(len(keys))]]
        written = 0
        while written < per_grant:
            env = envs[written % len(envs)]
            step = written // len(envs)
            kind = (
                "commitment",
                "disbursement",
                "disbursement",
                "proven",
                "reclaim",
                "repayment",
                "decommitment",
            )[step % 7]
            cents = rng.randrange(100_00, 5_000_00)
            amount = Decimal(cents) / 100 * (-1 if kind == "decommitment" else 1)
            rows.append((env.pk, env.budget_year, kind, amount, reference, actor.pk, now, ""))
            written += 1
    while len(rows) < entries:  # top up to the exact target with disbursement counter-entries
        env = envelopes[rng.randrange(len(envelopes))]
        rows.append(
            (env.pk, env.budget_year, "disbursement", Decimal("-1.00"), "BG-000001", actor.pk, now, "")
        )
    _insert_ledger(rows)
    return {"offices": len(tree), "envelopes": len(envelopes), "grants": grants, "entries": len(rows)}


def grow(*, entries: int) -> dict[str, int]:
    """Repeat the generated ledger in SQL until it holds ``entries`` rows (PostgreSQL only).

    Each copy is the same bookings again (same envelopes, kinds, signs and references), so the
    envelopes, totals rows and the shape of every rollup stay as they are; only the ledger and
    the figures grow. The ledger trigger adds the copies to the totals in the same statement.
    """
    started = time.perf_counter()
    columns = ", ".join(LEDGER_COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*), max(id) FROM budgets_ledgerentry")
        base, last_id = cursor.fetchone()
        copies, rest = divmod(entries - base, base)
        with transaction.atomic():
            if copies:
                cursor.execute(
                    f"INSERT INTO budgets_ledgerentry ({columns}) SELECT {columns} "
                    "FROM budgets_ledgerentry CROSS JOIN generate_series(1, %s) WHERE id <= %s",
                    [copies, last_id],
                )
            if rest:
                cursor.execute(
                    f"INSERT INTO budgets_ledgerentry ({columns}) SELECT {columns} "
                    "FROM budgets_ledgerentry WHERE id <= %s ORDER BY id LIMIT %s",
                    [last_id, rest],
                )
        cursor.execute("VACUUM ANALYZE budgets_ledgerentry")
        cursor.execute("VACUUM ANALYZE budgets_envelopetotal")
        cursor.execute("SELECT count(*) FROM budgets_ledgerentry")
        (total,) = cursor.fetchone()
    return {"entries": total, "seconds": round(time.perf_counter() - started)}
