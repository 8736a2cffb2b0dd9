"""Reads of funds, committees and the money passed on."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet

from budgets.models import Fund
from budgets.rules import office_roles
from budgets.selectors import Figures, envelope_figures, fund_released
from grants.awards.models import Grant
from grants.awards.selectors import grants_visible_to
from grants.rules import is_first_recipient_staff

# --- funds


@dataclass(frozen=True)
class FundFigures:
    """A fund's money: the envelope's figures and what its cut-off dates have released."""

    fund: Fund
    figures: Figures
    released: Decimal

    @property
    def allocated(self) -> Decimal:
        return self.figures.budget

    @property
    def free_now(self) -> Decimal:
        """What may still be granted today: released and not yet committed."""
        return max(Decimal(0), min(self.figures.available, self.released - self.figures.committed))


def fund_figures(funds: list[Fund], day: date) -> list[FundFigures]:
    figures = envelope_figures(f.envelope_id for f in funds)
    return [FundFigures(f, figures[f.envelope_id], fund_released(f, figures[f.envelope_id], day)) for f in funds]


def funds_queryset() -> QuerySet[Fund]:
    return Fund.objects.select_related("envelope__office", "envelope__programme", "kind").prefetch_related(
        "cutoffs", "committees"
    )


def funds_visible_to(user: Any) -> QuerySet[Fund]:
    """Staff see the funds of their offices' subtrees; administrators all."""
    if not getattr(user, "is_authenticated", False):
        return Fund.objects.none()
    if user.is_superuser:
        return funds_queryset()
    q = Q(pk__in=[])
    for path in {p for p, _role in office_roles(user)}:
        q |= Q(envelope__office__path__startswith=path)
    return funds_queryset().filter(q)


def open_funds(day: date) -> QuerySet[Fund]:
    """Funds that still accept micro-projects (for carriers looking where to apply)."""
    return funds_queryset().filter(latest_end_date__gte=day).order_by("envelope__office__name", "name")


def grant_for_funds(user: Any, pk: int) -> Grant | None:
    """The first recipient's grant whose funds the user may see: visible to them, or they are
    staff of the office its recipient runs. None otherwise (the page answers 404)."""
    grant = (
        Grant.objects.select_related("organisation__runs_office", "programme", "office")
        .filter(pk=pk)
        .first()
    )
    if grant is None:
        return None
    if is_first_recipient_staff(user, grant) or grants_visible_to(user).filter(pk=pk).exists():
        return grant
    return None


def micro_projects_of(fund: Fund) -> QuerySet[Any]:
    """The applications addressed to a fund, with their grant once approved."""
    return fund.applications.select_related("organisation").order_by("reference")
