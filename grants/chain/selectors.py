"""Reads of funds, committees and the money passed on."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from budgets.models import CoordinatingOffice, Fund
from budgets.rules import office_roles
from budgets.selectors import (
    Figures,
    envelope_figures,
    envelope_references,
    first_recipient_bookings,
    fund_released,
)
from grants.awards.models import Grant
from grants.awards.selectors import grants_visible_to
from grants.chain.models import AgendaItem, Committee, CommitteeMember, CommitteeSession
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
    return [
        FundFigures(f, figures[f.envelope_id], fund_released(f, figures[f.envelope_id], day)) for f in funds
    ]


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
        Grant.objects.select_related("organisation__runs_office", "programme", "office").filter(pk=pk).first()
    )
    if grant is None:
        return None
    if is_first_recipient_staff(user, grant) or grants_visible_to(user).filter(pk=pk).exists():
        return grant
    return None


def micro_projects_of(fund: Fund) -> QuerySet[Any]:
    """The applications addressed to a fund once handed in (a carrier's draft stays its own)."""
    return (
        fund.applications.filter(submitted_at__isnull=False)
        .select_related("organisation")
        .order_by("reference")
    )


# --- rollups


def carrier_label(organisation: Any) -> str:
    """How a rollup names a carrier: a confidential one (exit programmes, DOMAIN.md §6) only by a
    pseudonym that the office can resolve, never by name."""
    if organisation.confidential:
        return _("confidential (no. %(number)s)") % {"number": organisation.pk}
    return str(organisation.name)


@dataclass(frozen=True)
class FundLine:
    """A fund with its envelope's figures: allocated from the grant, committed to micro-projects
    (granted), paid, proven (recognised), reclaimed, repaid."""

    fund: Fund
    figures: Figures


@dataclass(frozen=True)
class FirstRecipientLine:
    """A grant booked on an office's envelopes that finances funds, with those funds."""

    reference: str
    grant: Grant | None
    booked: Figures  # the grant's bookings on the office's own envelopes
    funds: list[FundLine]

    @property
    def recipient(self) -> str:
        return carrier_label(self.grant.organisation) if self.grant else ""

    @property
    def runs_office(self) -> Any:
        return self.grant.organisation.runs_office if self.grant else None

    @property
    def in_funds(self) -> Figures:
        return sum((line.figures for line in self.funds), Figures())


def _fund_lines(funds: list[Fund]) -> list[FundLine]:
    figures = envelope_figures(f.envelope_id for f in funds)
    return [FundLine(f, figures[f.envelope_id]) for f in funds]


def _funds_filtered(year: int | None, programme: int | None, source: str | None) -> QuerySet[Fund]:
    qs = Fund.objects.select_related("envelope__office", "kind")
    if year is not None:
        qs = qs.filter(envelope__budget_year=year)
    if programme is not None:
        qs = qs.filter(envelope__programme_id=programme)
    if source:
        qs = qs.filter(envelope__funding_source=source)
    return qs.order_by("envelope__budget_year", "envelope__office__name", "name")


def first_recipients_of(
    office: CoordinatingOffice,
    *,
    year: int | None = None,
    programme: int | None = None,
    source: str | None = None,
) -> list[FirstRecipientLine]:
    """The first recipients an office passed money on to: each grant booked on its own envelopes
    that finances funds, with its funds and their figures (DOMAIN.md §7); four queries."""
    booked = first_recipient_bookings(office_id=office.pk, year=year, programme=programme, source=source)
    if not booked:
        return []
    grants = {
        g.file_number: g
        for g in Grant.objects.filter(file_number__in=list(booked)).select_related(
            "organisation__runs_office", "office"
        )
    }
    funds = _fund_lines(
        list(_funds_filtered(year, programme, source).filter(source_reference__in=list(booked)))
    )
    return [
        FirstRecipientLine(
            reference,
            grants.get(reference),
            figures,
            [line for line in funds if line.fund.source_reference == reference],
        )
        for reference, figures in booked.items()
    ]


def funds_at(
    office: CoordinatingOffice,
    *,
    year: int | None = None,
    programme: int | None = None,
    source: str | None = None,
) -> list[FundLine]:
    """The funds whose envelope is the office's own, with their figures; two queries."""
    return _fund_lines(list(_funds_filtered(year, programme, source).filter(envelope__office=office)))


def fund_line(fund: Fund) -> FundLine:
    (line,) = _fund_lines([fund])
    return line


@dataclass(frozen=True)
class MicroProjectLine:
    """One micro-project of a fund: its grant and what the fund's envelope booked for it."""

    file_number: str
    grant: Grant | None
    figures: Figures

    @property
    def carrier(self) -> str:
        return carrier_label(self.grant.organisation) if self.grant else ""

    @property
    def granted(self) -> Decimal:
        return self.grant.granted_amount if self.grant else self.figures.committed


def micro_projects_booked(fund: Fund) -> list[MicroProjectLine]:
    """Every micro-project the fund's envelope booked (committed, paid, recognised, reclaimed,
    repaid), in file-number order; two queries."""
    booked = {
        reference: figures
        for (_envelope, reference), figures in envelope_references([fund.envelope_id]).items()
    }
    grants = {
        g.file_number: g
        for g in Grant.objects.filter(Q(fund=fund) | Q(file_number__in=list(booked))).select_related(
            "organisation", "office"
        )
    }
    return [
        MicroProjectLine(number, grants.get(number), booked.get(number, Figures()))
        for number in sorted(set(booked) | set(grants))
    ]


# --- committees


def _office_q(user: Any, prefix: str) -> Q:
    q = Q(pk__in=[])
    for path in {p for p, _role in office_roles(user)}:
        q |= Q(**{f"{prefix}path__startswith": path})
    return q


def committees_visible_to(user: Any) -> QuerySet[Any]:
    """Committees of the offices in the user's subtrees (administrators: all)."""
    qs = Committee.objects.select_related("office").prefetch_related("funds")
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    return qs if user.is_superuser else qs.filter(_office_q(user, "office__"))


def sessions_visible_to(user: Any) -> QuerySet[Any]:
    qs = CommitteeSession.objects.select_related("committee__office")
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    return qs if user.is_superuser else qs.filter(_office_q(user, "committee__office__"))


def open_ballots(user: Any) -> list[tuple[Any, Any, Any]]:
    """Items of open circulation votes on which the user holds a seat or stands in as deputy:
    (item, seat, deputy or None), in deadline order; seats already voted on are left out."""
    if not getattr(user, "is_authenticated", False):
        return []
    seats = list(CommitteeMember.objects.filter(user=user, active=True).select_related("deputy_for"))
    if not seats:
        return []
    items = (
        AgendaItem.objects.filter(
            session__committee__in={s.committee_id for s in seats},
            session__state="voting",
            session__procedure="circulation",
        )
        .select_related("session__committee", "application__organisation", "application__fund")
        .prefetch_related("votes", "recusals")
        .order_by("session__deadline", "position")
    )
    ballots = []
    for item in items:
        voted = {v.member_id for v in item.votes.all()}
        recused = {r.member_id for r in item.recusals.all()}
        for seat in seats:
            if seat.committee_id != item.session.committee_id or seat.pk in recused:
                continue
            principal, deputy = (seat, None) if seat.is_voting else (seat.deputy_for, seat)
            if principal is None or principal.pk in voted or principal.pk in recused:
                continue
            ballots.append((item, principal, deputy))
    return ballots
