"""Importing envelopes from XLSX or CSV: a dry run that reports every row, then the real run.

Any bad row means nothing is written: the whole import runs in one transaction that is
rolled back when a row fails.

Bounded (issue 12): each row is a ledger posting checked against the rows before it, so the
time grows with the rows. A web request takes at most ``SYNC_LIMITS`` (100 rows); a larger
file becomes a job for a Celery worker (``run_envelope_import_job``, ``LIMITS``: 2,000 rows)
whose page shows its progress; anything larger, or larger unpacked, is refused with the limit.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from budgets.resources import COLUMNS, EnvelopeResource, EnvelopeValues, normalise_header
from budgets.rules import allowed
from budgets.services.envelopes import envelope_create
from core.errors import AccessDenied, DomainError
from core.formatting import format_eur
from core.imports import Outcome, Progress
from core.models import ImportJob
from core.tabular import MB, Limits, Table, TableTemplate, read_table

REQUIRED = ("office", "programme", "budget_year", "funding_source", "budget_title", "allocated")
JOB_KIND = "envelopes"
LIMITS = Limits(max_rows=2_000, max_bytes=2 * MB, max_unpacked=8 * MB, max_columns=30, seconds=60)
SYNC_LIMITS = replace(LIMITS, max_rows=100, max_unpacked=2 * MB, seconds=10)
PROGRESS_EVERY = 50
# The file offered for download next to the import: every column the import reads (its first,
# German name), and one example row (office and programme by their codes, as in the demo).
TEMPLATE = TableTemplate(
    name="haushaltsansaetze-vorlage",
    headers=tuple(COLUMNS[name][0].capitalize() for name in EnvelopeResource._meta.fields),
    example=(
        "SN",
        "WOS",
        2027,
        "Land",
        "0710 684 01",
        Decimal("250000.00"),
        Decimal(0),
        Decimal(0),
        Decimal(0),
        "ja",
    ),
    example_text=("SN", "WOS", "2027", "Land", "0710 684 01", "250.000,00", "0,00", "0,00", "0,00", "ja"),
)


@dataclass
class RowReport:
    line: int
    ok: bool
    summary: str = ""
    messages: list[str] = field(default_factory=list)


@dataclass
class ImportReport:
    rows: list[RowReport]
    dry_run: bool
    digest: str = ""

    @property
    def ok(self) -> bool:
        return bool(self.rows) and all(r.ok for r in self.rows)

    @property
    def bad_rows(self) -> int:
        return sum(1 for r in self.rows if not r.ok)

    @property
    def created(self) -> int:
        return sum(1 for r in self.rows if r.ok)


def read_envelopes(content: bytes, file_name: str, limits: Limits = LIMITS) -> Table:
    """The file's rows (``core.tabular``) with the required columns checked."""
    table = read_table(content, file_name, normalise_header=normalise_header, limits=limits)
    missing = table.missing(REQUIRED)
    if missing:
        raise DomainError(_("Missing columns: %(columns)s.") % {"columns": ", ".join(missing)})
    return table


def import_envelopes(
    *,
    content: bytes,
    file_name: str,
    by: User,
    dry_run: bool,
    limits: Limits = SYNC_LIMITS,
    progress: Progress | None = None,
) -> ImportReport:
    """Check every row and create its envelope through ``envelope_create``; all or nothing.

    Each row is written in its own savepoint so that a refused row leaves nothing behind while
    later rows are still checked against the ones before them; a dry run, or any bad row, rolls
    the whole import back. ``limits`` bound the file (``core.tabular.TableTooLarge``);
    ``progress`` hears of every ``PROGRESS_EVERY`` rows checked.
    """
    if not allowed(by, "budgets.import_envelopes"):
        raise AccessDenied(_("Only finance staff may import budget envelopes."))
    table = read_envelopes(content, file_name, limits)
    total = len(table.rows)
    resource = EnvelopeResource()
    comment = _("Imported from %(file)s") % {"file": file_name}
    seen: dict[tuple[Any, ...], int] = {}
    rows: list[RowReport] = []
    with transaction.atomic():
        for row in table.rows:
            values, errors = resource.parse(row.values)
            if not errors:
                errors = _create(values, seen=seen, line=row.line, by=by, comment=comment)
            if errors:
                rows.append(RowReport(line=row.line, ok=False, messages=errors))
            else:
                rows.append(RowReport(line=row.line, ok=True, summary=_summary(row.values, values.allocated)))
            if progress is not None and (len(rows) % PROGRESS_EVERY == 0 or len(rows) == total):
                progress(len(rows), total)
        failed = any(not r.ok for r in rows)
        if dry_run or failed:
            transaction.set_rollback(True)
    return ImportReport(rows=rows, dry_run=dry_run or failed)


def _create(
    values: EnvelopeValues, *, seen: dict[tuple[Any, ...], int], line: int, by: User, comment: str
) -> list[str]:
    key = values.key()
    if key in seen:
        return [_("Duplicate of line %(line)s.") % {"line": seen[key]}]
    seen[key] = line
    assert values.office and values.programme and values.budget_year and values.funding_source  # parsed
    try:
        with transaction.atomic():
            envelope_create(
                office=values.office,
                programme=values.programme,
                budget_year=values.budget_year,
                funding_source=values.funding_source,
                budget_title=values.budget_title,
                allocated=values.allocated,
                carry_over=values.carry_over,
                reinforcements=values.reinforcements,
                blocked=values.blocked,
                is_default=values.is_default,
                by=by,
                comment=comment,
            )
    except DomainError as exc:
        return exc.messages
    return []


def _summary(data: dict[str, Any], allocated: Any) -> str:
    return _("%(office)s · %(programme)s · %(year)s · %(title)s: allocated %(amount)s") % {
        "office": data.get("office"),
        "programme": data.get("programme"),
        "year": data.get("budget_year"),
        "title": data.get("budget_title"),
        "amount": format_eur(allocated),
    }


def run_envelope_import_job(job: ImportJob, content: bytes, progress: Progress) -> Outcome:
    """The worker's part of an envelope import job (``budgets.tasks.run_envelope_import``)."""
    report = import_envelopes(
        content=content,
        file_name=job.file_name,
        by=job.created_by,
        dry_run=job.dry_run,
        limits=LIMITS,
        progress=progress,
    )
    return Outcome(
        ok=report.ok,
        rows=len(report.rows),
        created=0 if report.dry_run else report.created,
        bad=[(row.line, row.messages) for row in report.rows if not row.ok],
    )
