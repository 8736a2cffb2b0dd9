"""Receipt-list import benchmark: ``.venv/bin/python benchmarks/receipt_import.py [--rows 10000]``.

Approves a grant through the real services (so the proof, plan version and file number are what
production has), writes a German receipt list as CSV and as XLSX, and times the dry run and
the real import through ``receipts_import`` (django-import-export, ``ReceiptRules``, one
``bulk_create``). Each timed import gets a fresh grant, so every run imports into an empty list.

The database is ``DATABASE_URL`` (a database of its own: it gets migrated and filled with
benchmark grants), or ``var/receipt_bench.sqlite3`` (git-ignored, rebuilt each run) when unset:

    .venv/bin/python benchmarks/receipt_import.py
    createdb -h 127.0.0.1 -U postgres proof_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/proof_bench .venv/bin/python benchmarks/receipt_import.py
"""

from __future__ import annotations

import argparse
import io
import logging
import os
import platform
import statistics
import sys
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
if "DATABASE_URL" not in os.environ:
    (ROOT / "var").mkdir(exist_ok=True)  # git-ignored
    (ROOT / "var" / "receipt_bench.sqlite3").unlink(missing_ok=True)
    os.environ["DATABASE_URL"] = f"sqlite:///{ROOT / 'var' / 'receipt_bench.sqlite3'}"

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import translation  # noqa: E402

from accounts.models import User  # noqa: E402
from budgets.models import CoordinatingOffice, FundingProgramme, OfficeMembership  # noqa: E402
from budgets.services.envelopes import envelope_create  # noqa: E402
from grants.applications.services.application import (  # noqa: E402
    application_complete_formal_check,
    application_propose_approval,
    application_start_formal_check,
    application_submit,
)
from grants.awards.services.award import application_approve  # noqa: E402
from grants.awards.services.proof import receipts_import  # noqa: E402
from grants.models import (  # noqa: E402
    Application,
    CoverLine,
    ExpenditureLine,
    Organisation,
    OrganisationMembership,
    ProofOfUse,
    Receipt,
)

CATEGORIES = [
    ("staff", "Projektleitung"),
    ("fees", "Honorare"),
    ("material", "Sachkosten"),
    ("travel", "Reisen"),
]


def machine() -> str:
    kib = next(
        int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines() if "MemTotal" in line
    )
    return (
        f"nproc {os.cpu_count()}, {kib / 1024 / 1024:.0f} GiB RAM, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}"
    )


