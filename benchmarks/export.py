"""Finance export and notice benchmark: 1,000,000 grants with their office, programme and carrier.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_exports .venv/bin/python benchmarks/export.py

``make bench`` runs it after the rollups (database: ``BENCH_EXPORTS_DATABASE_URL``, default
``BENCH_DATABASE_URL`` with ``_exports`` appended, created when missing) with ``--write-docs``:
each scenario is printed as ``ours / baseline = ratio`` and the section "Exports and notices"
of ``docs/benchmarks.md`` is rewritten with the command that produced it (issue 14):

- CSV: ours (the export job) / ``floor`` (``csv.writer`` over the same rows fetched with the
  same query), target ≤ 1.15, and the peak resident set of both;
- XLSX: ours (XlsxWriter, constant memory) / ``previous`` (the openpyxl write-only writer,
  ``write_xlsx_openpyxl``, run through the same export job), target ≤ 0.5;
- notices: grant notices per second on one core, and the time of one notice / one bare
  ReportLab page with one line of text (target ≥ 50 notices/s).

Generates the grants once (``bulk_create``; reused on later runs, ``--regenerate`` rebuilds
them), then times three ways of writing the grant export, each in a fresh subprocess so that
its peak memory can be read from ``getrusage``:

- ``naive``: the same django-import-export resource used as the documentation shows it, with
  default settings and no ``select_related``: ``resource.export()`` then ``dataset.csv`` /
  ``dataset.xlsx``. Every row loads its application, carrier, office and programme separately.
- ``ours``: the export job as production runs it (``export_job_run``: access check, row count,
  streaming writer, progress updates, the file copied into the private storage).
- ``floor``: ``csv.writer`` over a ``values_list()`` query of the same columns, rows and order,
  with no formatting at all. For XLSX the reference is openpyxl's write-only sheet fed the same
  raw tuples (only the time zone dropped from the one timestamp, which openpyxl refuses).

Peak memory is the subprocess's peak resident set (``VmHWM`` in ``/proc/self/status``, reset
with ``/proc/self/clear_refs`` just before the scenario starts); "growth" is that peak minus the
resident set at the start (Django loaded, connection open). ``ru_maxrss`` is not used: on Linux it
survives ``exec``, so a child would report its parent's peak.
The data lives in its own rows (file numbers ``XB-…``) and never touches other tables' rows,
but use a database of its own anyway.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from decimal import Decimal
from itertools import islice
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("CELERY_BROKER_URL", "memory://")
if "DATABASE_URL" not in os.environ:
    sys.exit(
        "Set DATABASE_URL to a database of its own, e.g. postgres://postgres@127.0.0.1:5432/export_bench"
    )
# Export files go to a scratch folder, never into the development private media.
os.environ.setdefault("PRIVATE_MEDIA_ROOT", str(Path(tempfile.gettempdir()) / "export_bench_media"))


def _create_database_if_missing(url: str) -> None:
    """``make bench`` derives the exports database's name; create it on first use (PostgreSQL)."""
    if not url.startswith(("postgres://", "postgresql://")):
        return
    import psycopg
    from psycopg import sql

    base, _, name = url.rpartition("/")
    name = name.split("?")[0]
    try:
        psycopg.connect(url.replace("postgres://", "postgresql://", 1)).close()
    except psycopg.OperationalError as exc:
        if "does not exist" not in str(exc):
            raise
        with psycopg.connect(
            f"{base}/postgres".replace("postgres://", "postgresql://", 1), autocommit=True
        ) as admin:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        print(f"created database {name}", flush=True)


if "--scenario" not in sys.argv:
    _create_database_if_missing(os.environ["DATABASE_URL"])

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.db.models import QuerySet  # noqa: E402

from accounts.models import User  # noqa: E402
from budgets.models import CoordinatingOffice, FundingProgramme, OfficeMembership  # noqa: E402
from grants.models import Application, Grant, Organisation  # noqa: E402
from reporting.exports.resources import GrantExportResource  # noqa: E402
from reporting.exports.selectors import CHUNK_SIZE, export_queryset  # noqa: E402

PREFIX = "XB"
BATCH = 5000


# --- data ------------------------------------------------------------------------------------


def _bench_grants():
    return Grant.objects.filter(file_number__startswith=f"{PREFIX}-")


