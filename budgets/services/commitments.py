"""Commitments of grants against envelopes, and the bookings that follow them.

Matching rule (documented in the dashboard help as well): the funding source is the
programme's funding level. For each budget year the envelope is taken from the nearest office
that has one for the programme, year and source, walking up the tree from the application's
office (the office itself first). If that office holds several budget titles for them, the one
marked as default is used; without a default the commitment is refused, because choosing a
title is a budget decision that software must not guess.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from budgets.choices import FundingLevel
from budgets.models import (
    BudgetEnvelope,
    CoordinatingOffice,
    Fund,
    FundingProgramme,
    FundingShare,
    LedgerEntry,
)
from budgets.selectors import ZERO, Figures, envelope_figures, fund_released, reference_figures
from budgets.services._locking import lock_envelopes
from budgets.services._posting import LedgerKind, Posting, envelope_label, post_entries
from core.errors import DomainError
from core.formatting import format_date, format_eur
from core.prorata import split_pro_rata


def ancestor_paths(office: CoordinatingOffice) -> list[str]:
    """The office's path and its ancestors' paths, nearest first."""
    step = CoordinatingOffice.steplen
    return [office.path[:end] for end in range(len(office.path), 0, -step)]


def matching_envelopes(
    *, office: CoordinatingOffice, programme: FundingProgramme, years: list[int], fund: Fund | None = None
) -> dict[int, BudgetEnvelope]:
    """The envelope each budget year commits against (see the module docstring); one query.

    A micro-project commits against its fund's envelope and nothing else; everything else never
    matches a fund's envelope (a fund is money passed on, not the office's budget).
    """
    if fund is not None:
        return fund_envelope(fund, years)
    paths = ancestor_paths(office)
    candidates = list(
        BudgetEnvelope.objects.filter(
            office__path__in=paths,
            programme=programme,
            funding_source=programme.funding_level,
            budget_year__in=years,
            fund__isnull=True,
        ).select_related("office", "programme")
    )
    errors: list[str] = []
    chosen: dict[int, BudgetEnvelope] = {}
    for year in sorted(years):
        of_year = [e for e in candidates if e.budget_year == year]
        if not of_year:
            errors.append(
                _(
                    "Budget year %(year)s: there is no budget envelope for %(programme)s (%(source)s) "
                    "at %(office)s or any office above it."
                )
                % {
                    "year": year,
                    "programme": programme.name,
                    "source": programme.get_funding_level_display(),
                    "office": office.name,
                }
            )
            continue
        nearest = max(len(e.office.path) for e in of_year)
        at_office = [e for e in of_year if len(e.office.path) == nearest]
        if len(at_office) > 1:
            at_office = [e for e in at_office if e.is_default]
        if len(at_office) != 1:
            errors.append(
                _(
                    "Budget year %(year)s: %(office)s has several budget titles for %(programme)s and none "
                    "is marked as default; finance must mark one."
                )
                % {"year": year, "office": of_year[0].office.name, "programme": programme.name}
            )
            continue
        chosen[year] = at_office[0]
    if errors:
        raise DomainError(errors)
    return chosen


def fund_envelope(fund: Fund, years: list[int]) -> dict[int, BudgetEnvelope]:
    outside = sorted(set(years) - {fund.budget_year})
    if outside:
        raise DomainError(
            _(
                "The fund %(fund)s finances budget year %(year)s only; %(years)s cannot be committed against it."
            )
            % {"fund": fund.name, "year": fund.budget_year, "years": ", ".join(map(str, outside))}
        )
    return {fund.budget_year: fund.envelope} if years else {}


def shortfall(*, year: int, envelope: BudgetEnvelope, figures: Figures, amount: Decimal, day: date) -> str:
    """Why ``amount`` cannot be committed on ``envelope`` in ``year`` on ``day``; empty when it can.

    A fund's envelope has only the share of its volume that its cut-off dates have released.
    """
    available = figures.available
    if amount > available:
        return _(
            "Budget year %(year)s: envelope %(envelope)s has %(available)s available, but "
            "%(requested)s are requested (shortfall %(shortfall)s)."
        ) % {
            "year": year,
            "envelope": envelope_label(envelope),
            "available": format_eur(available),
            "requested": format_eur(amount),
            "shortfall": format_eur(amount - available),
        }
    fund = getattr(envelope, "fund", None)
    if fund is not None:
        released = fund_released(fund, figures, day)
        if amount > released - figures.committed:
            return _(
                "The fund %(fund)s has released %(released)s of its volume by %(day)s (cut-off dates); "
                "%(committed)s are committed, so %(requested)s cannot be granted now."
            ) % {
                "fund": fund.name,
                "released": format_eur(released),
                "day": format_date(day),
                "committed": format_eur(figures.committed),
                "requested": format_eur(amount),
            }
    return ""


def commit_instalments(
    *,
    office: CoordinatingOffice,
    programme: FundingProgramme,
    instalments: Mapping[int, Decimal],
    reference: str,
    by: Any,
    comment: str = "",
    fund: Fund | None = None,
) -> list[LedgerEntry]:
    """Commit a grant's annual instalments; all years fit, or nothing is written.

    Runs inside the caller's transaction (the approval), so a refusal here rolls the
    approval back as well.
    """
    wanted = {year: Decimal(amount) for year, amount in instalments.items() if amount}
    if any(amount < 0 for amount in wanted.values()):
        raise DomainError(_("An annual instalment must not be negative."))
    if not wanted:
        return []
    with transaction.atomic():
        chosen = matching_envelopes(office=office, programme=programme, years=list(wanted), fund=fund)
        locked = lock_envelopes(e.pk for e in chosen.values())
        figures = envelope_figures(locked)
        today = timezone.localdate()
        errors = []
        for year, amount in sorted(wanted.items()):
            envelope = chosen[year]
            problem = shortfall(
                year=year, envelope=envelope, figures=figures[envelope.pk], amount=amount, day=today
            )
            if problem:
                errors.append(problem)
        if errors:
            raise DomainError(errors)
        return post_entries(
            [
                Posting(chosen[year].pk, year, LedgerKind.COMMITMENT, amount)
                for year, amount in sorted(wanted.items())
            ],
            reference=reference,
            by=by,
            comment=comment,
        )


def decommit(
    *,
    reference: str,
    by: Any,
    amounts: Mapping[int, Decimal] | None = None,
    comment: str = "",
) -> list[LedgerEntry]:
    """Release committed money of a grant (revocation, amendment, settlement below the grant).

    ``amounts`` per budget year (positive numbers); None releases everything still committed.
    """
    with transaction.atomic():
        booked = _lock_reference(reference)
        committed_by_year: dict[int, Decimal] = {}
        for (_envelope_id, year), figures in booked.items():
            committed_by_year[year] = committed_by_year.get(year, ZERO) + figures.committed
        wanted = (
            {year: value for year, value in committed_by_year.items() if value > 0}
            if amounts is None
            else {year: Decimal(value) for year, value in amounts.items() if value}
        )
        errors = []
        for year, amount in sorted(wanted.items()):
            committed = committed_by_year.get(year, ZERO)
            if amount < 0 or amount > committed:
                errors.append(
                    _(
                        "Budget year %(year)s: %(committed)s are committed for %(reference)s; %(requested)s cannot be released."
                    )
                    % {
                        "year": year,
                        "committed": format_eur(committed),
                        "reference": reference,
                        "requested": format_eur(amount),
                    }
                )
        if errors:
            raise DomainError(errors)
        postings = []
        for year, amount in sorted(wanted.items()):
            remaining = amount
            for (envelope_id, entry_year), figures in sorted(booked.items()):
                if entry_year != year or remaining <= 0 or figures.committed <= 0:
                    continue
                part = min(remaining, figures.committed)
                postings.append(Posting(envelope_id, year, LedgerKind.DECOMMITMENT, -part))
                remaining -= part
        return post_entries(postings, reference=reference, by=by, comment=comment)


def _lock_reference(reference: str) -> dict[tuple[int, int], Figures]:
    booked = reference_figures(reference)
    if not booked:
        raise DomainError(_("Nothing is booked for %(reference)s.") % {"reference": reference})
    lock_envelopes(envelope_id for envelope_id, _year in booked)
    return reference_figures(reference)


# --- several funders (DOMAIN.md §8) ------------------------------------------------------------


@dataclass(frozen=True)
class MovementPart:
    """One funding source's part of a movement, and the envelope that carries it."""

    envelope_id: int
    funding_source: str
    amount: Decimal