class World:
    def __init__(self) -> None:
        stamp = f"{time.time_ns() % 10**9}"
        self.office = CoordinatingOffice.objects.add_root(
            create_kwargs={
                "name": f"Bench {stamp}",
                "short_name": "B",
                "code": f"B{stamp[-6:]}",
                "kind": "state",
                "state": "SN",
            }
        )
        self.programme = FundingProgramme.objects.create(
            name=f"Benchmark {stamp}",
            code=f"P{stamp[-6:]}",
            family="state",
            funding_level="state",
            period_start=date(2025, 1, 1),
            period_end=date(2032, 12, 31),
        )
        self.users = {}
        for role in ("case_officer", "approver", "finance"):
            user = User.objects.create(username=f"{role}-{stamp}")
            OfficeMembership.objects.create(user=user, office=self.office, role=role)
            self.users[role] = user
        envelope_create(
            office=self.office,
            programme=self.programme,
            budget_year=2026,
            funding_source="state",
            budget_title="0601 684 21",
            allocated=Decimal("1e9"),
            by=self.users["finance"],
        )
        self.count = 0

    def proof(self) -> tuple[ProofOfUse, User]:
        """A freshly approved grant's final proof and a member of its carrier."""
        self.count += 1
        org = Organisation.objects.create(
            name=f"Verein {self.office.code}-{self.count}",
            legal_form="ev",
            street="Hauptstr. 1",
            postcode="01067",
            city="Dresden",
            state="SN",
            contact_person="E. M.",
            email="v@example.org",
            iban="DE89370400440532013000",
        )
        carrier = User.objects.create(username=f"carrier-{self.office.code}-{self.count}")
        OrganisationMembership.objects.create(user=carrier, organisation=org)
        app = Application.objects.create(
            reference=f"A-{self.office.code}-{self.count}",
            organisation=org,
            programme=self.programme,
            office=self.office,
            title="Bench",
            summary="s",
            goals="g",
            target_groups="t",
            region="r",
            start_date=date(2026, 1, 1),
            end_date=date(2026, 12, 31),
            financing_type="deficit",
            created_by=carrier,
        )
        for i, (category, text) in enumerate(CATEGORIES):
            ExpenditureLine.objects.create(
                application=app,
                position=i,
                category=category,
                description=text,
                budget_year=2026,
                amount=Decimal("25000"),
            )
        CoverLine.objects.create(application=app, kind="own", budget_year=2026, amount=Decimal("10000"))
        CoverLine.objects.create(application=app, kind="grant", budget_year=2026, amount=Decimal("90000"))
        officer = self.users["case_officer"]
        app = application_submit(application=app, by=carrier)
        app = application_start_formal_check(application=app, by=officer)
        app = application_complete_formal_check(application=app, by=officer)
        app = application_propose_approval(application=app, by=officer, instalments={2026: Decimal("90000")})
        app = application_approve(application=app, by=self.users["approver"])
        return app.grant.proofs.get(kind="final"), carrier


def rows(count: int) -> list[list[object]]:
    start = date(2026, 1, 1)
    return [
        [
            f"B-{i:06d}",
            (start + timedelta(days=i % 365)).strftime("%d.%m.%Y"),
            f"Lieferant {i % 997} GmbH",
            f"Rechnung {i}",
            f"{1 + i % 999}.{i % 1000:03d},{i % 100:02d}" if i % 2 else f"{i % 900 + 1},{i % 100:02d}",
            str(1 + i % len(CATEGORIES)),
        ]
        for i in range(count)
    ]


HEADER = ["Belegnummer", "Datum", "Zahlungsempfänger/Einzahler", "Zahlungsgrund", "Betrag", "Planposition"]


def as_csv(data: list[list[object]]) -> bytes:
    return "\n".join(";".join(map(str, r)) for r in [HEADER, *data]).encode("utf-8")


def as_xlsx(data: list[list[object]]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(HEADER)
    for r in data:
        sheet.append(r)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"  # approvals e-mail carriers
    logging.getLogger("celery").setLevel(logging.WARNING)
    translation.activate("de")
    print(f"database: {connection.vendor} ({connection.settings_dict['NAME']})")
    print(f"machine:  {machine()}")
    world = World()
    data = rows(args.rows)
    files = {"csv": as_csv(data), "xlsx": as_xlsx(data)}
    print(
        f"rows:     {args.rows:,} (CSV {len(files['csv']) / 1e6:.1f} MB, XLSX {len(files['xlsx']) / 1e6:.1f} MB)\n"
    )
    print(f"{'scenario':28} {'median s':>9} {'rows/s':>9}")
    for fmt, content in files.items():
        for dry_run in (True, False):
            times = []
            for _ in range(args.repeat):
                proof, carrier = world.proof()
                started = time.perf_counter()
                report = receipts_import(
                    proof=proof, by=carrier, content=content, file_name=f"belege.{fmt}", dry_run=dry_run
                )
                times.append(time.perf_counter() - started)
                assert report.ok and not report.bad_rows, report.bad_rows[:3]
                written = Receipt.objects.filter(proof=proof).count()
                assert written == (0 if dry_run else args.rows), written
            median = statistics.median(times)
            name = f"{fmt.upper()} {'dry run' if dry_run else 'import'}"
            print(f"{name:28} {median:9.2f} {args.rows / median:9,.0f}")


if __name__ == "__main__":
    main()