def _wipe() -> None:
    with transaction.atomic():
        _bench_grants().delete()
        Application.objects.filter(reference__startswith=f"{PREFIX}-").delete()
        Organisation.objects.filter(name__startswith="Bench-Träger ").delete()
        FundingProgramme.objects.filter(code__startswith=f"{PREFIX}-").delete()
        root = CoordinatingOffice.objects.filter(code=PREFIX, depth=1).first()
        if root is not None:
            OfficeMembership.objects.filter(office__path__startswith=root.path).delete()
            CoordinatingOffice.objects.filter(path__startswith=root.path).delete()


def _offices() -> list[CoordinatingOffice]:
    root = CoordinatingOffice.objects.add_root(
        create_kwargs={
            "name": "Export-Bench Bund",
            "short_name": "XB",
            "code": PREFIX,
            "kind": "federal",
            "state": "NW",
        }
    )
    path = CoordinatingOffice._get_path
    states = ["BW", "BY", "BE", "BB", "HB", "HH", "HE", "MV", "NI", "NW", "RP", "SL", "SN", "ST", "SH", "TH"]
    rows = []
    for s, code in enumerate(states, start=1):
        state_path = path(root.path, 2, s)
        rows.append(
            CoordinatingOffice(
                path=state_path, depth=2, numchild=10, name=f"Landesstelle {code}", short_name=f"XB-{code}",
                code=f"{PREFIX}{code}", kind="state", state=code,
            )
        )  # fmt: skip
        for i in range(1, 11):
            rows.append(
                CoordinatingOffice(
                    path=path(state_path, 3, i), depth=3, numchild=0, name=f"Partnerschaft für Demokratie {code}-{i:02d}",
                    short_name=f"PfD {code}{i:02d}", code=f"{PREFIX}{code}{i:02d}", kind="local", state=code,
                )
            )  # fmt: skip
    CoordinatingOffice.objects.bulk_create(rows)
    CoordinatingOffice.objects.filter(pk=root.pk).update(numchild=len(states))
    return list(CoordinatingOffice.objects.filter(path__startswith=root.path, depth=3))


def generate(grants: int, seed: int = 5) -> float:
    rng = random.Random(seed)
    started = time.perf_counter()
    _wipe()
    with transaction.atomic():
        actor, _ = User.objects.get_or_create(username="export-bench", defaults={"first_name": "Bench"})
        locals_ = _offices()
        programmes = FundingProgramme.objects.bulk_create(
            FundingProgramme(
                name=f"Bench {name}", code=f"{PREFIX}-{code}", family=family, funding_level="federal",
                period_start=date(2025, 1, 1), period_end=date(2032, 12, 31),
            )
            for name, code, family in [
                ("Demokratie leben!", "DL", "demokratie_leben"),
                ("Zusammenhalt durch Teilhabe", "ZT", "zusammenhalt"),
                ("Weltoffenes Land", "WL", "state"),
                ("Kommunalfonds Vielfalt", "KF", "state"),
            ]
        )  # fmt: skip
        carriers = Organisation.objects.bulk_create(
            Organisation(
                name=f"Bench-Träger {n:05d} für Demokratie und Vielfalt e.V.", legal_form="ev",
                street="Hauptstraße 1", postcode="01067", city="Dresden", state="SN",
                contact_person="Erika Mustermann", email=f"bench{n}@example.org",
            )
            for n in range(5000)
        )  # fmt: skip
    states = ["notified", "final", "running", "proof_due", "settled", "closed"]
    for start in range(0, grants, BATCH):
        with transaction.atomic():
            batch = range(start, min(start + BATCH, grants))
            picks = [(rng.choice(locals_), rng.choice(programmes), rng.choice(carriers)) for _ in batch]
            years = [rng.choice((2025, 2026, 2027)) for _ in batch]
            applications = Application.objects.bulk_create(
                Application(
                    reference=f"{PREFIX}-A-{n:06d}", organisation=carrier, programme=programme, office=office,
                    title=f"Demokratiewerkstatt Nr. {n} – Beteiligung, Streitkultur und Medienkompetenz",
                    start_date=date(year, 1, 1), end_date=date(year, 12, 31), state="approved", created_by=actor,
                )
                for n, (office, programme, carrier), year in zip(batch, picks, years, strict=True)
            )  # fmt: skip
            Grant.objects.bulk_create(
                Grant(
                    application=application,
                    file_number=f"{PREFIX}-{office.code}-{programme.code[3:]}-{year}-{n:06d}",
                    organisation=carrier, programme=programme, office=office, title=application.title,
                    purpose="Workshops", period_start=date(year, 1, 1), period_end=date(year, 12, 31),
                    financing_type=rng.choice(("deficit", "share", "fixed")),
                    granted_amount=Decimal(rng.randrange(50_000, 14_000_000)) / 100,
                    planned_expenditure=Decimal("150000.00"), drawdown_window_value=6,
                    drawdown_window_unit="weeks", overrun_tolerance=Decimal("0.20"), notice_receipt_days=4,
                    interim_report_months=4, final_report_months=6, payout_requires_final_notice=False,
                    interest_margin_points=Decimal("5"), late_use_interest_from_window_end=False,
                    confidential_individual_support=False, state=rng.choice(states), approved_by=actor,
                    approved_at=application.created_at - timedelta(days=rng.randrange(0, 300)),
                )
                for n, application, (office, programme, carrier), year in zip(
                    batch, applications, picks, years, strict=True
                )
            )  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return time.perf_counter() - started