def funding_shares(reference: str) -> dict[str, Decimal]:
    """The fixed shares of ``reference`` per funding source (source order); empty: no split."""
    return {
        share.funding_source: share.amount
        for share in FundingShare.objects.filter(reference=reference).order_by("funding_source")
    }


def source_label(source: str) -> str:
    return FundingLevel(source).label if source in FundingLevel.values else source


def movement_parts(*, reference: str, budget_year: int, amount: Decimal) -> list[MovementPart]:
    """How a movement of ``amount`` for ``reference`` in ``budget_year`` splits across sources.

    Read-only; every posting of a grant (payments, settlement, reclaims, repayments, interest,
    partial releases) books exactly these parts, and a caller may ask before booking (a payment
    file groups a payment by the envelopes that pay it). With funding shares the amount is split
    with ``split_pro_rata`` in their ratio and each source's part goes to the envelope that holds
    that source's commitment in ``budget_year`` (the largest, if several); parts of 0.00 are left
    out. Without shares the whole amount goes to the envelope with the year's largest commitment.
    A negative amount (money returned, a correction) splits as its absolute value, negated.
    Parts are in source order and always add up to ``amount``.
    """
    amount = Decimal(amount)
    booked = {
        envelope_id: figures
        for (envelope_id, year), figures in reference_figures(reference).items()
        if year == budget_year
    }
    if not booked:
        raise DomainError(
            _("Budget year %(year)s: nothing is committed for %(reference)s.")
            % {"year": budget_year, "reference": reference}
        )
    sources = dict(
        BudgetEnvelope.objects.filter(pk__in=booked).values_list("pk", "funding_source").order_by("pk")
    )
    # Per source the envelope with the largest commitment of the year (lowest pk on a tie).
    holder: dict[str, int] = {}
    for envelope_id in sorted(booked, key=lambda pk: (-booked[pk].committed, pk)):
        holder.setdefault(sources[envelope_id], envelope_id)
    shares = funding_shares(reference)
    if not shares:
        envelope_id = min(booked, key=lambda pk: (-booked[pk].committed, pk))
        return [MovementPart(envelope_id, sources[envelope_id], amount)] if amount else []
    missing = [source for source, share in shares.items() if share > 0 and source not in holder]
    if missing:
        raise DomainError(
            [
                _("Budget year %(year)s: nothing is committed from %(source)s for %(reference)s.")
                % {"year": budget_year, "source": source_label(source), "reference": reference}
                for source in missing
            ]
        )
    sign = -1 if amount < 0 else 1
    split = split_pro_rata(abs(amount), shares)
    return [MovementPart(holder[source], source, sign * part) for source, part in split.items() if part]


