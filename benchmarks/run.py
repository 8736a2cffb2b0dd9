"""Budget rollup benchmark: ``make bench`` (= ``.venv/bin/python benchmarks/run.py``).

Generates (once; ``--regenerate`` to rebuild) 500 offices in three levels, 100,000 grants and
1,000,000 ledger entries. Each scenario times ours (the rollup selector, which sums the
maintained envelope totals) and its baseline (one hand-written SQL ``GROUP BY`` over the
ledger: the floor for summing the bookings themselves) turn about in the same run and prints
``ours / baseline = ratio``. Then it prices one booking with and without the totals trigger,
grows the ledger to ``--grow-to`` entries (10,000,000 on PostgreSQL) and times the whole-tree
rollups again: ours must not grow with the ledger. On PostgreSQL the results replace the
"Budget rollups from maintained totals" section of ``docs/benchmarks.md`` (``--no-write``: print
only), with the command that produced them.

The database is ``DATABASE_URL`` (use a separate one: the generator wipes the budget tables),
or ``var/bench.sqlite3`` (git-ignored) when it is not set. Never point it at real data.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shlex
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from decimal import Decimal
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
from django.db import connection, transaction  # noqa: E402

from benchmarks.generate import generate, grow  # noqa: E402
from budgets.models import BudgetEnvelope, CoordinatingOffice, EnvelopeTotal, LedgerEntry  # noqa: E402
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


def alternately(ours, baseline, repeat: int) -> tuple[float, float, object, object]:
    """Median ms of ``ours`` and of ``baseline``, run turn about so both see the same machine."""
    ours(), baseline()  # warm-up (plans, caches)
    ours_ms, base_ms = [], []
    ours_result = base_result = None
    for _ in range(repeat):
        start = time.perf_counter()
        ours_result = ours()
        ours_ms.append((time.perf_counter() - start) * 1000)
        start = time.perf_counter()
        base_result = baseline()
        base_ms.append((time.perf_counter() - start) * 1000)
    return statistics.median(ours_ms), statistics.median(base_ms), ours_result, base_result


def raw(sql: str):
    def run():
        with connection.cursor() as cursor:
            cursor.execute(sql)
            return cursor.fetchall()

    return run


def booking_cost(repeat: int, block: int = 20) -> tuple[float, float]:
    """Median µs of one booking (lock the envelope, post one entry) with and without the totals.

    "Without" runs in blocks of ``block`` bookings with the ledger's totals trigger disabled
    (``ALTER TABLE … DISABLE TRIGGER``, committed, switched back in ``finally``), alternating with
    blocks with it enabled; the medians drop the first booking after each switch, which replans.
    Every booking is rolled back, so the ledger keeps its size; the commit itself (a WAL flush,
    the same for both) is not in the figure.
    """
    from accounts.models import User
    from budgets.models import BudgetEnvelope
    from budgets.services._locking import lock_envelopes
    from budgets.services._posting import Posting, post_entries

    by = User.objects.get(username="bench")
    envelope_ids = list(BudgetEnvelope.objects.order_by("pk").values_list("pk", flat=True)[:200])

    def book(n: int) -> float:
        env = envelope_ids[n % len(envelope_ids)]
        with transaction.atomic():
            start = time.perf_counter()
            lock_envelopes([env])
            post_entries([Posting(env, 2026, "disbursement", Decimal("12.34"))], reference="BENCH", by=by)
            elapsed = (time.perf_counter() - start) * 1_000_000
            transaction.set_rollback(True)
        return elapsed

    def trigger(enabled: bool) -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                "ALTER TABLE budgets_ledgerentry "
                f"{'ENABLE' if enabled else 'DISABLE'} TRIGGER budgets_ledgerentry_totals"
            )

    ours: list[float] = []
    base: list[float] = []
    try:
        for round_ in range(-1, max(1, repeat // block)):  # round -1 warms up
            for enabled, times in ((True, ours), (False, base)):
                trigger(enabled)
                book(0)  # replans after the switch
                sample = [book(n) for n in range(1, block + 1)]
                if round_ >= 0:
                    times.extend(sample)
    finally:
        trigger(True)
    return statistics.median(ours), statistics.median(base)


def machine() -> str:
    mem = ""
    try:
        meminfo = Path("/proc/meminfo").read_text().splitlines()
        kib = int(next(line for line in meminfo if line.startswith("MemTotal")).split()[1])
        mem = f", {kib / 1024 / 1024:.0f} GiB RAM"
    except (OSError, StopIteration, ValueError):
        pass
    return f"{os.cpu_count()} CPUs{mem}, {platform.system()} {platform.release()}, Python {platform.python_version()}"


DOCS = ROOT / "docs" / "benchmarks.md"
BEGIN, END = "<!-- bench:totals:begin -->", "<!-- bench:totals:end -->"
SPEEDUP_TARGET = 20  # whole-tree rollup at least this many times faster than the ledger GROUP BY
FLAT_TARGET = 1.5  # ours at --grow-to entries / ours at --entries: "the same time"


def line(name: str, ours: float, base: float, unit: str = "ms", note: str = "") -> str:
    return f"{name:52} {ours:9.1f} / {base:9.1f} {unit} = {ours / base:6.3f}  {note}"


def command() -> str:
    url = os.environ.get("DATABASE_URL", "")
    url = re.sub(r"//([^:@/]+):[^@/]+@", r"//\1:***@", url)  # never a password in the docs
    args = f" ARGS={shlex.quote(' '.join(sys.argv[1:]))}" if sys.argv[1:] else ""
    return f"make bench BENCH_DATABASE_URL={url}{args}"


def commit() -> str:
    def git(*cmd: str) -> str:
        return subprocess.run(["git", *cmd], cwd=ROOT, capture_output=True, text=True).stdout.strip()

    dirty = " plus uncommitted changes" if git("status", "--porcelain", "--untracked-files=no") else ""
    return f"`{git('rev-parse', '--short', 'HEAD')}`{dirty}"


def server() -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_setting('server_version'), current_setting('work_mem'), "
            "current_setting('shared_buffers'), current_setting('max_parallel_workers_per_gather')"
        )
        version, work_mem, buffers, workers = cursor.fetchone()
    return (
        f"PostgreSQL {version} (work_mem {work_mem}, shared_buffers {buffers}, "
        f"{workers} parallel workers per gather)"
    )


def write_docs(text: str) -> None:
    docs = DOCS.read_text()
    if BEGIN in docs:
        head, rest = docs.split(BEGIN, 1)
        docs = head + BEGIN + "\n" + text + END + rest.split(END, 1)[1]
    else:
        docs = docs.replace("## Results\n", f"## Results\n\n{BEGIN}\n{text}{END}\n", 1)
    DOCS.write_text(docs)
    print(f"\nwritten to {DOCS.relative_to(ROOT)}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--offices", type=int, default=500)
    parser.add_argument("--grants", type=int, default=100_000)
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument(
        "--grow-to",
        type=int,
        default=None,
        help="ledger size of the second measurement (default 10,000,000 on PostgreSQL, "
        "0 = skip; SQLite cannot grow)",
    )
    parser.add_argument("--grown-repeat", type=int, default=5)
    parser.add_argument("--bookings", type=int, default=300, help="bookings timed per variant")
    parser.add_argument("--regenerate", action="store_true")
    parser.add_argument("--no-write", action="store_true", help=f"do not update {DOCS.name}")
    args = parser.parse_args()
    postgres = connection.vendor == "postgresql"
    grow_to = (10_000_000 if postgres else 0) if args.grow_to is None else args.grow_to
    if grow_to and not postgres:
        parser.error("--grow-to needs PostgreSQL (BENCH_DATABASE_URL)")

    call_command("migrate", verbosity=0)
    print(f"database: {connection.vendor} ({connection.settings_dict['NAME']})")
    print(f"machine:  {machine()}")
    generated = ""
    if args.regenerate or LedgerEntry.objects.count() != args.entries:
        print("generating …", flush=True)
        counts = generate(offices=args.offices, grants=args.grants, entries=args.entries)
        print("generated:", counts)
        generated = f"generated in {counts['seconds']} s"
    root = CoordinatingOffice.objects.get(depth=1)
    state = CoordinatingOffice.objects.filter(depth=2).order_by("path")[
        len(CoordinatingOffice.objects.filter(depth=2)) // 2
    ]
    counts = {
        "offices": CoordinatingOffice.objects.count(),
        "envelopes": BudgetEnvelope.objects.count(),
        "totals rows": EnvelopeTotal.objects.count(),
        "ledger entries": LedgerEntry.objects.count(),
        "grants (references)": LedgerEntry.objects.exclude(reference="")
        .values("reference")
        .distinct()
        .count(),
        f"entries below {state.short_name}": LedgerEntry.objects.filter(
            envelope__office__path__startswith=state.path
        ).count(),
    }
    data = ", ".join(f"{k} {v:,}" for k, v in counts.items())
    print(f"data:     {data}")

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

    def run(selected, repeat: int) -> list[tuple[str, float, float, int]]:
        results = []
        for name, office, group, depth in selected:
            ours_ms, base_ms, ours_rows, base_rows = alternately(
                lambda o=office, g=group, d=depth: rollup(paths=[o.path], group_by=g, branch_depth=d),
                raw(hand_written_sql(office.path, group, depth)),
                repeat,
            )
            assert len(ours_rows) == len(base_rows), (name, len(ours_rows), len(base_rows))
            print(
                line(name, ours_ms, base_ms, note=f"{base_ms / ours_ms:5.1f}× faster, {len(ours_rows)} rows")
            )
            results.append((name, ours_ms, base_ms, len(ours_rows)))
        return results

    print(
        f"\n{'scenario (ours = totals, baseline = ledger GROUP BY)':52} {'ours':>9}   {'baseline':>9}      ratio"
    )
    first = run(scenarios, args.repeat)
    ours_us = base_us = None
    if postgres:
        ours_us, base_us = booking_cost(args.bookings)
        print(
            line(
                "one booking (lock + post), totals trigger on/off",
                ours_us,
                base_us,
                "µs",
                f"+{ours_us - base_us:.0f} µs per booking",
            )
        )
    grown: list[tuple[str, float, float, int]] = []
    grown_data = ""
    if grow_to and grow_to > counts["ledger entries"]:
        print(f"\ngrowing the ledger to {grow_to:,} entries …", flush=True)
        result = grow(entries=grow_to)
        grown_data = f"{result['entries']:,} ledger entries (grown in {result['seconds']} s)"
        print(f"grown:    {grown_data}")
        grown = run(scenarios[:2], args.grown_repeat)
    whole = [r for r in first if r[0].startswith("whole tree")]
    speedups = {name: base / ours for name, ours, base, _rows in whole}
    flat = {name: ours / dict((r[0], r[1]) for r in first)[name] for name, ours, _b, _r in grown}
    met_speed = all(v >= SPEEDUP_TARGET for v in speedups.values())
    met_flat = bool(flat) and all(v <= FLAT_TARGET for v in flat.values())
    print(
        f"\ntarget: whole-tree rollup ≥ {SPEEDUP_TARGET}× faster than the ledger GROUP BY:",
        "MET" if met_speed else "MISSED",
        ", ".join(f"{v:.1f}×" for v in speedups.values()),
    )
    if grown:
        print(
            f"target: the same time at {grow_to:,} entries (≤ {FLAT_TARGET}× of the first run):",
            "MET" if met_flat else "MISSED",
            ", ".join(f"{v:.2f}×" for v in flat.values()),
        )
    if not postgres or args.no_write:
        return

    def table(rows: list[tuple[str, float, float, int]]) -> str:
        out = [
            "| scenario | ours ms | baseline ms | ours / baseline | faster | rows |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        out += [f"| {n} | {o:.1f} | {b:.1f} | {o / b:.3f} | {b / o:.1f}× | {r} |" for n, o, b, r in rows]
        return "\n".join(out) + "\n"

    now = datetime.now(UTC)
    text = f"""## Budget rollups from maintained totals (`benchmarks/run.py`, issue 14)