def finance_user() -> User:
    """A finance member of the bench root office: sees every bench grant, as the pages allow."""
    user, _ = User.objects.get_or_create(username="export-bench-finance")
    root = CoordinatingOffice.objects.get(code=PREFIX, depth=1)
    OfficeMembership.objects.get_or_create(user=user, office=root, role="finance")
    return User.objects.get(pk=user.pk)


# --- scenarios (each runs in its own process) ------------------------------------------------


def _replicate(base: int, grants: int) -> None:
    """Grow ``base`` generated grants to ``grants`` by copying them (and their applications)
    with ``INSERT … SELECT`` under new file numbers: minutes instead of an hour of ``bulk_create``."""
    with connection.cursor() as cursor:

        def columns(table: str) -> list[str]:
            cursor.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = %s AND column_name <> 'id' "
                "ORDER BY ordinal_position",
                [table],
            )
            return [row[0] for row in cursor.fetchall()]

        app_columns, grant_columns = columns("grants_application"), columns("grants_grant")
        originals = f"SELECT * FROM grants_grant WHERE file_number LIKE '{PREFIX}-%%' AND file_number NOT LIKE '{PREFIX}-%%-%%-%%-%%-%%' ORDER BY id"
        copy = 0
        while (have := _bench_grants().count()) < grants:
            copy += 1
            limit = min(base, grants - have)
            select_app = ", ".join(
                f"a.reference || '-{copy}'" if c == "reference" else f"a.{c}" for c in app_columns
            )
            select_grant = ", ".join(
                f"g.file_number || '-{copy}'"
                if c == "file_number"
                else "na.id"
                if c == "application_id"
                else f"g.{c}"
                for c in grant_columns
            )
            with transaction.atomic():
                cursor.execute(
                    f"INSERT INTO grants_application ({', '.join(app_columns)}) SELECT {select_app} "
                    f"FROM grants_application a JOIN ({originals} LIMIT {limit}) g ON g.application_id = a.id"
                )
                cursor.execute(
                    f"INSERT INTO grants_grant ({', '.join(grant_columns)}) SELECT {select_grant} "
                    f"FROM ({originals} LIMIT {limit}) g JOIN grants_application oa ON oa.id = g.application_id "
                    f"JOIN grants_application na ON na.reference = oa.reference || '-{copy}'"
                )
        cursor.execute("ANALYZE")


def naive(fmt: str, rows: int, out: Path) -> int:
    resource_ = GrantExportResource()
    queryset = resource_.get_queryset()[:rows]  # default queryset: no select_related
    dataset = resource_.export(queryset=queryset)
    if fmt == "csv":
        out.write_text(dataset.csv, encoding="utf-8")
    else:
        out.write_bytes(dataset.xlsx)
    return len(dataset)


