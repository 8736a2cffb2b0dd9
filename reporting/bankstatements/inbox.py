"""Finance's inbox kind for open bank-statement lines (to assign to a reclaim or to dismiss).

Registered into :mod:`grants.inbox` when the reporting app is ready: grants sits below reporting
and never imports it. The rows are :func:`reporting.bankstatements.selectors.open_lines`.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import DateField, F, QuerySet, Value
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from budgets.choices import StaffRole
from grants.inbox.kinds import Kind, register
from reporting.bankstatements.selectors import open_lines
from reporting.payments.selectors import finance_paths


def open_statement_lines(user: Any, today: date) -> QuerySet[Any] | None:
    if not finance_paths(user):
        return None
    return open_lines(user).annotate(
        inbox_since=F("statement__imported_at"), inbox_due=Value(None, output_field=DateField())
    )


def _describe(line: Any) -> tuple[str, str, str]:
    reference = f"{line.statement.statement_id} / {line.position}"
    title = line.counterparty_name or line.remittance[:80]
    return reference, title, reverse("statement_open_lines") + f"#open-line-{line.pk}-card"


OPEN_STATEMENT_LINES = Kind(
    "statement_line",
    _("Open bank-statement lines"),
    _("Assign or dismiss"),
    (StaffRole.FINANCE,),
    open_statement_lines,
    _describe,
    lambda: reverse("statement_open_lines"),
    related=("statement", "statement__office"),
    amount=lambda line: line.amount,
    office=lambda line: line.statement.office,
    party=lambda line: line.counterparty_name,
)


def register_inbox_kinds() -> None:
    register(OPEN_STATEMENT_LINES)
