"""Amounts, percentages and dates as users read them: ``1.234,56 €``, ``3,2 %``, ``31.12.2025``.

German is the default; in English the same values read ``€1,234.56``, ``3.2%`` and ``12/31/2025``.
The rules live in ``core.money`` and ``core.dates`` (Babel underneath); this module keeps the
names every template filter, document and message uses.
"""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal

from babel.numbers import format_decimal

from core.dates import format_date
from core.money import CENT, format_eur, format_number, is_english, ui_locale

__all__ = [
    "CENT",
    "format_date",
    "format_eur",
    "format_number",
    "format_percent",
    "format_percent_ceiling",
    "format_percent_floor",
]


def _is_english() -> bool:
    return is_english()


def format_percent(value: Decimal, *, rounding: str = ROUND_HALF_UP, places: int = 2) -> str:
    """A percentage with up to ``places`` decimals and no trailing zeros (5 %, 3,2 %).

    ``rounding`` lets a message round in the direction that never hides a breach: an own
    share of 4.996 % is shown as 4,99 %, not as the required 5 %.
    """
    quantized = Decimal(value).quantize(Decimal(1).scaleb(-places), rounding=rounding)
    quantized = quantized if quantized else abs(quantized)
    pattern = "#,##0" + ("." + "#" * places if places > 0 else "")
    text = format_decimal(quantized, format=pattern, locale=ui_locale())
    return f"{text}%" if is_english() else f"{text} %"


def format_percent_floor(value: Decimal) -> str:
    return format_percent(value, rounding=ROUND_FLOOR)


def format_percent_ceiling(value: Decimal) -> str:
    return format_percent(value, rounding=ROUND_CEILING)