def ours(fmt: str, rows: int, out: Path) -> int:
    from reporting.exports.services import export_job_run
    from reporting.models import ExportJob

    job = ExportJob.objects.create(kind="grants", format=fmt, filters={}, created_by=finance_user())
    job = export_job_run(job_id=job.pk)
    assert job.state == "done", job.error
    job.file.delete(save=False)
    job.delete()
    return job.rows_done


def previous(fmt: str, rows: int, out: Path) -> int:
    """The export job with the previous XLSX writer (openpyxl write-only): the XLSX baseline."""
    from reporting.exports import writers

    writers.WRITERS["xlsx"] = writers.write_xlsx_openpyxl
    return ours(fmt, rows, out)


def notices(fmt: str, rows: int, out: Path) -> int:
    """``rows`` grant notices of one approved grant (built by the test helpers, rolled back)."""
    from reporting.documents.grant_notice import render_grant_notice
    from tests.reporting.helpers import approved, make_world

    with transaction.atomic():
        grant = approved(make_world(), years=(2026, 2027)).grant
        render_grant_notice(grant=grant)  # fonts registered, caches warm: a batch's steady state
        started = time.perf_counter()
        for _ in range(rows):
            render_grant_notice(grant=grant)
        out.write_text(str(time.perf_counter() - started))
        transaction.set_rollback(True)
    return rows


def bare_pages(fmt: str, rows: int, out: Path) -> int:
    """``rows`` bare ReportLab pages: one line of Helvetica, saved to bytes (the PDF baseline)."""
    import io

    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen.canvas import Canvas

    def page() -> bytes:
        buffer = io.BytesIO()
        canvas = Canvas(buffer, pagesize=A4)
        canvas.drawString(72, 720, "Zuwendungsbescheid")
        canvas.showPage()
        canvas.save()
        return buffer.getvalue()

    page()
    started = time.perf_counter()
    for _ in range(rows):
        page()
    out.write_text(str(time.perf_counter() - started))
    return rows


def floor(fmt: str, rows: int, out: Path) -> int:
    attributes = [f.attribute for f in GrantExportResource().get_export_fields()]
    headers = GrantExportResource().get_export_headers()
    queryset = export_queryset("grants", finance_user(), {})  # the same rows in the same order
    assert isinstance(queryset, QuerySet)
    values = queryset.values_list(*attributes).iterator(chunk_size=CHUNK_SIZE)
    count = 0
    if fmt == "csv":
        with out.open("w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f)
            writer.writerow(headers)
            while chunk := list(islice(values, CHUNK_SIZE)):
                writer.writerows(chunk)
                count += len(chunk)
        return count
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(headers)
    stamp = attributes.index("approved_at")
    for row in values:
        # The least openpyxl accepts: it refuses time-zone-aware timestamps.
        values_ = list(row)
        values_[stamp] = values_[stamp].replace(tzinfo=None)
        sheet.append(values_)
        count += 1
    book.save(out)
    return count


SCENARIOS = {
    "naive": naive,
    "ours": ours,
    "floor": floor,
    "previous": previous,
    "notices": notices,
    "bare_pages": bare_pages,
}


def _status_kib(key: str) -> int | None:
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith(f"{key}:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def _reset_peak() -> None:
    # Linux: "5" resets the peak resident set (VmHWM) to the current one. ru_maxrss cannot be
    # used on Linux: it survives exec, so a child would report its parent's peak.
    try:
        with open("/proc/self/clear_refs", "w") as clear_refs:
            clear_refs.write("5")
    except OSError:
        pass


def run_scenario(name: str, fmt: str, rows: int) -> None:
    """Child process: one timed run; prints a JSON line."""
    User.objects.exists()  # open the connection before the baseline
    _reset_peak()
    before = _status_kib("VmRSS") or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with tempfile.TemporaryDirectory() as scratch:
        started = time.perf_counter()
        out = Path(scratch) / f"export.{fmt}"
        count = SCENARIOS[name](fmt, rows, out)
        seconds = time.perf_counter() - started
        if name in ("notices", "bare_pages"):
            seconds = float(out.read_text())  # the loop only, without building the grant
    peak = _status_kib("VmHWM") or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"rows": count, "seconds": seconds, "peak_kib": peak, "growth_kib": peak - before}))


