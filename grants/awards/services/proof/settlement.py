"""Settlement of the final proof of use (DOMAIN.md §3.7, §4.1, §4.2) and its ledger entries.

Figures: the planned figures come from the proof's plan version (Ap = its expenditure lines,
Ep = own-funds cover, Dp = third-party funds and income), the actual ones from the statement
(Da = third-party funds plus income), eligible expenditure A = recognised expenditure with the
grant's overrun tolerance, H = the grant's maximum amount, paid = Σ paid drawdowns. A line of
money passed on to last recipients (a first recipient's grant, DOMAIN.md §7) counts as actual
what the last recipients' settled proofs recognise, not what the statement shows, and the
settlement waits until every micro-project of its funds is settled (see ``passed_on``).

Ledger (budget side, DOMAIN.md §4.5), all in the acceptance's transaction:

- **proven** = the final grant, i.e. the grant's share of the recognised expenditure (the
  envelope holds grant money only). It is spread over budget years in proportion to the
  recognised expenditure of the plan lines of each year (the year of the plan line, since
  that is when the money was meant to be spent); a year without a commitment of the grant
  gives its part to the nearest committed year (the earlier one on a tie). Cents left over by
  the split go to the latest year.
- **decommitment** of what is no longer needed: committed − final grant, latest years first;
  first only what is still open in a year (committed − disbursed), so no year ends up paid
  beyond its commitment while another still has room; then, if more must go (more was paid
  than the final grant), the rest latest years first.
- **reclaim** (paid > final): decided through ``reclaim_decide`` (kind ``settlement``), which
  books it and moves the grant to ``reclaim``.
- **last payment** (paid < final): a drawdown in state *certified* per budget year with money
  still open (normally one), requested by the carrier person who submitted the final proof
  (the proof is the request for the balance) and certified by the settling case officer
  through the model's transition; finance orders and books it like any drawdown (four eyes).
"""

from __future__ import annotations

import decimal
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Sum
from django.utils.translation import gettext as _

from accounts.models import User
from budgets.choices import CostCategory
from budgets.selectors import reference_figures
from budgets.services.commitments import decommit, post_proven
from core.errors import DomainError
from core.formatting import format_date, format_eur
from grants import calculations
from grants.applications.models.plan import PlanLineSide
from grants.awards.models import ProofOfUse, ReclaimKind, Settlement
from grants.awards.payments.models import OPEN_DRAWDOWN_STATES, Drawdown, DrawdownState
from grants.awards.services.proof._common import OWN_KINDS, THIRD_KINDS, plan_line_numbers
from grants.awards.services.proof.eligibility import before_start_by_line, before_start_note
from grants.awards.services.proof.flat_rate import apply_flat_rates, flat_rate_line_ids, flat_rate_note
from grants.awards.services.proof.in_depth import not_admitted_by_line
from grants.awards.services.proof.passed_on import (
    is_passed_on,
    passed_on_actuals,
    passed_on_note,
    passed_on_recognised,
    unsettled_measures,
    unsettled_problem,
)

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
HUNDRED = Decimal(100)
# The figures a settlement stores (the columns of ``Settlement``), in the order they are computed.
FIGURES = (
    "planned_expenditure",
    "actual_expenditure",
    "recognised_expenditure",
    "planned_own",
    "planned_third",
    "actual_own",
    "actual_third",
    "granted",
    "final_grant",
    "paid",
    "reclaim_amount",
    "last_payment",
)


