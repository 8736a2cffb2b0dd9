"""Finance export benchmark: 100,000 grants with their office, programme and carrier.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/export_bench .venv/bin/python benchmarks/export.py

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


SCENARIOS = {"naive": naive, "ours": ours, "floor": floor}


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
        count = SCENARIOS[name](fmt, rows, Path(scratch) / f"export.{fmt}")
        seconds = time.perf_counter() - started
    peak = _status_kib("VmHWM") or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"rows": count, "seconds": seconds, "peak_kib": peak, "growth_kib": peak - before}))


def spawn(name: str, fmt: str, rows: int) -> dict:
    command = [sys.executable, __file__, "--scenario", name, "--format", fmt, "--rows", str(rows)]
    result = subprocess.run(command, capture_output=True, text=True, check=True, env=os.environ.copy())
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--grants", type=int, default=100_000)
    parser.add_argument("--naive-rows", type=int, default=10_000, help="rows for the naive scenario")
    parser.add_argument("--repeat", type=int, default=3, help="runs of ours and floor (median)")
    parser.add_argument("--formats", nargs="+", default=["csv", "xlsx"], choices=["csv", "xlsx"])
    parser.add_argument("--regenerate", action="store_true")
    parser.add_argument("--scenario", choices=SCENARIOS, help=argparse.SUPPRESS)
    parser.add_argument("--format", choices=["csv", "xlsx"], help=argparse.SUPPRESS)
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
        print(f"  done in {generate(args.grants):.0f} s", flush=True)
    else:
        print(f"reusing {present:,} grants")
    print(
        f"{platform.node()} · {os.cpu_count()} CPUs · Python {platform.python_version()} · "
        f"{connection.vendor} {getattr(connection, 'pg_version', '')}"
    )
    results: dict[tuple[str, str], dict] = {}
    for fmt in args.formats:
        for name in ("naive", "ours", "floor"):
            rows = args.naive_rows if name == "naive" else args.grants
            load_before = os.getloadavg()[0]
            runs = [spawn(name, fmt, rows) for _ in range(1 if name == "naive" else args.repeat)]
            load = f"load {load_before:.1f}→{os.getloadavg()[0]:.1f}"
            best = {
                "rows": runs[0]["rows"],
                "seconds": statistics.median(r["seconds"] for r in runs),
                "peak_kib": max(r["peak_kib"] for r in runs),
                "growth_kib": max(r["growth_kib"] for r in runs),
            }
            results[(fmt, name)] = best
            print(
                f"{fmt:4} {name:5} {best['rows']:>7,} rows {best['seconds']:8.2f} s "
                f"{best['rows'] / best['seconds']:>9,.0f} rows/s  peak {best['peak_kib'] / 1024:6.0f} MiB "
                f"(+{best['growth_kib'] / 1024:.0f} MiB)  {load}",
                flush=True,
            )
        rate = {name: results[(fmt, name)]["rows"] / results[(fmt, name)]["seconds"] for name in SCENARIOS}
        print(
            f"{fmt:4} ours/naive {rate['ours'] / rate['naive']:.1f}× faster · "
            f"floor/ours {rate['floor'] / rate['ours']:.2f}× (target ≤ 2 for CSV)",
            flush=True,
        )


if __name__ == "__main__":
    main()
