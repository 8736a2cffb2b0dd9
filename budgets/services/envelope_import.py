"""Importing envelopes from XLSX or CSV: a dry run that reports every row, then the real run.

Any bad row means nothing is written: the whole import runs in one transaction that is
rolled back when a row fails.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Any

import tablib
from django.db import transaction
from django.utils.translation import gettext as _
from import_export.formats.base_formats import XLSX

from budgets.rules import allowed
from core.errors import AccessDenied, DomainError
from core.formatting import format_eur

REQUIRED = ("office", "programme", "budget_year", "funding_source", "budget_title", "allocated")


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


def read_dataset(content: bytes, file_name: str) -> tablib.Dataset:
    """A dataset with normalised headers; CSV may be separated by ';' (German Excel) or ','."""
    from budgets.resources import normalise_header

    name = file_name.lower()
    try:
        if name.endswith(".xlsx"):
            dataset = XLSX().create_dataset(content)
        elif name.endswith(".csv"):
            text = content.decode("utf-8-sig")
            first_line = text.splitlines()[0] if text.strip() else ""
            delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
            rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
            dataset = tablib.Dataset(
                *[r for r in rows[1:] if any(c.strip() for c in r)], headers=rows[0] if rows else None
            )
        else:
            raise DomainError(_("Please upload an XLSX or CSV file."))
    except (UnicodeDecodeError, ValueError, KeyError, OSError, tablib.InvalidDimensions) as exc:
        raise DomainError(_("The file could not be read: %(error)s") % {"error": exc}) from exc
    except Exception as exc:  # openpyxl raises its own types for damaged files
        if isinstance(exc, DomainError):
            raise
        raise DomainError(
            _("The file could not be read as %(format)s.") % {"format": file_name.rsplit(".", 1)[-1].upper()}
        ) from exc
    dataset.headers = [normalise_header(h) for h in (dataset.headers or [])]
    missing = [c for c in REQUIRED if c not in dataset.headers]
    if missing:
        raise DomainError(_("Missing columns: %(columns)s.") % {"columns": ", ".join(missing)})
    return dataset


def import_envelopes(*, content: bytes, file_name: str, by: Any, dry_run: bool) -> ImportReport:
    """Run the import (or its dry run) through ``EnvelopeResource`` and ``envelope_create``."""
    from budgets.resources import EnvelopeResource

    if not allowed(by, "budgets.import_envelopes"):
        raise AccessDenied(_("Only finance staff may import budget envelopes."))
    dataset = read_dataset(content, file_name)
    resource = EnvelopeResource()
    with transaction.atomic():
        result = resource.import_data(
            dataset,
            dry_run=dry_run,
            use_transactions=True,
            rollback_on_validation_errors=True,
            raise_errors=False,
            user=by,
            file_name=file_name,
        )
    bad: dict[int, list[str]] = {}
    for invalid in result.invalid_rows:
        bad[invalid.number + 1] = [str(m) for messages in invalid.error_dict.values() for m in messages]
    for number, errors in result.row_errors():
        bad.setdefault(number + 1, []).extend(str(e.error) for e in errors)
    for error in result.base_errors:
        raise DomainError(_("The file could not be imported: %(error)s") % {"error": error.error})
    rows = []
    for number, data in enumerate(dataset.dict, start=2):
        if number in bad:
            rows.append(RowReport(line=number, ok=False, messages=bad[number]))
        else:
            rows.append(RowReport(line=number, ok=True, summary=_summary(data)))
    return ImportReport(rows=rows, dry_run=dry_run or any(not r.ok for r in rows))


def _summary(data: dict[str, Any]) -> str:
    from budgets.resources import GermanAmountWidget

    allocated = GermanAmountWidget().clean(data.get("allocated"))
    return _("%(office)s · %(programme)s · %(year)s · %(title)s: allocated %(amount)s") % {
        "office": data.get("office"),
        "programme": data.get("programme"),
        "year": data.get("budget_year"),
        "title": data.get("budget_title"),
        "amount": format_eur(allocated),
    }
