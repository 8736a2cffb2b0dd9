"""Budget rollup benchmark: ``make bench`` (= ``.venv/bin/python benchmarks/run.py``).

Generates (once; ``--regenerate`` to rebuild) ≥500 offices in three levels, 100,000 grants and
1,000,000 ledger entries, then times the rollup selectors against one hand-written SQL
``GROUP BY`` over the same rows and prints the ratio.

The database is ``DATABASE_URL`` (use a separate one: the generator wipes the budget tables),
or ``var/bench.sqlite3`` (git-ignored) when it is not set. Never point it at real data.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
if "DATABASE_URL" not in os.environ:
    (ROOT / "var").mkdir(exist_ok=True)  # git-ignored
    os.environ["DATABASE_URL"] = f"sqlite:///{ROOT / 'var' / 'bench.sqlite3'}"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from benchmarks.generate import generate  # noqa: E402
from budgets.models import CoordinatingOffice, LedgerEntry  # noqa: E402
from budgets.selectors import FIGURE_KINDS, rollup  # noqa: E402

GROUP_COLUMNS = {"programme": "e.programme_id", "year": "l.budget_year", "source": "e.funding_source"}


def hand_written_sql(path: str, group: list[str], branch_depth: int | None) -> str:
    sums = ",\n  ".join(
        "COALESCE(SUM(CASE WHEN l.kind IN ({}) THEN l.amount END), 0) AS {}".format(
            ", ".join(f"'{k}'" for k in kinds), name
        )
        for name, kinds in FIGURE_KINDS.items()
    )
    keys = [GROUP_COLUMNS[g] for g in group]
    if branch_depth is not None:
        keys.append(f"SUBSTR(o.path, 1, {branch_depth * CoordinatingOffice.steplen})")
    key_sql = ", ".join(keys)
    return (
        f"SELECT {key_sql},\n  {sums}\n"
        "FROM budgets_ledgerentry l\n"
        "JOIN budgets_budgetenvelope e ON e.id = l.envelope_id\n"
        "JOIN budgets_coordinatingoffice o ON o.id = e.office_id\n"
        f"WHERE o.path LIKE '{path}%'\n"
        f"GROUP BY {key_sql}"
    )


def timed(fn, repeat: int) -> tuple[float, object]:
    fn()  # warm-up (plans, caches)
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), result


def raw(sql: str):
    def run():
        with connection.cursor() as cursor:
            cursor.execute(sql)
            return cursor.fetchall()

    return run


def machine() -> str:
    mem = ""
    try:
        meminfo = Path("/proc/meminfo").read_text().splitlines()
        kib = int(next(line for line in meminfo if line.startswith("MemTotal")).split()[1])
        mem = f", {kib / 1024 / 1024:.0f} GiB RAM"
    except (OSError, StopIteration, ValueError):
        pass
    return f"{os.cpu_count()} CPUs{mem}, {platform.system()} {platform.release()}, Python {platform.python_version()}"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--offices", type=int, default=500)
    parser.add_argument("--grants", type=int, default=100_000)
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--regenerate", action="store_true")
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    print(f"database: {connection.vendor} ({connection.settings_dict['NAME']})")
    print(f"machine:  {machine()}")
    if args.regenerate or LedgerEntry.objects.count() != args.entries:
        print("generating …", flush=True)
        print("generated:", generate(offices=args.offices, grants=args.grants, entries=args.entries))
    root = CoordinatingOffice.objects.get(depth=1)
    state = CoordinatingOffice.objects.filter(depth=2).order_by("path")[
        len(CoordinatingOffice.objects.filter(depth=2)) // 2
    ]
    counts = {
        "offices": CoordinatingOffice.objects.count(),
        "ledger entries": LedgerEntry.objects.count(),
        "grants (references)": LedgerEntry.objects.exclude(reference="")
        .values("reference")
        .distinct()
        .count(),
        f"entries below {state.short_name}": LedgerEntry.objects.filter(
            envelope__office__path__startswith=state.path
        ).count(),
    }
    print("data:     " + ", ".join(f"{k} {v:,}" for k, v in counts.items()))

    scenarios = [
        ("whole tree by programme/year/source", root, ["programme", "year", "source"], None),
        ("whole tree by state (drill-down table)", root, [], 2),
        (
            f"one state ({state.short_name}) by programme/year/source",
            state,
            ["programme", "year", "source"],
            None,
        ),
        (f"one state ({state.short_name}) by local office (drill-down)", state, [], 3),
    ]
    print(f"\n{'scenario':55} {'selector ms':>12} {'SQL ms':>9} {'ratio':>7} {'rows':>6}")
    failures = []
    for name, office, group, depth in scenarios:
        orm_ms, orm_rows = timed(
            lambda o=office, g=group, d=depth: rollup(paths=[o.path], group_by=g, branch_depth=d), args.repeat
        )
        sql_ms, sql_rows = timed(raw(hand_written_sql(office.path, group, depth)), args.repeat)
        assert len(orm_rows) == len(sql_rows), (name, len(orm_rows), len(sql_rows))
        ratio = orm_ms / sql_ms
        print(f"{name:55} {orm_ms:12.1f} {sql_ms:9.1f} {ratio:7.2f} {len(orm_rows):6}")
        if connection.vendor == "postgresql" and (ratio > 1.5 or orm_ms > 500):
            failures.append(name)
    if connection.vendor == "postgresql":
        print(
            "\ntargets (PostgreSQL): ratio ≤ 1.5 and selector < 500 ms:",
            "MET" if not failures else f"MISSED {failures}",
        )


if __name__ == "__main__":
    main()
