"""The rules an amendment must meet, and whether it is needed at all (DOMAIN.md §2, §3.9, §4.1).

Every broken rule is one sentence that names the numbers; the programme rules reuse the
application checks of ``grants.applications.validation`` so that an amended plan meets the same rules as
the approved one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from budgets.choices import CostCategory
from core.errors import DomainError
from core.formatting import format_date, format_eur, format_percent
from grants.applications.models.plan import CoverKind
from grants.applications.validation import check_money, check_period, plan_totals
from grants.awards.models import Amendment, AmendmentLine, Grant, PlanVersion
from grants.awards.payments.models import PENDING_DRAWDOWN_STATES, DrawdownState

CENT = Decimal("0.01")
ZERO = Decimal(0)
LINE_KEYS = frozenset({"side", "category", "cover_kind", "text", "budget_year", "amount"})
EXPENDITURE, COVER = AmendmentLine.Side.EXPENDITURE, AmendmentLine.Side.COVER
# Drawdowns that are paid, or on their way to payment, bind their budget year's instalment.


def current_plan(grant: Grant) -> PlanVersion:
    """The plan version the grant works with now: the highest version."""
    plan = grant.plan_versions.order_by("-version").first()
    if plan is None:
        raise DomainError(_("The grant has no financing plan."))
    return plan


# --- input --------------------------------------------------------------------------------


def _amount(value: Any, errors: list[str]) -> Decimal:
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        errors.append(_("“%(value)s” is not an amount.") % {"value": value})
        return ZERO
    if not amount.is_finite() or amount != amount.quantize(CENT):
        errors.append(_("“%(value)s” is not an amount in euros and cents.") % {"value": value})
        return ZERO
    if amount < 0:
        errors.append(_("Amounts in the financing plan must not be negative."))
    return amount.quantize(CENT)


def normalise_lines(lines: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Plan lines as the model stores them; the side follows from ``category`` or ``cover_kind``."""
    errors: list[str] = []
    result = []
    for line in lines:
        unknown = set(line) - LINE_KEYS
        if unknown:
            raise TypeError(f"unknown amendment line fields: {sorted(unknown)}")
        side = line.get("side") or (
            EXPENDITURE if line.get("category") else COVER if line.get("cover_kind") else ""
        )
        category = (line.get("category") or "") if side == EXPENDITURE else ""
        cover_kind = (line.get("cover_kind") or "") if side == COVER else ""
        if side == EXPENDITURE and category not in CostCategory.values:
            errors.append(_("Unknown cost category: %s") % category)
        elif side == COVER and cover_kind not in CoverKind.values:
            errors.append(_("Unknown kind of cover: %(kind)s") % {"kind": cover_kind})
        elif side not in (EXPENDITURE, COVER):
            errors.append(_("Every line needs a cost category (expenditure) or a kind of cover."))
        result.append(
            {
                "side": side,
                "category": category,
                "cover_kind": cover_kind,
                "text": (line.get("text") or "").strip(),
                "budget_year": int(line["budget_year"]),
                "amount": _amount(line.get("amount"), errors),
            }
        )
    if errors:
        raise DomainError(list(dict.fromkeys(errors)))
    return result


def normalise_instalments(instalments: Mapping[int, Any]) -> dict[int, Decimal]:
    errors: list[str] = []
    result = {}
    for year, value in sorted(instalments.items()):
        problems: list[str] = []
        amount = _amount(value, problems)
        if amount < 0:
            problems = [_("The instalment for %(year)s must not be negative.") % {"year": year}]
        errors += problems
        result[int(year)] = amount
    if errors:
        raise DomainError(errors)
    return result


def _sides(lines: Sequence[AmendmentLine]) -> tuple[list[AmendmentLine], list[AmendmentLine]]:
    """Expenditure and cover lines; a ``PlanLine`` reads like an application's line, so
    ``grants.applications.validation`` checks it unchanged."""
    return [x for x in lines if x.side == EXPENDITURE], [x for x in lines if x.side == COVER]


# --- rules --------------------------------------------------------------------------------


def amendment_check(amendment: Amendment, *, today: date | None, increase_confirmed: bool) -> list[str]:
    """All broken rules of the proposed plan; ``today`` is given at submission only.

    ``increase_confirmed``: the carrier asked explicitly for more than the current maximum.
    """
    return plan_check(
        amendment.grant,
        reason=amendment.reason,
        new_period_end=amendment.new_period_end,
        lines=list(amendment.lines.all()),
        instalments={i.budget_year: i.amount for i in amendment.instalments.all()},
        today=today,
        increase_confirmed=increase_confirmed,
    )