def spawn(name: str, fmt: str, rows: int) -> dict:
    command = [sys.executable, __file__, "--scenario", name, "--format", fmt, "--rows", str(rows)]
    result = subprocess.run(command, capture_output=True, text=True, check=True, env=os.environ.copy())
    return json.loads(result.stdout.strip().splitlines()[-1])


BASELINES = {"csv": "floor", "xlsx": "previous"}
TARGETS = {"csv": 1.15, "xlsx": 0.5}
NOTICES_PER_SECOND = 50
DOCS = ROOT / "docs" / "benchmarks.md"
BEGIN, END = "<!-- bench:exports:begin -->", "<!-- bench:exports:end -->"


def _median_run(name: str, fmt: str, rows: int, runs: list[dict]) -> dict:
    return {
        "name": name,
        "rows": runs[0]["rows"],
        "seconds": statistics.median(r["seconds"] for r in runs),
        "peak_kib": max(r["peak_kib"] for r in runs),
        "growth_kib": max(r["growth_kib"] for r in runs),
    }


def turn_about(fmt: str, rows: int, repeat: int) -> tuple[dict, dict]:
    """Ours and its baseline, alternately (each run in a fresh process), median of ``repeat``."""
    base = BASELINES[fmt]
    ours_runs, base_runs = [], []
    for _ in range(repeat):
        ours_runs.append(spawn("ours", fmt, rows))
        base_runs.append(spawn(base, fmt, rows))
    return _median_run("ours", fmt, rows, ours_runs), _median_run(base, fmt, rows, base_runs)


def _mib(kib: int) -> str:
    return f"{kib / 1024:.0f} MiB"


def _command() -> str:
    import re
    import shlex

    url = re.sub(r"//([^:@/]+):[^@/]+@", r"//\1:***@", os.environ.get("DATABASE_URL", ""))
    args = " ".join(a for a in sys.argv[1:] if a != "--write-docs")
    return f"make bench BENCH_EXPORTS_DATABASE_URL={url}" + (
        f" EXPORT_ARGS={shlex.quote(args)}" if args else ""
    )