def _c(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class SettlementLine:
    """One expenditure line of the settlement: planned, actual, cap, recognised (rounded to cents)."""

    plan_line: int | None
    number: str
    category: str
    text: str
    budget_year: int | None
    planned: Decimal
    actual: Decimal
    cap: Decimal
    recognised: Decimal
    capped: bool
    # Money passed on: what the statement showed, replaced in ``actual`` by what the last
    # recipients' settled proofs recognise (see ``passed_on``); None on every other line.
    stated: Decimal | None = None
    # In-depth check (DOMAIN.md §9): what was not admitted of the line's receipts, already taken
    # off ``actual``; None on a line without such a deduction. ``flat_rate``: recognised up to
    # ``cap`` = the flat-rate share of the recognised direct costs, without receipts.
    not_admitted: Decimal | None = None
    flat_rate: bool = False
    # Early start (DOMAIN.md §9): receipts dated before the eligible start, taken off ``actual``.
    before_start: Decimal | None = None

    @property
    def is_passed_on(self) -> bool:
        return self.stated is not None

    @property
    def category_label(self) -> str:
        return str(dict(CostCategory.choices).get(self.category, self.category))

    def as_json(self) -> dict[str, Any]:
        """As stored in ``Settlement.lines`` (amounts as strings, so the JSON keeps every cent)."""
        stated: dict[str, Any] = {} if self.stated is None else {"stated": str(self.stated)}
        if self.not_admitted is not None:
            stated["not_admitted"] = str(self.not_admitted)
        if self.flat_rate:
            stated["flat_rate"] = True
        if self.before_start is not None:
            stated["before_start"] = str(self.before_start)
        return stated | {
            "plan_line": self.plan_line,
            "number": self.number,
            "category": self.category,
            "text": self.text,
            "budget_year": self.budget_year,
            "planned": str(self.planned),
            "actual": str(self.actual),
            "cap": str(self.cap),
            "recognised": str(self.recognised),
            "capped": self.capped,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SettlementLine:
        return cls(
            plan_line=data.get("plan_line"),
            number=data.get("number", ""),
            category=data.get("category", ""),
            text=data.get("text", ""),
            budget_year=data.get("budget_year"),
            planned=Decimal(data["planned"]),
            actual=Decimal(data["actual"]),
            cap=Decimal(data["cap"]),
            recognised=Decimal(data["recognised"]),
            capped=bool(data.get("capped")),
            stated=Decimal(data["stated"]) if data.get("stated") is not None else None,
            not_admitted=Decimal(data["not_admitted"]) if data.get("not_admitted") is not None else None,
            flat_rate=bool(data.get("flat_rate")),
            before_start=Decimal(data["before_start"]) if data.get("before_start") is not None else None,
        )


@dataclass(frozen=True)
class SettlementResult:
    """Every figure of a settlement: previewed before the final proof is accepted
    (:func:`settlement_preview`), or read back from the stored row (:func:`settlement_result`).

    ``problems``: what keeps the preview from being booked now (empty when it can be).
    """

    planned_expenditure: Decimal
    actual_expenditure: Decimal
    recognised_expenditure: Decimal
    planned_own: Decimal
    planned_third: Decimal
    actual_own: Decimal
    actual_third: Decimal
    granted: Decimal
    final_grant: Decimal
    paid: Decimal
    reclaim_amount: Decimal
    last_payment: Decimal
    lines: list[SettlementLine]
    tolerance: Decimal
    recognised_by_year: dict[int, Decimal] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    flat_rate_percent: Decimal = ZERO

    def figures(self) -> dict[str, Decimal]:
        return {name: getattr(self, name) for name in FIGURES}

    @property
    def sum_recognised(self) -> Decimal:
        return sum((line.recognised for line in self.lines), ZERO)

    @property
    def capped_count(self) -> int:
        return sum(1 for line in self.lines if line.capped)

    @property
    def tolerance_percent(self) -> Decimal:
        return self.tolerance * HUNDRED

    @property
    def notes(self) -> list[str]:
        """Sentences explaining a rule the figures follow (money passed on, DOMAIN.md §7)."""
        notes = []
        passed_on = [line for line in self.lines if line.stated is not None]
        if passed_on:
            stated = sum((line.stated or ZERO for line in passed_on), ZERO)
            notes.append(passed_on_note(stated, sum((line.actual for line in passed_on), ZERO)))
        notes.extend(_review_notes(self))
        notes.extend(_early_start_notes(self))
        return notes


def _early_start_notes(result: SettlementResult) -> list[str]:
    before = sum((line.before_start or ZERO for line in result.lines), ZERO)
    return [before_start_note(before)] if before else []


def _review_notes(result: SettlementResult) -> list[str]:
    """Sentences for an in-depth check's deductions and flat-rate lines (DOMAIN.md §9)."""
    notes = []
    not_admitted = sum((line.not_admitted or ZERO for line in result.lines), ZERO)
    if not_admitted:
        notes.append(
            _(
                "The in-depth check did not admit %(amount)s of the receipts; the actual amounts are reduced by it."
            )
            % {"amount": format_eur(not_admitted)}
        )
    flat = [line for line in result.lines if line.flat_rate]
    if flat and result.flat_rate_percent:
        notes.append(flat_rate_note(result.flat_rate_percent, flat[0].cap))
    return notes


def _paid(proof: ProofOfUse) -> Decimal:
    total = proof.grant.drawdowns.filter(state=DrawdownState.PAID).aggregate(total=Sum("amount"))["total"]
    return total or ZERO


def _compute(proof: ProofOfUse) -> SettlementResult:
    """Every figure of the settlement, computed with ``grants.calculations`` (no writes)."""
    grant = proof.grant
    plan_lines = list(proof.plan.lines.all())
    numbers = plan_line_numbers(plan_lines)
    statement = list(proof.lines.all())
    actual_by_line = {s.plan_line_id: s.actual for s in statement if s.plan_line_id}
    # Money passed on counts as spent only as far as the last recipients' proofs recognise it.
    passed_on_lines = [line for line in plan_lines if is_passed_on(line)]
    passed_on = passed_on_actuals(passed_on_lines, passed_on_recognised(grant)) if passed_on_lines else {}
    # In-depth check: receipts not (fully) admitted come off the stated actual amount.
    not_admitted = not_admitted_by_line(proof)
    flat_lines = flat_rate_line_ids(plan_lines, grant)
    before_start = before_start_by_line(proof)
    planned: dict[str, Decimal] = {}
    actual: dict[str, Decimal] = {}
    meta: dict[str, dict[str, Any]] = {}
    for line in plan_lines:
        if line.side != PlanLineSide.EXPENDITURE:
            continue
        key = str(line.pk)
        planned[key] = line.amount
        actual[key] = passed_on.get(line.pk, actual_by_line.get(line.pk, ZERO))
        if line.pk in not_admitted:
            actual[key] = max(ZERO, actual[key] - not_admitted[line.pk])
        if line.pk in before_start:
            actual[key] = max(ZERO, actual[key] - before_start[line.pk])
        meta[key] = {
            "plan_line": line.pk,
            "number": numbers[line.pk],
            "category": line.category,
            "text": line.text,
            "budget_year": line.budget_year,
            "stated": actual_by_line.get(line.pk, ZERO) if line.pk in passed_on else None,
            "not_admitted": _c(not_admitted[line.pk]) if line.pk in not_admitted else None,
            "flat_rate": line.pk in flat_lines,
            "before_start": _c(before_start[line.pk]) if line.pk in before_start else None,
        }
    unplanned = (s for s in statement if s.side == PlanLineSide.EXPENDITURE and not s.plan_line_id)
    for i, s in enumerate(unplanned):
        key = f"unplanned-{i}"
        actual[key] = s.actual
        meta[key] = {
            "plan_line": None,
            "number": "",
            "category": s.category,
            "text": s.text,
            "budget_year": None,
            "stated": None,
            "not_admitted": None,
            "flat_rate": False,
            "before_start": None,
        }
    tolerance = grant.overrun_tolerance
    recognised = calculations.recognised_lines(planned, actual, tolerance=tolerance)
    a = calculations.recognised_expenditure(planned, actual, tolerance=tolerance)
    flat_keys = {key for key, m in meta.items() if m["flat_rate"]}
    flat_caps: dict[str, Decimal] = {}
    if flat_keys:
        recognised, flat_caps = apply_flat_rates(recognised, actual, flat_keys, grant.flat_rate_percent)
        a = _c(min(sum(recognised.values(), ZERO), sum(planned.values(), ZERO)))
    lines: list[SettlementLine] = []
    by_year: dict[int, Decimal] = {}
    for key, value in recognised.items():
        plan = planned.get(key, ZERO)
        with decimal.localcontext(prec=50):
            cap = flat_caps.get(key, plan * (1 + tolerance))
        lines.append(
            SettlementLine(
                **meta[key],
                planned=_c(plan),
                actual=_c(actual[key]),
                cap=_c(cap),
                recognised=_c(value),
                capped=actual[key] > cap,
            )
        )
        year = meta[key]["budget_year"]
        if year is not None:
            by_year[year] = by_year.get(year, ZERO) + value

    cover = [line for line in plan_lines if line.side == PlanLineSide.COVER]
    figures: dict[str, Any] = {
        "planned_expenditure": sum(planned.values(), ZERO),
        "actual_expenditure": sum(actual.values(), ZERO),
        "recognised_expenditure": a,
        "planned_own": sum((c.amount for c in cover if c.cover_kind in OWN_KINDS), ZERO),
        "planned_third": sum((c.amount for c in cover if c.cover_kind in THIRD_KINDS), ZERO),
        "actual_own": sum((s.actual for s in statement if s.cover_kind in OWN_KINDS), ZERO),
        "actual_third": sum((s.actual for s in statement if s.cover_kind in THIRD_KINDS), ZERO),
        "granted": grant.granted_amount,
    }
    try:
        final = calculations.final_grant(
            grant.financing_type,
            granted=figures["granted"],
            planned_expenditure=figures["planned_expenditure"],
            planned_own=figures["planned_own"],
            planned_third=figures["planned_third"],
            eligible_expenditure=a,
            actual_own=figures["actual_own"],
            actual_third=figures["actual_third"],
        )
    except ValueError as exc:
        raise DomainError(
            _("The final grant cannot be computed from this plan: %(error)s") % {"error": exc}
        ) from exc
    paid = _paid(proof)
    reclaim, last_payment = calculations.settlement(paid, final)
    return SettlementResult(
        **figures,
        final_grant=final,
        paid=paid,
        reclaim_amount=reclaim,
        last_payment=last_payment,
        lines=lines,
        tolerance=tolerance,
        recognised_by_year=by_year,
        flat_rate_percent=grant.flat_rate_percent if flat_keys else ZERO,
    )


def _problems(proof: ProofOfUse, result: SettlementResult) -> list[str]:
    """What keeps the settlement from being booked now."""
    grant = proof.grant
    problems = []
    pending = grant.drawdowns.filter(state__in=OPEN_DRAWDOWN_STATES).exclude(state=DrawdownState.PAID).count()
    if pending:
        problems.append(
            _(
                "%(count)s drawdown(s) of this grant are requested, certified or ordered but not paid; they must be paid or rejected before the grant can be settled."
            )
            % {"count": pending}
        )
    unsettled = unsettled_measures(grant)
    if unsettled:
        problems.append(unsettled_problem(unsettled))
    if result.last_payment > 0:
        still_open = sum(_open_by_year(grant.file_number).values(), ZERO)
        if still_open < result.last_payment:
            problems.append(
                _("The last payment of %(amount)s exceeds what is still committed for the grant (%(open)s).")
                % {"amount": format_eur(result.last_payment), "open": format_eur(still_open)}
            )
    return problems


def settlement_preview(proof: ProofOfUse) -> SettlementResult:
    """The settlement that accepting the final ``proof`` now would book, with what keeps it from
    being booked (``problems``). :func:`proof_accept` calls this very function before it writes,
    so what the page shows and what is written cannot disagree. No writes."""
    result = _compute(proof)
    problems = _problems(proof, result)
    return SettlementResult(**{**result.__dict__, "problems": problems})


def settlement_result(settlement: Settlement) -> SettlementResult:
    """The stored settlement in the shape of its preview (for the settlement page)."""
    lines = [SettlementLine.from_json(line) for line in settlement.lines]
    return SettlementResult(
        **{name: getattr(settlement, name) for name in FIGURES},
        lines=lines,
        tolerance=settlement.grant.overrun_tolerance,
        flat_rate_percent=settlement.grant.flat_rate_percent if any(x.flat_rate for x in lines) else ZERO,
    )


def spread(amount: Decimal, weights: dict[int, Decimal], allowed: set[int]) -> dict[int, Decimal]:
    """``amount`` split over years by ``weights``; weights of years not ``allowed`` move to the
    nearest allowed year (the earlier on a tie); left-over cents go to the latest year."""
    if amount <= 0 or not allowed:
        return {}
    moved: dict[int, Decimal] = {}
    for year, weight in weights.items():
        target = min(allowed, key=lambda y: (abs(y - year), y))
        moved[target] = moved.get(target, ZERO) + weight
    total = sum(moved.values(), ZERO)
    if total <= 0:
        moved, total = {max(allowed): Decimal(1)}, Decimal(1)
    with decimal.localcontext(prec=50):
        parts = {
            year: (amount * weight / total).quantize(CENT, rounding=decimal.ROUND_DOWN)
            for year, weight in moved.items()
        }
    latest = max(parts)
    parts[latest] += amount - sum(parts.values(), ZERO)
    return {year: part for year, part in parts.items() if part}


def _year_figures(reference: str) -> dict[int, tuple[Decimal, Decimal]]:
    """(committed, disbursed) per budget year of the grant's ledger reference."""
    result: dict[int, tuple[Decimal, Decimal]] = {}
    for (_envelope, year), f in reference_figures(reference).items():
        committed, disbursed = result.get(year, (ZERO, ZERO))
        result[year] = (committed + f.committed, disbursed + f.disbursed)
    return result


def releases(to_release: Decimal, years: dict[int, tuple[Decimal, Decimal]]) -> dict[int, Decimal]:
    """What to decommit per year (see the module docstring: open money first, latest years first)."""
    out: dict[int, Decimal] = {}
    remaining = to_release
    for only_open in (True, False):
        for year in sorted(years, reverse=True):
            committed, disbursed = years[year]
            room = committed - out.get(year, ZERO)
            if only_open:
                room = min(room, committed - disbursed)
            part = min(remaining, max(ZERO, room))
            if part > 0:
                out[year] = out.get(year, ZERO) + part
                remaining -= part
    return out


def settle(*, proof: ProofOfUse, by: User, decided_on: date, preview: SettlementResult) -> Settlement:
    """Store and book the settlement ``preview`` computed under the same locks.

    The caller (:func:`proof_accept`) holds the grant's and the proof's locks and the
    transaction, and has refused a preview with problems.
    """
    grant = proof.grant
    f = preview.figures()
    settlement = Settlement.objects.create(
        proof=proof, grant=grant, lines=[line.as_json() for line in preview.lines], computed_by=by, **f
    )
    reference = grant.file_number
    comment = _("Settlement of the final proof of use on %(date)s") % {"date": format_date(decided_on)}
    years = _year_figures(reference)
    committed_years = {year for year, (committed, _d) in years.items() if committed > 0}
    for year, amount in sorted(spread(f["final_grant"], preview.recognised_by_year, committed_years).items()):
        post_proven(reference=reference, budget_year=year, amount=amount, by=by, comment=comment)
    to_release = sum((c for c, _d in years.values()), ZERO) - f["final_grant"]
    if to_release > 0:
        decommit(reference=reference, by=by, amounts=releases(to_release, years), comment=comment)

    grant.settle(by=by, description=comment)
    grant.save_changes()
    if f["reclaim_amount"] > 0:
        from grants.awards.services.reclaim import reclaim_decide

        reclaim_decide(
            grant=grant,
            kind=ReclaimKind.SETTLEMENT,
            principal=f["reclaim_amount"],
            reasons=_(
                "Settlement of the final proof of use: the final grant is %(final)s, but %(paid)s were paid out."
            )
            % {"final": format_eur(f["final_grant"]), "paid": format_eur(f["paid"])},
            by=by,
            decided_on=decided_on,
        )
        grant.refresh_from_db(fields=["state"])
    elif f["last_payment"] > 0:
        _last_payment(proof, by=by, decided_on=decided_on, amount=f["last_payment"], comment=comment)
    else:
        grant.close(by=by, description=_("Settled without reclaim or last payment"))
        grant.save_changes()
    return settlement


def _open_by_year(reference: str) -> dict[int, Decimal]:
    """Committed but not yet disbursed, per budget year (only years with money open)."""
    return {y: c - d for y, (c, d) in _year_figures(reference).items() if c - d > 0}


def _last_payment(
    proof: ProofOfUse, *, by: User, decided_on: date, amount: Decimal, comment: str
) -> list[Drawdown]:
    grant = proof.grant
    open_by_year = _open_by_year(grant.file_number)
    drawdowns, remaining = [], amount
    for year in sorted(open_by_year, reverse=True):
        part = min(remaining, open_by_year[year])
        if part <= 0:
            continue
        remaining -= part
        drawdown = Drawdown.objects.create(
            grant=grant,
            budget_year=year,
            amount=part,
            needed_on=decided_on,
            purpose=_("Last payment after the settlement of the final proof of use")[:300],
            requested_by=proof.submitted_by,
            requested_at=proof.submitted_at,
        )
        drawdown.certify(by=by, description=comment)
        drawdown.save_changes()
        drawdowns.append(drawdown)
    return drawdowns