def plan_check(
    grant: Grant,
    *,
    reason: str,
    new_period_end: date | None,
    lines: Sequence[AmendmentLine],
    instalments: Mapping[int, Decimal],
    today: date | None,
    increase_confirmed: bool,
) -> list[str]:
    """The rules of ``amendment_check`` for a plan that need not be saved: the editor's live
    check calls it with the lines as typed, submission with the saved draft."""
    programme = grant.programme
    instalments = {year: amount for year, amount in instalments.items() if amount}
    expenditure, cover = _sides(lines)
    errors: list[str] = []
    if not reason.strip():
        errors.append(_("Please give the reason for the amendment."))

    end = grant.period_end
    new_end = new_period_end
    if new_end is not None and new_end != grant.period_end:
        if new_end < grant.period_end:
            errors.append(
                _("The new end of the approval period (%(new)s) must be after the current end (%(current)s).")
                % {"new": format_date(new_end), "current": format_date(grant.period_end)}
            )
        else:
            end = new_end
            errors += check_period(programme, grant.period_start, new_end)
            if today is not None and today > grant.period_end:
                errors.append(
                    _("The approval period ended on %(date)s; it can no longer be extended.")
                    % {"date": format_date(grant.period_end)}
                )

    years = range(grant.period_start.year, end.year + 1)
    for category in sorted({x.category for x in expenditure} - set(programme.allowed_cost_categories or [])):
        errors.append(
            _("The cost category “%(category)s” is not eligible in this programme.")
            % {"category": CostCategory(category).label}
        )
    for x in expenditure:
        if x.budget_year not in years:
            errors.append(
                _(
                    "The expenditure line “%(text)s” is assigned to budget year %(year)s, outside the project period."
                )
                % {"text": x.description, "year": x.budget_year}
            )
    for c in cover:
        if c.budget_year not in years:
            errors.append(
                _("A cover line (%(kind)s) is assigned to budget year %(year)s, outside the project period.")
                % {"kind": CoverKind(c.kind).label, "year": c.budget_year}
            )
    for year, amount in sorted(instalments.items()):
        if year not in years:
            errors.append(_("The budget year %(year)s lies outside the project period.") % {"year": year})
        if programme.max_grant_per_year is not None and amount > programme.max_grant_per_year:
            errors.append(
                _("The instalment for %(year)s is %(amount)s; the programme allows at most %(max)s per year.")
                % {
                    "year": year,
                    "amount": format_eur(amount),
                    "max": format_eur(programme.max_grant_per_year),
                }
            )

    if not expenditure:
        errors.append(_("The financing plan contains no expenditure."))
    totals = plan_totals(expenditure, cover)
    errors += check_money(programme, totals)
    total = sum(instalments.values(), ZERO)
    if totals.grant != total:
        errors.append(
            _(
                "The grant in the cover lines (%(cover)s) must equal the sum of the annual instalments (%(total)s)."
            )
            % {"cover": format_eur(totals.grant), "total": format_eur(total)}
        )
    errors += _drawdown_errors(grant, instalments)
    if total > grant.granted_amount and not increase_confirmed:
        errors.append(
            _(
                "The annual instalments add up to %(total)s, more than the granted maximum of %(granted)s. If you are applying for an increase, say so explicitly; an increase needs budget and may be refused."
            )
            % {"total": format_eur(total), "granted": format_eur(grant.granted_amount)}
        )
    return errors


def _drawdown_errors(grant: Grant, instalments: Mapping[int, Decimal]) -> list[str]:
    """An instalment cannot fall below what was paid, or is being paid, in its year (one query)."""
    paid: dict[int, Decimal] = defaultdict(Decimal)
    in_flight: dict[int, Decimal] = defaultdict(Decimal)
    rows = (
        grant.drawdowns.filter(state__in=(DrawdownState.PAID, *PENDING_DRAWDOWN_STATES))
        .values_list("budget_year", "state", "amount")
        .order_by()
    )
    for year, state, amount in rows:
        (paid if state == DrawdownState.PAID else in_flight)[year] += amount
    errors = []
    for year in sorted(set(paid) | set(in_flight)):
        amount = instalments.get(year, ZERO)
        if amount < paid[year]:
            errors.append(
                _(
                    "The instalment for %(year)s (%(amount)s) is less than the %(paid)s already paid out for that year."
                )
                % {"year": year, "amount": format_eur(amount), "paid": format_eur(paid[year])}
            )
        elif amount < paid[year] + in_flight[year]:
            errors.append(
                _(
                    "The instalment for %(year)s (%(amount)s) is less than the %(bound)s paid out or requested for that year; the open requests must be decided or withdrawn first."
                )
                % {
                    "year": year,
                    "amount": format_eur(amount),
                    "bound": format_eur(paid[year] + in_flight[year]),
                }
            )
    return errors