def write_docs(text: str) -> None:
    docs = DOCS.read_text()
    if BEGIN in docs:
        head, rest = docs.split(BEGIN, 1)
        docs = head + BEGIN + "\n" + text + END + rest.split(END, 1)[1]
    else:
        anchor = "## Finance export (`benchmarks/export.py`)"
        docs = docs.replace(anchor, f"{BEGIN}\n{text}{END}\n\n{anchor}", 1)
    DOCS.write_text(docs)
    print(f"\nwritten to {DOCS.relative_to(ROOT)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--grants", type=int, default=1_000_000)
    parser.add_argument(
        "--base", type=int, default=100_000, help="grants made with bulk_create; the rest are copies of them"
    )
    parser.add_argument("--naive-rows", type=int, default=0, help="rows for the naive scenario (0: skip it)")
    parser.add_argument("--repeat", type=int, default=1, help="turn-about runs of ours and baseline (median)")
    parser.add_argument("--formats", nargs="+", default=["csv", "xlsx"], choices=["csv", "xlsx"])
    parser.add_argument("--notices", type=int, default=200, help="grant notices rendered (0: skip)")
    parser.add_argument("--regenerate", action="store_true")
    parser.add_argument("--write-docs", action="store_true", help=f"rewrite the section in {DOCS.name}")
    parser.add_argument("--scenario", choices=SCENARIOS, help=argparse.SUPPRESS)
    parser.add_argument("--format", choices=["csv", "xlsx", "pdf"], help=argparse.SUPPRESS)
    parser.add_argument("--rows", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.scenario:
        run_scenario(args.scenario, args.format, args.rows)
        return

    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    present = _bench_grants().count()
    if args.regenerate or present != args.grants:
        print(f"generating {args.grants:,} grants …", flush=True)
        started = time.perf_counter()
        generate(min(args.base, args.grants))
        _replicate(min(args.base, args.grants), args.grants)
        print(f"  done in {time.perf_counter() - started:.0f} s", flush=True)
    else:
        print(f"reusing {present:,} grants")
    node = (
        f"{os.cpu_count()} CPUs, {platform.system()} {platform.release()}, Python {platform.python_version()}; "
        f"{connection.vendor} {getattr(connection, 'pg_version', '')}"
    )
    print(node)
    lines: list[str] = []
    table = [
        "| scenario | ours | baseline | ours / baseline | target | peak RSS ours / baseline |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for fmt in args.formats:
        if args.naive_rows:
            naive_run = spawn("naive", fmt, args.naive_rows)
            print(f"{fmt:4} naive {naive_run['rows']:>9,} rows {naive_run['seconds']:8.2f} s", flush=True)
        load = os.getloadavg()[0]
        mine, base = turn_about(fmt, args.grants, args.repeat)
        ratio = mine["seconds"] / base["seconds"]
        met = "met" if ratio <= TARGETS[fmt] else "NOT met"
        text = (
            f"{fmt:4} {mine['rows']:,} rows: ours {mine['seconds']:.1f} s / {base['name']} {base['seconds']:.1f} s "
            f"= {ratio:.3f} (target ≤ {TARGETS[fmt]}: {met}); peak RSS {_mib(mine['peak_kib'])} "
            f"(+{_mib(mine['growth_kib'])}) / {_mib(base['peak_kib'])} (+{_mib(base['growth_kib'])}); "
            f"load {load:.1f}→{os.getloadavg()[0]:.1f}"
        )
        print(text, flush=True)
        lines.append(text)
        table.append(
            f"| {fmt.upper()} export, {mine['rows']:,} rows (baseline: {base['name']}) | {mine['seconds']:.1f} s | "
            f"{base['seconds']:.1f} s | {ratio:.3f} | ≤ {TARGETS[fmt]} ({met}) | {_mib(mine['peak_kib'])} "
            f"(+{_mib(mine['growth_kib'])}) / {_mib(base['peak_kib'])} (+{_mib(base['growth_kib'])}) |"
        )
    if args.notices:
        pdf = spawn("notices", "pdf", args.notices)
        page = spawn("bare_pages", "pdf", args.notices)
        per_notice, per_page = pdf["seconds"] / pdf["rows"], page["seconds"] / page["rows"]
        rate = 1 / per_notice
        met = "met" if rate >= NOTICES_PER_SECOND else "NOT met"
        text = (
            f"notices: {rate:.1f} PDFs/s on one core ({per_notice * 1000:.1f} ms each, target ≥ {NOTICES_PER_SECOND}: "
            f"{met}); one notice / one bare ReportLab page = {per_notice * 1000:.1f} / {per_page * 1000:.2f} ms "
            f"= {per_notice / per_page:.1f}"
        )
        print(text, flush=True)
        table.append(
            f"| grant notice (2 pages, {pdf['rows']} rendered) / bare ReportLab page | {per_notice * 1000:.1f} ms "
            f"({rate:.1f} PDFs/s) | {per_page * 1000:.2f} ms | {per_notice / per_page:.1f} | ≥ {NOTICES_PER_SECOND} PDFs/s "
            f"({met}) | {_mib(pdf['peak_kib'])} / {_mib(page['peak_kib'])} |"
        )
    if args.write_docs:
        from datetime import UTC, datetime

        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        )
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT, capture_output=True, text=True
        )
        write_docs(
            "## Exports and notices (`benchmarks/export.py`, issue 14)\n\n"
            f"Written by `make bench` on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, commit `{head.stdout.strip()}`"
            f"{' plus uncommitted changes' if dirty.stdout.strip() else ''}; machine: {node}; "
            f"load average {os.getloadavg()[0]:.1f} at the end.\n\n"
            f"```sh\n{_command()}\n```\n\n"
            "Ours is the export job as production runs it (`export_job_run`: access check, row count, one "
            "`values_list()` query read in chunks of 2,000, the streaming writer, a progress `UPDATE` per "
            "chunk, the file copied into the private storage). CSV baseline: `csv.writer` over the same rows "
            "fetched with the same query, no formatting. XLSX baseline: the previous writer (openpyxl "
            "write-only, `write_xlsx_openpyxl`) run through the same job. Each run is a fresh process, ours "
            f"and the baseline turn about, median of {args.repeat}; peak RSS is the process's `VmHWM` (reset "
            "before the run), growth its rise over the start. Notices: the same approved two-year grant "
            "rendered over and over on one core (queries included), against a bare ReportLab page with one "
            "line of Helvetica.\n\n" + "\n".join(table) + "\n\n"
        )


if __name__ == "__main__":
    main()
