"""Commitments of grants against envelopes, and the bookings that follow them.

Matching rule (documented in the dashboard help as well): the funding source is the
programme's funding level, or, for a grant financed by several funders (DOMAIN.md §8), each
source of its shares (``FundingShare``) in turn. For each budget year and source the envelope
is taken from the nearest office that has one for the programme, year and source, walking up
the tree from the application's office (the office itself first). If that office holds several budget titles for them, the one
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
    *,
    office: CoordinatingOffice,
    programme: FundingProgramme,
    years: list[int],
    fund: Fund | None = None,
    source: str | None = None,
) -> dict[int, BudgetEnvelope]:
    """The envelope each budget year commits against (see the module docstring); one query.

    ``source`` is the funding source (default: the programme's funding level); a grant financed
    by several sources asks once per source. A micro-project commits against its fund's envelope
    and nothing else; everything else never matches a fund's envelope (a fund is money passed on,
    not the office's budget).
    """
    if fund is not None:
        return fund_envelope(fund, years)
    source = source or programme.funding_level
    paths = ancestor_paths(office)
    candidates = list(
        BudgetEnvelope.objects.filter(
            office__path__in=paths,
            programme=programme,
            funding_source=source,
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
                    "source": source_label(source),
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


def share_problems(shares: Mapping[str, Decimal], *, total: Decimal) -> list[str]:
    """Why ``shares`` (amount per funding source) cannot finance a plan of ``total``; empty if fine.

    The one check of a financing split: the planning form and the commitment both ask it.
    """
    problems = []
    for source, amount in shares.items():
        if source not in FundingLevel.values:
            problems.append(_("%(source)s is not a funding source.") % {"source": source})
        elif Decimal(amount) < 0 or Decimal(amount) != Decimal(amount).quantize(Decimal("0.01")):
            problems.append(
                _("The share of %(source)s must be zero or more, in whole cents.")
                % {"source": source_label(source)}
            )
    if problems:
        return problems
    summed = sum((Decimal(amount) for amount in shares.values()), ZERO)
    if summed != total:
        problems.append(
            _(
                "The shares of the funding sources add up to %(sum)s, but the financing plan totals "
                "%(total)s (difference %(difference)s)."
            )
            % {
                "sum": format_eur(summed),
                "total": format_eur(total),
                "difference": format_eur(total - summed),
            }
        )
    return problems


def commit_instalments(
    *,
    office: CoordinatingOffice,
    programme: FundingProgramme,
    instalments: Mapping[int, Decimal],
    reference: str,
    by: Any,
    comment: str = "",
    fund: Fund | None = None,
    shares: Mapping[str, Decimal] | None = None,
) -> list[LedgerEntry]:
    """Commit a grant's annual instalments; all years fit, or nothing is written.

    ``shares`` (amount per funding source, adding up to the instalments) splits the grant across
    several funders (DOMAIN.md §8) and is recorded for ``reference`` with the first commitment;
    later commitments (an amendment's increase) split in the recorded shares. Each year's
    instalment is split with ``split_pro_rata`` and each source's part is committed against that
    source's envelope (found as in the module docstring); every missing envelope and every
    shortfall (source and year named) is reported at once. Without shares the programme's funding
    level carries the whole instalment, as before.

    Runs inside the caller's transaction (the approval), so a refusal here rolls the
    approval back as well.
    """
    wanted = {year: Decimal(amount) for year, amount in instalments.items() if amount}
    if any(amount < 0 for amount in wanted.values()):
        raise DomainError(_("An annual instalment must not be negative."))
    with transaction.atomic():
        recorded = funding_shares(reference)
        plan = dict(recorded)
        if shares and not recorded:
            if fund is not None:
                raise DomainError(
                    _("A micro-project is financed by its fund alone; it cannot be split across sources.")
                )
            problems = share_problems(shares, total=sum(wanted.values(), ZERO))
            if problems:
                raise DomainError(problems)
            plan = {source: Decimal(shares[source]) for source in sorted(shares)}
        if not wanted:
            return []
        lines = commitment_lines(
            office=office, programme=programme, instalments=wanted, fund=fund, shares=plan, lock=True
        )
        errors = [line.problem for line in lines if line.problem]
        if errors:
            raise DomainError(list(dict.fromkeys(errors)))
        if plan and not recorded:
            FundingShare.objects.bulk_create(
                FundingShare(reference=reference, funding_source=source, amount=amount)
                for source, amount in plan.items()
            )
        return post_entries(
            [
                Posting(line.envelope.pk, line.year, LedgerKind.COMMITMENT, line.amount)
                for line in lines
                if line.envelope is not None
            ],
            reference=reference,
            by=by,
            comment=comment,
        )


@dataclass(frozen=True)
class CommitmentLine:
    """One source's part of one year's instalment: its envelope, what that has left, and why
    it cannot be committed (empty when it can)."""

    year: int
    funding_source: str
    amount: Decimal
    envelope: BudgetEnvelope | None
    available: Decimal | None
    problem: str = ""


def commitment_lines(
    *,
    office: CoordinatingOffice,
    programme: FundingProgramme,
    instalments: Mapping[int, Decimal],
    fund: Fund | None = None,
    shares: Mapping[str, Decimal] | None = None,
    lock: bool = False,
) -> list[CommitmentLine]:
    """What committing ``instalments`` would book, per year and source, against what is available.

    The one plan of a commitment: ``commit_instalments`` books these lines (with ``lock``, under
    the envelope locks), and the proposal and approval pages show them. Each year's instalment
    is split across ``shares`` with ``split_pro_rata`` (without shares: the programme's funding
    level, or the fund, carries it); a source without an envelope or without enough available
    money in a year gets the sentence that refuses it.
    """
    wanted = {year: Decimal(amount) for year, amount in sorted(instalments.items()) if amount}
    parts = _instalment_parts(wanted, shares or {}, default=programme.funding_level if fund is None else "")
    problems: dict[tuple[int, str], str] = {}
    chosen: dict[tuple[int, str], BudgetEnvelope] = {}
    for source in dict.fromkeys(source for _year, source in parts):
        for year in sorted(year for year, of in parts if of == source):
            try:
                found = matching_envelopes(
                    office=office, programme=programme, years=[year], fund=fund, source=source or None
                )
            except DomainError as refused:
                problems[(year, source)] = " ".join(refused.messages)
                continue
            chosen[(year, source)] = found[year]
    ids = [e.pk for e in chosen.values()]
    figures = envelope_figures(lock_envelopes(ids) if lock else ids)
    today = timezone.localdate()
    lines = []
    for (year, source), amount in sorted(parts.items()):
        envelope = chosen.get((year, source))
        problem = problems.get((year, source), "")
        if envelope is not None and not problem:
            problem = shortfall(
                year=year, envelope=envelope, figures=figures[envelope.pk], amount=amount, day=today
            )
        available = figures[envelope.pk].available if envelope is not None else None
        lines.append(
            CommitmentLine(year, source or envelope_source(envelope), amount, envelope, available, problem)
        )
    return lines


def envelope_source(envelope: BudgetEnvelope | None) -> str:
    return envelope.funding_source if envelope is not None else ""


def _instalment_parts(
    wanted: Mapping[int, Decimal], plan: Mapping[str, Decimal], *, default: str
) -> dict[tuple[int, str], Decimal]:
    """Each year's instalment per source (parts of 0.00 left out); one part of ``default`` without a plan."""
    if not plan:
        return {(year, default): amount for year, amount in sorted(wanted.items())}
    return {
        (year, source): part
        for year, amount in sorted(wanted.items())
        for source, part in split_pro_rata(amount, plan).items()
        if part
    }


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
            of_year = {pk: f.committed for (pk, entry_year), f in booked.items() if entry_year == year}
            if amount == committed_by_year[year]:
                # The whole year is released: each envelope exactly what it still holds.
                parts = {pk: committed for pk, committed in of_year.items() if committed > 0}
            else:
                parts = {
                    p.envelope_id: -p.amount
                    for p in movement_parts(reference=reference, budget_year=year, amount=-amount)
                }
                errors += [
                    _(
                        "Budget year %(year)s: %(envelope)s holds %(committed)s for %(reference)s; its share "
                        "%(part)s of the release cannot be released."
                    )
                    % {
                        "year": year,
                        "envelope": envelope_label(
                            BudgetEnvelope.objects.select_related("office", "programme").get(pk=pk)
                        ),
                        "committed": format_eur(of_year.get(pk, ZERO)),
                        "reference": reference,
                        "part": format_eur(part),
                    }
                    for pk, part in parts.items()
                    if part > of_year.get(pk, ZERO)
                ]
            postings += [
                Posting(pk, year, LedgerKind.DECOMMITMENT, -part) for pk, part in sorted(parts.items())
            ]
        if errors:
            raise DomainError(errors)
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


def funding_shares_replace(*, reference: str, shares: Mapping[str, Decimal]) -> None:
    """Record the planned split of ``reference`` (an application's proposal); empty: no split.

    Checked by the caller with :func:`share_problems`. Once anything is booked for the
    reference its shares are fixed: every movement so far was split in them.
    """
    if LedgerEntry.objects.filter(reference=reference).exists():
        raise DomainError(
            _("The funding shares of %(reference)s are fixed: money is already committed.")
            % {"reference": reference}
        )
    FundingShare.objects.filter(reference=reference).delete()
    FundingShare.objects.bulk_create(
        FundingShare(reference=reference, funding_source=source, amount=Decimal(amount))
        for source, amount in sorted(shares.items())
        if amount
    )


def source_label(source: str) -> str:
    return str(FundingLevel(source).label) if source in FundingLevel.values else source


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
) -> list[LedgerEntry]:
    """Book ``amount`` on the envelopes that hold the grant's commitment for ``budget_year``.

    The amount is split across the grant's funding sources (:func:`movement_parts`): one entry
    per source, the parts adding up to ``amount``. ``limit`` names a check on the grant's year:
    "open" (disbursements stay within committed − disbursed) or "reclaimed" (repayments stay
    within what was reclaimed); None books without a limit.
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
        parts = movement_parts(reference=reference, budget_year=budget_year, amount=amount)
        return post_entries(
            [Posting(part.envelope_id, budget_year, kind, part.amount) for part in parts],
            reference=reference,
            by=by,
            comment=comment,
        )


def post_disbursement(
    *, reference: str, budget_year: int, amount: Decimal, by: Any, comment: str = ""
) -> list[LedgerEntry]:
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
) -> list[LedgerEntry]:
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
) -> list[LedgerEntry]:
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
) -> list[LedgerEntry]:
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


def post_interest(
    *, reference: str, budget_year: int, amount: Decimal, by: Any, comment: str = ""
) -> list[LedgerEntry]:
    """Interest received on a reclaim, recorded per source (see ``LedgerKind.INTEREST``)."""
    return _post_against_commitment(
        LedgerKind.INTEREST,
        reference=reference,
        budget_year=budget_year,
        amount=amount,
        by=by,
        comment=comment,
        limit=None,
    )