# --- is it needed? ------------------------------------------------------------------------


@dataclass(frozen=True)
class Assessment:
    """``changes``: why the amendment needs approval; ``message``: why not, when it does not."""

    required: bool
    changes: list[str] = field(default_factory=list)
    message: str = ""


def _by(lines: Iterable[Any], key: Any) -> dict[Any, Decimal]:
    sums: dict[Any, Decimal] = defaultdict(Decimal)
    for line in lines:
        sums[key(line)] += line.amount
    return {k: v for k, v in sums.items() if v}


def _changed(old: Mapping[Any, Decimal], new: Mapping[Any, Decimal]) -> list[Any]:
    return sorted(k for k in set(old) | set(new) if old.get(k, ZERO) != new.get(k, ZERO))


def amendment_assessment(amendment: Amendment) -> Assessment:
    """Whether the proposed plan needs approval, compared with the current plan (DOMAIN.md §4.1).

    It does unless every expenditure line stays within ``plan × (1 + tolerance)``, the total
    of each budget year, the cover and the instalments stay the same and the period is not
    extended: such deviations are allowed without approval when savings pay for them.
    """
    grant = amendment.grant
    old_lines = list(current_plan(grant).lines.all())
    new_lines = list(amendment.lines.all())
    old_inst = {i.budget_year: i.amount for i in grant.instalments.all() if i.amount}
    new_inst = {i.budget_year: i.amount for i in amendment.instalments.all() if i.amount}
    tolerance = grant.overrun_tolerance
    changes: list[str] = []

    if amendment.new_period_end and amendment.new_period_end != grant.period_end:
        changes.append(
            _("The approval period is to end on %(new)s instead of %(old)s.")
            % {"new": format_date(amendment.new_period_end), "old": format_date(grant.period_end)}
        )
    for year in _changed(old_inst, new_inst):
        changes.append(
            _("Annual instalment %(year)s: %(old)s → %(new)s.")
            % {
                "year": year,
                "old": format_eur(old_inst.get(year, ZERO)),
                "new": format_eur(new_inst.get(year, ZERO)),
            }
        )

    def is_cover(line: Any) -> bool:
        return line.side == COVER

    old_cover = _by(filter(is_cover, old_lines), lambda x: (x.cover_kind, x.budget_year))
    new_cover = _by(filter(is_cover, new_lines), lambda x: (x.cover_kind, x.budget_year))
    for kind, year in _changed(old_cover, new_cover):
        changes.append(
            _("%(kind)s %(year)s: %(old)s → %(new)s.")
            % {
                "kind": CoverKind(kind).label,
                "year": year,
                "old": format_eur(old_cover.get((kind, year), ZERO)),
                "new": format_eur(new_cover.get((kind, year), ZERO)),
            }
        )
    old_exp = [x for x in old_lines if not is_cover(x)]
    new_exp = [x for x in new_lines if not is_cover(x)]
    old_years, new_years = _by(old_exp, lambda x: x.budget_year), _by(new_exp, lambda x: x.budget_year)
    for year in _changed(old_years, new_years):
        changes.append(
            _("Planned expenditure %(year)s: %(old)s → %(new)s.")
            % {
                "year": year,
                "old": format_eur(old_years.get(year, ZERO)),
                "new": format_eur(new_years.get(year, ZERO)),
            }
        )

    def line_key(x: Any) -> tuple[str, str, int]:
        return (x.category, x.text.strip(), x.budget_year)

    old_by_line, new_by_line = _by(old_exp, line_key), _by(new_exp, line_key)
    for key in sorted(new_by_line):
        category, text, year = key
        planned, proposed = old_by_line.get(key, ZERO), new_by_line[key]
        if proposed > planned * (1 + tolerance):
            changes.append(
                _(
                    "The line “%(text)s” (%(year)s) rises from %(old)s to %(new)s, beyond the tolerance of %(tolerance)s."
                )
                % {
                    "text": text or CostCategory(category).label,
                    "year": year,
                    "old": format_eur(planned),
                    "new": format_eur(proposed),
                    "tolerance": format_percent(tolerance * 100),
                }
            )
    if changes:
        return Assessment(required=True, changes=changes)
    if old_by_line == new_by_line:
        return Assessment(
            required=False,
            message=_("The proposed plan is the same as the approved plan; there is nothing to amend."),
        )
    return Assessment(
        required=False,
        message=_(
            "No amendment is needed: every expenditure line stays within the overrun tolerance of %(tolerance)s and nothing else changes. You may deviate from the plan in this way without approval, as long as savings on other lines pay for it."
        )
        % {"tolerance": format_percent(tolerance * 100)},
    )