Written by `make bench` on {now:%Y-%m-%d %H:%M} UTC, commit {commit()}; machine: {machine()};
{server()}; load average {os.getloadavg()[0]:.1f} at the end.

```sh
createdb -h 127.0.0.1 -U postgres bench_totals   # once: a database of its own
{command()}
```

Ours is `budgets.selectors.rollup` as the dashboard, drill-downs and the budget report call it:
one aggregate over `EnvelopeTotal` (one row per envelope and budget year, kept equal to Σ ledger
by the ledger's insert trigger) joined to envelopes and offices. The baseline is the
hand-written SQL `GROUP BY` over the ledger that the selector used to be (it matched it within
0.9–1.3, see the history below), timed turn about with ours in the same run; median of
{args.repeat} runs after one warm-up. A ratio below 1 means ours is faster.

Data: {data}{f" ({generated})" if generated else ""}.

{table(first)}"""
    if ours_us is not None and base_us is not None:
        text += f"""
One booking (`lock_envelopes` + `post_entries` of one disbursement, rolled back; median of
{args.bookings}): {ours_us:.0f} µs with the totals trigger / {base_us:.0f} µs with it disabled =
{ours_us / base_us:.2f}, i.e. **{ours_us - base_us:+.0f} µs per booking** for keeping the totals.
"""
    if grown:
        text += f"""
The same whole-tree scenarios after growing the ledger to {grown_data} (`INSERT … SELECT`
of the same bookings again; median of {args.grown_repeat}):

{table(grown)}"""
    text += f"""
Targets: whole-tree rollup ≥ {SPEEDUP_TARGET}× faster than the ledger `GROUP BY` at
{args.entries:,} entries — **{"met" if met_speed else "missed"}**
({", ".join(f"{v:.1f}×" for v in speedups.values())})"""
    if grown:
        text += f"""; the same time at {grow_to:,} entries (ours grown / ours first ≤ {FLAT_TARGET}) —
**{"met" if met_flat else "missed"}** ({", ".join(f"{v:.2f}" for v in flat.values())})"""
    text += ".\n\n"
    write_docs(text)


if __name__ == "__main__":
    main()
    # List pages at 1,000 and 100,000 rows (issue 14 §2): PostgreSQL only, in schemas of their own.
    from benchmarks import lists

    lists.main(["--no-write"] if "--no-write" in sys.argv else [])
