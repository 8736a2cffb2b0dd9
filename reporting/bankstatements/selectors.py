"""Who sees which statements and lines: finance staff of the statement's office subtree."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet

from budgets.models import CoordinatingOffice
from grants.awards.models import Reclaim
from reporting.bankstatements.models import BankStatement, StatementLine, StatementLineState
from reporting.payments.selectors import finance_paths


def _under(paths: list[str], prefix: str) -> Q:
    q = Q(pk__in=[])
    for path in paths:
        q |= Q(**{f"{prefix}path__startswith": path})
    return q


def finance_offices(user: Any) -> QuerySet[CoordinatingOffice]:
    """The offices a statement can be imported for: where the user holds the finance role."""
    return CoordinatingOffice.objects.filter(path__in=finance_paths(user)).order_by("path")


def statements_visible_to(user: Any) -> QuerySet[BankStatement]:
    return (
        BankStatement.objects.filter(_under(finance_paths(user), "office__"))
        .select_related("office", "imported_by")
        .annotate(
            line_count=Count("lines"),
            open_count=Count("lines", filter=Q(lines__state=StatementLineState.UNASSIGNED)),
        )
    )


def lines_visible_to(user: Any) -> QuerySet[StatementLine]:
    return StatementLine.objects.filter(_under(finance_paths(user), "statement__office__")).select_related(
        "statement",
        "statement__office",
        "repayment__reclaim__grant",
        "drawdown__grant",
        "payment_run",
        "handled_by",
    )


def open_lines(user: Any) -> QuerySet[StatementLine]:
    """Lines waiting for finance: to assign to a reclaim or to dismiss, oldest first."""
    return (
        lines_visible_to(user)
        .filter(state=StatementLineState.UNASSIGNED)
        .order_by("statement_id", "position")
    )


def assignable_reclaims(office: CoordinatingOffice) -> QuerySet[Reclaim]:
    """Open reclaims a line of ``office``'s statements may be assigned to."""
    return (
        Reclaim.objects.open()
        .filter(grant__office__path__startswith=office.path)
        .select_related("grant", "grant__organisation")
        .order_by("grant__file_number", "pk")
    )


def returned_transfers(run: Any) -> QuerySet[StatementLine]:
    """The transfers of a payment run that the payees' banks sent back."""
    return (
        StatementLine.objects.filter(payment_run=run, state=StatementLineState.RETURN)
        .select_related("statement", "drawdown__grant")
        .order_by("pk")
    )
