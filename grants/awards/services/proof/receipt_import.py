"""Importing a receipt list from XLSX or CSV: a dry run that shows every row, then the real run.

All or nothing: an import with any bad row writes nothing and reports every bad row with its
line number in the file (the header is line 1; blank lines keep their numbers). Rows are
checked by ``ReceiptRules``, the receipt form's rules, with the plan lines and the receipt
numbers already in the proof loaded once, so the cost per row is Python only; the valid rows
are written with one ``bulk_create``. By default the rows are added to the receipt list;
``replace=True`` replaces the whole list (for re-importing a corrected file).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Any

import tablib
from django.db import transaction
from django.utils.translation import gettext as _

from core.errors import DomainError
from grants.awards.models import ProofOfUse
from grants.awards.services.proof._common import locked_proof, require_carrier, require_editable
from grants.awards.services.proof.receipts import FIELDS, ReceiptRules, ReceiptValues, receipt_summary


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


def _csv_rows(content: bytes) -> list[tuple[int, list[Any]]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = content.decode("cp1252")  # what German Excel writes for "CSV (Trennzeichen-getrennt)"
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = max((";", ",", "\t"), key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows, start = [], 1
    for values in reader:
        rows.append((start, values))
        start = reader.line_num + 1
    return rows


def _xlsx_rows(content: bytes) -> list[tuple[int, list[Any]]]:
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    try:
        sheet = workbook.worksheets[0]
        return [(number, list(values)) for number, values in enumerate(sheet.iter_rows(values_only=True), 1)]
    finally:
        workbook.close()


def read_receipts(content: bytes, file_name: str) -> tablib.Dataset:
    """The file's rows as a dataset with normalised headers and each row's line number."""
    from grants.awards.resources import GERMAN_HEADERS, LINE, normalise_header

    name = file_name.lower()
    try:
        if name.endswith(".xlsx"):
            rows = _xlsx_rows(content)
        elif name.endswith(".csv"):
            rows = _csv_rows(content)
        else:
            raise DomainError(_("Please upload an XLSX or CSV file."))
    except DomainError:
        raise
    except Exception as exc:  # csv, zipfile and openpyxl raise their own types for damaged files
        raise DomainError(
            _("The file could not be read as %(format)s.") % {"format": file_name.rsplit(".", 1)[-1].upper()}
        ) from exc
    rows = [(number, values) for number, values in rows if any(str(v or "").strip() for v in values)]
    if not rows:
        raise DomainError(_("The file is empty."))
    headers = [normalise_header(h) for h in rows[0][1]]
    missing = [GERMAN_HEADERS[name] for name in FIELDS if name not in headers]
    if missing:
        raise DomainError(_("Missing columns: %(columns)s.") % {"columns": ", ".join(missing)})
    doubled = sorted({GERMAN_HEADERS[h] for h in headers if h in GERMAN_HEADERS and headers.count(h) > 1})
    if doubled:
        raise DomainError(_("Columns given twice: %(columns)s.") % {"columns": ", ".join(doubled)})
    positions = [headers.index(name) for name in FIELDS]
    dataset = tablib.Dataset(headers=[*FIELDS, LINE])
    for number, values in rows[1:]:
        dataset.append([values[i] if i < len(values) else None for i in positions] + [number])
    if not dataset.height:
        raise DomainError(_("The file contains no receipts."))
    return dataset


@transaction.atomic
def receipts_import(
    *, proof: ProofOfUse, by: Any, content: bytes, file_name: str, dry_run: bool, replace: bool = False
) -> ImportReport:
    """Import (or with ``dry_run`` only check) a receipt list file into ``proof``.

    Returns one report row per data row, in file order, with its line number and either a
    summary or every reason it failed. Nothing is written unless every row is valid.
    """
    from grants.awards.resources import LINE, ReceiptResource

    locked = locked_proof(proof)
    require_carrier(locked, by)
    require_editable(locked)
    dataset = read_receipts(content, file_name)
    rules = ReceiptRules(locked)
    taken = set() if replace else set(locked.receipts.values_list("number", flat=True))
    resource = ReceiptResource(proof=locked, rules=rules, taken=taken, replace=replace)
    result = resource.import_data(
        dataset,
        dry_run=dry_run,
        use_transactions=True,
        rollback_on_validation_errors=True,
        raise_errors=False,
    )
    for error in result.base_errors:
        raise DomainError(_("The file could not be imported: %(error)s") % {"error": error.error})
    bad: dict[int, list[str]] = {}
    lines = dataset[LINE]
    for invalid in result.invalid_rows:
        bad[lines[invalid.number - 1]] = [str(m) for name in FIELDS for m in invalid.error_dict.get(name, [])]
    for number, errors in result.row_errors():
        bad.setdefault(lines[number - 1], []).extend(str(e.error) for e in errors)
    rows = [
        RowReport(line=line, ok=False, messages=bad[line])
        if line in bad
        else RowReport(line, True, [], *resource.accepted.get(line, (None, "")))
        for line in lines
    ]
    return ImportReport(rows=rows, dry_run=dry_run or bool(bad), created=resource.written)
