"""Splitting an amount across funding sources in fixed shares (DOMAIN.md §8), exactly.

Pure Python (no Django): ``grants.calculations`` re-exports :func:`split_pro_rata` under its
documented name, and the budget ledger (``budgets.services.commitments``), which sits below
grants, splits every movement of a grant with the same function.
"""

from __future__ import annotations

import decimal
import math
from collections.abc import Mapping
from decimal import Decimal
from fractions import Fraction
from typing import Any

__all__ = ["split_pro_rata"]

CENT = Decimal("0.01")
ZERO = Decimal("0")


def _dec(value: Any, name: str) -> Decimal:
    """A finite, non-negative Decimal; floats are refused because they are inexact (§2)."""
    if isinstance(value, bool | float):
        raise ValueError(f"{name} must be a Decimal (or int/str), not {type(value).__name__}: {value!r}")
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int | str):
        try:
            result = Decimal(value)
        except decimal.InvalidOperation:
            raise ValueError(f"{name} is not a valid amount: {value!r}") from None
    else:
        raise ValueError(f"{name} must be a Decimal, not {type(value).__name__}: {value!r}")
    if not result.is_finite():
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    if result < 0:
        raise ValueError(f"{name} must not be negative, got {result}")
    return result


def split_pro_rata(amount: Decimal, shares: Mapping[str, Any]) -> dict[str, Decimal]:
    """Split ``amount`` across sources in the ratio of ``shares`` (DOMAIN.md §8), exactly.

    Each source gets ``amount × share / Σ shares`` rounded down to the cent; the cents left over
    go one each to the sources with the largest remainders, on equal remainders to the larger
    share first, then to the source key that sorts first. The parts add up to ``amount``; a
    source with share 0 stays in the result with 0.00. The result keeps the order of ``shares``.
    """
    total_amount = _dec(amount, "amount")
    if total_amount != total_amount.quantize(CENT):
        raise ValueError(f"amount must have at most two decimal places, got {total_amount}")
    if not shares:
        raise ValueError("shares must name at least one source")
    weights = {str(key): _dec(value, f"share of {key}") for key, value in shares.items()}
    weight_sum = sum(weights.values(), ZERO)
    if weight_sum <= 0:
        raise ValueError("the shares must have a positive sum")
    cents = int(total_amount * 100)
    # Exact arithmetic in Fractions: a remainder comparison must never depend on rounding.
    exact = {
        key: Fraction(cents) * Fraction(weight) / Fraction(weight_sum) for key, weight in weights.items()
    }
    floors = {key: math.floor(value) for key, value in exact.items()}
    left_over = cents - sum(floors.values())
    order = sorted(weights, key=lambda key: (-(exact[key] - floors[key]), -weights[key], key))
    for key in order[:left_over]:
        floors[key] += 1
    return {key: (Decimal(floors[key]) / 100).quantize(CENT) for key in weights}
