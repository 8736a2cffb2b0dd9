"""Importing a receipt list from XLSX or CSV: a dry run that shows every row, then the real run.

All or nothing: an import with any bad row writes nothing and reports every bad row with its
line number in the file (the header is line 1; blank lines keep their numbers). Rows are
checked by ``ReceiptRules``, the receipt form's rules, with the plan lines and the receipt
numbers already in the proof loaded once, so the cost per row is Python only; the valid rows
are written with one ``bulk_create``. By default the rows are added to the receipt list;
``replace=True`` replaces the whole list (for re-importing a corrected file).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from dataclasses import replace as changed
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from budgets.rules import require
from core.errors import DomainError
from core.imports import Outcome, Progress
from core.models import ImportJob
from core.tabular import MB, Limits, Row, Table, TableTemplate, read_table
from grants.awards.models import PlanVersionLine, ProofOfUse, Receipt
from grants.awards.models.proof import EDIT_PROOF
from grants.awards.resources import GERMAN_HEADERS, PlanLineWidget, ReceiptResource, normalise_header
from grants.awards.services.proof._common import locked_proof, plan_line_numbers, require_editable
from grants.awards.services.proof.receipts import FIELDS, ReceiptRules, ReceiptValues, receipt_summary

BATCH = 2000
JOB_KIND = "receipts"
# A worker takes up to 20,000 receipts (about 6 MB of CSV, 12 MB of unpacked XLSX); a web
# request up to 1,000 (a few seconds); larger files become a job, anything beyond is refused.
LIMITS = Limits(max_rows=20_000, max_bytes=10 * MB, max_unpacked=40 * MB, max_columns=30, seconds=120)
SYNC_LIMITS = changed(LIMITS, max_rows=1_000, max_bytes=2 * MB, max_unpacked=4 * MB, seconds=10)
PROGRESS_EVERY = 500
# The file offered for download next to the import: the columns the import reads, in its
# order and with its German headers, and one example row (plan line by its position number).
TEMPLATE = TableTemplate(
    name="belegliste-vorlage",
    headers=tuple(GERMAN_HEADERS[name] for name in FIELDS),
    example=(
        "R-1",
        date(2026, 3, 15),
        "Druckerei Müller",
        "Flyer für die Auftaktveranstaltung",
        Decimal("1234.56"),
        "1",
    ),
    example_text=(
        "R-1",
        "15.03.2026",
        "Druckerei Müller",
        "Flyer für die Auftaktveranstaltung",
        "1.234,56",
        "1",
    ),
)


@dataclass
class RowReport:
    """One data row: its line in the file, and either its receipt or every reason it failed."""

    line: int
    ok: bool
    messages: list[str] = field(default_factory=list)
    values: ReceiptValues | None = None
    plan_line_label: str = ""

    @property
    def summary(self) -> str:
        """``R-17 · 15.03.2026 · Druckerei Müller · 1.234,56 € → 2 · Flyer (2026)``, made when shown
        (formatting 10,000 rows that nobody reads would cost more than checking them)."""
        return receipt_summary(self.values, self.plan_line_label) if self.values is not None else ""


@dataclass
class ImportReport:
    """The result of an import; ``dry_run`` is true whenever nothing was written (a dry run, or
    a file with a bad row); ``created`` counts the receipts written."""

    rows: list[RowReport]
    dry_run: bool
    created: int = 0

    @property
    def ok(self) -> bool:
        return bool(self.rows) and all(r.ok for r in self.rows)

    @property
    def bad_rows(self) -> list[RowReport]:
        return [r for r in self.rows if not r.ok]


def read_receipts(content: bytes, file_name: str, limits: Limits = SYNC_LIMITS) -> Table:
    """The file's rows (``core.tabular``) with the receipt list's columns checked."""
    table = read_table(content, file_name, normalise_header=normalise_header, limits=limits)
    missing = [GERMAN_HEADERS[name] for name in table.missing(FIELDS)]
    if missing:
        raise DomainError(_("Missing columns: %(columns)s.") % {"columns": ", ".join(missing)})
    doubled = [GERMAN_HEADERS[h] for h in table.doubled() if h in GERMAN_HEADERS]
    if doubled:
        raise DomainError(_("Columns given twice: %(columns)s.") % {"columns": ", ".join(sorted(doubled))})
    if not table.rows:
        raise DomainError(_("The file contains no receipts."))
    return table


@transaction.atomic
def receipts_import(
    *,
    proof: ProofOfUse,
    by: User,
    content: bytes,
    file_name: str,
    dry_run: bool,
    replace: bool = False,
    limits: Limits = SYNC_LIMITS,
    progress: Progress | None = None,
) -> ImportReport:
    """Import (or with ``dry_run`` only check) a receipt list file into ``proof``.

    Returns one report row per data row, in file order, with its line number and either a
    summary or every reason it failed. Nothing is written unless every row is valid; then the
    receipts are written with one ``bulk_create`` (after deleting the old list if ``replace``).
    ``limits`` bound the file (``core.tabular.TableTooLarge``): the default is what a web request
    takes; ``progress`` hears of every ``PROGRESS_EVERY`` rows checked.
    """
    locked = locked_proof(proof)
    require(by, EDIT_PROOF, locked)
    require_editable(locked)
    table = read_receipts(content, file_name, limits)
    return _import(locked, table, dry_run=dry_run, replace=replace, progress=progress)


@transaction.atomic
def receipts_import_rows(
    *, proof: ProofOfUse, by: User, rows: Sequence[Mapping[str, Any]], dry_run: bool, replace: bool = False
) -> ImportReport:
    """:func:`receipts_import` for rows that arrive as values (the API's JSON receipt list): the
    same rules, all or nothing. Each row maps the file's fields (``number``, ``paid_on``, …,
    ``plan_line`` as the position number) to a value; its ``line`` is its place in the list (1…)."""
    locked = locked_proof(proof)
    require(by, EDIT_PROOF, locked)
    require_editable(locked)
    if not rows:
        raise DomainError(_("The file contains no receipts."))
    table = Table(
        headers=list(FIELDS),
        rows=[Row(line=number, values=dict(values)) for number, values in enumerate(rows, start=1)],
    )
    return _import(locked, table, dry_run=dry_run, replace=replace)


def _import(
    locked: ProofOfUse, table: Table, *, dry_run: bool, replace: bool, progress: Progress | None = None
) -> ImportReport:
    rules = ReceiptRules(locked, replace=replace)
    total = len(table.rows)
    taken = set() if replace else set(locked.receipts.values_list("number", flat=True))
    resource = ReceiptResource(plan_lines=plan_line_lookup(rules))
    first_line: dict[str, int] = {}
    rows: list[RowReport] = []
    for row in table.rows:
        parsed, parse_errors = resource.parse(row.values)
        values = ReceiptValues(
            number=parsed["number"] or "",
            paid_on=parsed["paid_on"],
            counterparty=parsed["counterparty"] or "",
            reason=parsed["reason"] or "",
            amount=parsed["amount"],
            plan_line=parsed["plan_line"],
        )
        number = values.number.strip()
        errors = rules.errors(values, number_taken=number in taken)
        errors = {name: messages for name, messages in errors.items() if name not in parse_errors}
        if number and number in first_line:
            errors.setdefault("number", []).append(
                _("Receipt number “%(number)s” appears more than once in the file (first in line %(line)s).")
                % {"number": number, "line": first_line[number]}
            )
        elif number:
            first_line[number] = row.line
        errors |= parse_errors
        if errors:
            messages = [message for name in FIELDS for message in errors.get(name, [])]
            rows.append(RowReport(line=row.line, ok=False, messages=messages))
        else:
            label = rules.labels[values.plan_line.pk]  # type: ignore[union-attr]
            rules.count(values)
            rows.append(RowReport(line=row.line, ok=True, values=values, plan_line_label=label))
        if progress is not None and (len(rows) % PROGRESS_EVERY == 0 or len(rows) == total):
            progress(len(rows), total)
    failed = any(not r.ok for r in rows)
    created = 0
    if not dry_run and not failed:
        created = _write(locked, [r.values for r in rows if r.values is not None], replace=replace)
    return ImportReport(rows=rows, dry_run=dry_run or failed, created=created)


def plan_line_lookup(rules: ReceiptRules) -> dict[str, PlanVersionLine | None]:
    """Every way a carrier may name a plan line → the line (``None``: ambiguous text)."""
    numbers = plan_line_numbers(rules.lines.values())
    lookup: dict[str, PlanVersionLine | None] = {}
    for line in rules.lines.values():
        text = PlanLineWidget.key(line.text)
        if text:
            lookup[text] = None if text in lookup else line
    for line in rules.lines.values():
        lookup[PlanLineWidget.key(rules.labels[line.pk])] = line
        lookup[numbers[line.pk].casefold()] = line
    return lookup


def _write(proof: ProofOfUse, receipts: list[ReceiptValues], *, replace: bool) -> int:
    if replace:
        Receipt.objects.filter(proof=proof).delete()
    Receipt.objects.bulk_create(
        [
            Receipt(
                proof=proof,
                number=values.number.strip(),
                paid_on=values.paid_on,  # type: ignore[misc]  # a valid row has every value
                counterparty=values.counterparty.strip(),
                reason=values.reason.strip(),
                amount=values.amount,  # type: ignore[misc]
                plan_line=values.plan_line,
            )
            for values in receipts
        ],
        batch_size=BATCH,
    )
    return len(receipts)


def run_receipt_import_job(job: ImportJob, content: bytes, progress: Progress) -> Outcome:
    """The worker's part of a receipt import job (``grants.tasks.run_receipt_import``)."""
    proof = ProofOfUse.objects.select_related("grant").get(pk=job.target_id)
    report = receipts_import(
        proof=proof,
        by=job.created_by,
        content=content,
        file_name=job.file_name,
        dry_run=job.dry_run,
        replace=bool(job.options.get("replace")),
        limits=LIMITS,
        progress=progress,
    )
    return Outcome(
        ok=report.ok,
        rows=len(report.rows),
        created=report.created,
        bad=[(row.line, row.messages) for row in report.bad_rows],
    )
