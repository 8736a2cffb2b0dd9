"""Envelopes: creating them and changing their budget (allocation, carry-over, reinforcement, block).

Every change is a ledger entry, so an envelope's history is complete; the envelope row itself
only names office, programme, year, source and budget title.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from budgets.choices import FundingLevel, LedgerKind
from budgets.models import BudgetEnvelope, CoordinatingOffice, FundingProgramme, LedgerEntry
from budgets.rules import allowed
from budgets.selectors import envelope_figures
from budgets.services._locking import lock_envelopes
from budgets.services._posting import Posting, envelope_label, post_entries
from core.errors import AccessDenied, DomainError
from core.formatting import format_eur

BUDGET_KINDS = (LedgerKind.ALLOCATION, LedgerKind.CARRY_OVER, LedgerKind.REINFORCEMENT, LedgerKind.BLOCK)


def _require_manager(by: Any, office: CoordinatingOffice) -> None:
    if not allowed(by, "budgets.manage_office_budget", office):
        raise AccessDenied(
            _("Only finance staff of %(office)s or an office above it may change its budget.")
            % {"office": office.name}
        )


@transaction.atomic
def envelope_create(
    *,
    office: CoordinatingOffice,
    programme: FundingProgramme,
    budget_year: int,
    funding_source: str,
    budget_title: str,
    by: Any,
    allocated: Decimal,
    carry_over: Decimal = Decimal(0),
    reinforcements: Decimal = Decimal(0),
    blocked: Decimal = Decimal(0),
    is_default: bool = False,
    comment: str = "",
) -> BudgetEnvelope:
    _require_manager(by, office)
    amounts = {
        LedgerKind.ALLOCATION: Decimal(allocated),
        LedgerKind.CARRY_OVER: Decimal(carry_over),
        LedgerKind.REINFORCEMENT: Decimal(reinforcements),
        LedgerKind.BLOCK: Decimal(blocked),
    }
    errors = [
        _("%(figure)s must not be negative.") % {"figure": LedgerKind(kind).label}
        for kind, v in amounts.items()
        if v < 0
    ]
    if funding_source not in FundingLevel.values:
        errors.append(_("Unknown funding source “%(source)s”.") % {"source": funding_source})
    budget = (
        amounts[LedgerKind.ALLOCATION] + amounts[LedgerKind.CARRY_OVER] + amounts[LedgerKind.REINFORCEMENT]
    )
    if not errors and amounts[LedgerKind.BLOCK] > budget:
        errors.append(
            _("The blocked amount %(blocked)s exceeds the budget of %(budget)s.")
            % {"blocked": format_eur(amounts[LedgerKind.BLOCK]), "budget": format_eur(budget)}
        )
    title = budget_title.strip()
    if not title:
        errors.append(_("The budget title is missing."))
    duplicate = BudgetEnvelope.objects.filter(
        office=office,
        programme=programme,
        budget_year=budget_year,
        funding_source=funding_source,
        budget_title=title,
    ).exists()
    if duplicate:
        errors.append(
            _(
                "%(office)s already has an envelope for %(programme)s, %(year)s, %(source)s, budget title %(title)s."
            )
            % {
                "office": office.name,
                "programme": programme.code,
                "year": budget_year,
                "source": FundingLevel(funding_source).label
                if funding_source in FundingLevel.values
                else funding_source,
                "title": title,
            }
        )
    if errors:
        raise DomainError(errors)
    if is_default:
        _clear_default(office, programme, budget_year, funding_source)
    envelope = BudgetEnvelope(
        office=office,
        programme=programme,
        budget_year=budget_year,
        funding_source=funding_source,
        budget_title=title,
        is_default=is_default,
    )
    try:
        envelope.full_clean()
    except ValidationError as exc:
        raise DomainError(exc.messages) from exc
    envelope.save()
    post_entries(
        [Posting(envelope.pk, budget_year, kind, value) for kind, value in amounts.items() if value],
        reference="",
        by=by,
        comment=comment,
    )
    return envelope


def _clear_default(office: CoordinatingOffice, programme: FundingProgramme, year: int, source: str) -> None:
    BudgetEnvelope.objects.filter(
        office=office, programme=programme, budget_year=year, funding_source=source, is_default=True
    ).update(is_default=False)


@transaction.atomic
def envelope_adjust(
    *, envelope: BudgetEnvelope, kind: str, amount: Decimal, by: Any, comment: str
) -> LedgerEntry:
    """Change the budget of an envelope by a signed amount (a counter-entry corrects a mistake).

    No change may leave a figure negative or the envelope with less available than committed.
    """
    if kind not in BUDGET_KINDS:
        raise DomainError(_("Commitments and payments are booked by the grant, not on the envelope."))
    amount = Decimal(amount)
    if not amount:
        raise DomainError(_("The amount must not be zero."))
    if not comment.strip():
        raise DomainError(_("Please give a reason for the budget change."))
    _require_manager(by, envelope.office)
    locked = lock_envelopes([envelope.pk])[envelope.pk]
    figures = envelope_figures([locked.pk])[locked.pk]
    figure = {
        LedgerKind.ALLOCATION: "allocated",
        LedgerKind.CARRY_OVER: "carry_over",
        LedgerKind.REINFORCEMENT: "reinforcements",
        LedgerKind.BLOCK: "blocked",
    }[LedgerKind(kind)]
    if getattr(figures, figure) + amount < 0:
        raise DomainError(
            _("%(figure)s of %(envelope)s would become negative.")
            % {"figure": LedgerKind(kind).label, "envelope": envelope_label(locked)}
        )
    delta = -amount if kind == LedgerKind.BLOCK else amount
    available_after = figures.available + delta
    if available_after < 0:
        raise DomainError(
            _("%(envelope)s has %(available)s available; this change would leave %(after)s.")
            % {
                "envelope": envelope_label(locked),
                "available": format_eur(figures.available),
                "after": format_eur(available_after),
            }
        )
    (entry,) = post_entries(
        [Posting(locked.pk, locked.budget_year, kind, amount)], reference="", by=by, comment=comment
    )
    return entry


@transaction.atomic
def envelope_make_default(*, envelope: BudgetEnvelope, by: Any) -> BudgetEnvelope:
    """Mark the budget title that commitments use when an office has several."""
    _require_manager(by, envelope.office)
    _clear_default(envelope.office, envelope.programme, envelope.budget_year, envelope.funding_source)
    envelope.is_default = True
    envelope.save(update_fields=["is_default"])
    return envelope
