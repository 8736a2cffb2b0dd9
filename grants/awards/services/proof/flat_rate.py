"""Flat-rate lines (Pauschalen, DOMAIN.md §9): e.g. administrative costs up to a percentage of the
direct costs. They need no receipts, only the cap; the settlement recognises
``min(claimed, cap)`` with the cap taken from the recognised direct costs.

A plan line is a flat rate when its category is the administrative flat rate *and* the grant
carries a flat-rate percentage (copied from its programme at approval); in a programme without
one, such a line is an ordinary line with receipts, as it always was.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal

from django.utils.translation import gettext as _

from budgets.choices import CostCategory
from core.formatting import format_eur, format_percent
from grants import calculations
from grants.awards.models import Grant, PlanVersionLine

ZERO = Decimal("0")
FLAT_RATE_CATEGORIES = (CostCategory.ADMIN_FLAT_RATE,)


def is_flat_rate(line: PlanVersionLine, grant: Grant) -> bool:
    """THE flat-rate rule (see the module docstring)."""
    return line.category in FLAT_RATE_CATEGORIES and grant.flat_rate_percent > 0


def flat_rate_line_ids(lines: Iterable[PlanVersionLine], grant: Grant) -> set[int]:
    return {line.pk for line in lines if is_flat_rate(line, grant)}


def flat_rate_receipt_refusal(label: str, grant: Grant) -> str:
    """Why a receipt cannot be booked on a flat-rate line."""
    return _(
        "Plan line “%(line)s” is a flat rate: it needs no receipts, only its cap of %(percent)s of the direct costs. Book the receipt on the line of the direct cost instead."
    ) % {"line": label, "percent": format_percent(grant.flat_rate_percent)}


def apply_flat_rates(
    recognised: Mapping[str, Decimal], actual: Mapping[str, Decimal], flat_keys: set[str], percent: Decimal
) -> tuple[dict[str, Decimal], dict[str, Decimal]]:
    """The recognised amounts with every flat-rate line set to ``min(claimed, cap)``, and the caps.

    The cap is ``percent`` % of the direct costs recognised on every other line (after the
    overrun tolerance), so a flat rate never rests on costs that were not recognised.
    """
    if not flat_keys:
        return dict(recognised), {}
    direct = sum((value for key, value in recognised.items() if key not in flat_keys), ZERO)
    cap = calculations.flat_rate_cap(direct, percent)
    out = dict(recognised)
    for key in flat_keys:
        out[key] = min(actual.get(key, ZERO), cap)
    return out, dict.fromkeys(flat_keys, cap)


def flat_rate_note(percent: Decimal, cap: Decimal) -> str:
    return _(
        "Flat-rate lines need no receipts: they are recognised up to %(percent)s of the recognised direct costs, here %(cap)s."
    ) % {"percent": format_percent(percent), "cap": format_eur(cap)}