def _post_against_commitment(
    kind: str, *, reference: str, budget_year: int, amount: Decimal, by: Any, comment: str, limit: str | None
) -> LedgerEntry:
    """Book ``amount`` on the envelope that holds the grant's commitment for ``budget_year``.

    ``limit`` names a check: "open" (disbursements stay within committed − disbursed) or
    "reclaimed" (repayments stay within what was reclaimed); None books without a limit.
    """
    amount = Decimal(amount)
    if not amount:
        raise DomainError(_("The amount must not be zero."))
    with transaction.atomic():
        booked = {key: f for key, f in _lock_reference(reference).items() if key[1] == budget_year}
        if not booked:
            raise DomainError(
                _("Budget year %(year)s: nothing is committed for %(reference)s.")
                % {"year": budget_year, "reference": reference}
            )
        total = sum(booked.values(), Figures())
        headroom = {"open": total.open, "reclaimed": total.reclaimed - total.repaid}.get(limit or "")
        if headroom is not None and amount > headroom:
            message = {
                "open": _(
                    "Budget year %(year)s: %(requested)s exceed the open commitment of %(headroom)s for %(reference)s."
                ),
                "reclaimed": _(
                    "Budget year %(year)s: %(requested)s exceed the outstanding reclaim of %(headroom)s for %(reference)s."
                ),
            }[limit or ""]
            raise DomainError(
                message
                % {
                    "year": budget_year,
                    "requested": format_eur(amount),
                    "headroom": format_eur(headroom),
                    "reference": reference,
                }
            )
        # The envelope with the largest commitment of that year carries the booking.
        envelope_id = max(booked, key=lambda key: (booked[key].committed, -key[0]))[0]
        (entry,) = post_entries(
            [Posting(envelope_id, budget_year, kind, amount)], reference=reference, by=by, comment=comment
        )
        return entry


def post_disbursement(
    *, reference: str, budget_year: int, amount: Decimal, by: Any, comment: str = ""
) -> LedgerEntry:
    """Money paid out (Auszahlung); a negative amount books money returned by the bank."""
    return _post_against_commitment(
        LedgerKind.DISBURSEMENT,
        reference=reference,
        budget_year=budget_year,
        amount=amount,
        by=by,
        comment=comment,
        limit="open",
    )


def post_proven(
    *, reference: str, budget_year: int, amount: Decimal, by: Any, comment: str = ""
) -> LedgerEntry:
    """Expenditure recognised in a settled proof of use."""
    return _post_against_commitment(
        LedgerKind.PROVEN,
        reference=reference,
        budget_year=budget_year,
        amount=amount,
        by=by,
        comment=comment,
        limit=None,
    )


def post_reclaim(
    *, reference: str, budget_year: int, amount: Decimal, by: Any, comment: str = ""
) -> LedgerEntry:
    """An amount claimed back by decision (Rückforderung)."""
    return _post_against_commitment(
        LedgerKind.RECLAIM,
        reference=reference,
        budget_year=budget_year,
        amount=amount,
        by=by,
        comment=comment,
        limit=None,
    )


def post_repayment(
    *, reference: str, budget_year: int, amount: Decimal, by: Any, comment: str = ""
) -> LedgerEntry:
    """A repayment received against a reclaim."""
    return _post_against_commitment(
        LedgerKind.REPAYMENT,
        reference=reference,
        budget_year=budget_year,
        amount=amount,
        by=by,
        comment=comment,
        limit="reclaimed",
    )
