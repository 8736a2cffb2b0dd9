"""Amounts, percentages and dates as users read them: ``1.234,56 €``, ``3,2 %``, ``31.12.2025``.

German is the default; in English the same values read ``€1,234.56``, ``3.2%`` and ``12/31/2025``.
"""

from datetime import date
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal

from django.utils.translation import get_language

CENT = Decimal("0.01")


def _group(digits: str, sep: str) -> str:
    out = []
    while len(digits) > 3:
        out.insert(0, digits[-3:])
        digits = digits[:-3]
    out.insert(0, digits)
    return sep.join(out)


def _is_english() -> bool:
    return (get_language() or "de").startswith("en")


def format_number(value: Decimal | int, places: int = 2) -> str:
    value = Decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    sign = "-" if value < 0 else ""
    integer, _, fraction = f"{abs(value):f}".partition(".")
    thousands, decimal_sep = (",", ".") if _is_english() else (".", ",")
    grouped = _group(integer, thousands)
    return f"{sign}{grouped}{decimal_sep}{fraction}" if fraction else f"{sign}{grouped}"


def format_eur(value: Decimal | int | None) -> str:
    if value is None:
        return "–"
    number = format_number(Decimal(value), 2)
    if _is_english():
        return f"-€{number[1:]}" if number.startswith("-") else f"€{number}"
    return f"{number} €"


def format_percent(value: Decimal, *, rounding: str = ROUND_HALF_UP, places: int = 2) -> str:
    """A percentage with up to ``places`` decimals and no trailing zeros (5 %, 3,2 %).

    ``rounding`` lets a message round in the direction that never hides a breach: an own
    share of 4.996 % is shown as 4,99 %, not as the required 5 %.
    """
    quantized = Decimal(value).quantize(Decimal(1).scaleb(-places), rounding=rounding)
    text = format_number(quantized.normalize() if quantized == quantized.to_integral() else quantized, places)
    decimal_sep = "." if _is_english() else ","
    if decimal_sep in text:
        text = text.rstrip("0").rstrip(decimal_sep)
    return f"{text}%" if _is_english() else f"{text} %"


def format_percent_floor(value: Decimal) -> str:
    return format_percent(value, rounding=ROUND_FLOOR)


def format_percent_ceiling(value: Decimal) -> str:
    return format_percent(value, rounding=ROUND_CEILING)


def format_date(value: date | None) -> str:
    if value is None:
        return "–"
    return value.strftime("%m/%d/%Y") if _is_english() else value.strftime("%d.%m.%Y")
