"""Euro amounts: cents, the one rounding rule, and the one way amounts are written and read.

Formatting and parsing go through Babel (CLDR data for ``de_DE`` and ``en``), not through
hand-written digit grouping. Rounding happens once, here, half up to the cent; Babel then only
writes an exact value and never rounds again (its own default would be half-even).

The parsing rule, the same for forms, the envelope import and the receipt import:

- The active language's convention first: ``1.234,56``, ``1234,56``, ``1.234`` (= 1234) in
  German; ``1,234.56``, ``1234.56``, ``1,234`` in English.
- Where that convention cannot read the text, the other language's convention is tried.
  So ``1234.56`` typed (or exported by a spreadsheet) in a German session is 1234,56 €: a dot
  followed by one or two digits cannot be a German thousands separator, and refusing it would
  only make people retype what they meant. A lone separator followed by exactly three digits
  stays the active language's thousands separator: ``1.234`` is 1234 in German, and ``1,234`` in
  German is 1,234 and refused for its third decimal place.
- Spaces (also non-breaking), a ``€`` sign and a leading ``+``/``-`` are allowed; anything else
  (letters, ``,50``, ``1..2``, ``1.234,5x``) is refused with one message, and more than two
  decimal places with another.
- A number cell of a spreadsheet (``int``/``float``) is read by its shortest decimal text.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from babel import Locale
from babel.numbers import NumberFormatError, format_currency, format_decimal, parse_decimal
from django.core.exceptions import ValidationError
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("9999999999.99")  # max_digits=12, decimal_places=2 on every amount column
GERMAN, ENGLISH = "de_DE", "en"

_SHAPE = re.compile(r"[+-]?[0-9][0-9.,]*")
_BLANKS = re.compile(r"[\s\u00a0\u202f€]")


def is_english() -> bool:
    """The English UI keeps English number and date conventions; everything else is German."""
    return (get_language() or "de").startswith("en")


def ui_locale() -> str:
    return ENGLISH if is_english() else GERMAN


def cents(value: Decimal | int | str) -> Decimal:
    """``value`` rounded half up to the cent: the one rounding rule for euro amounts."""
    rounded = Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)
    return rounded if rounded else abs(rounded)  # never "-0,00"


def round_half_up(value: Decimal | int, places: int) -> Decimal:
    rounded = Decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return rounded if rounded else abs(rounded)


def _pattern(places: int) -> str:
    return "#,##0" + ("." + "0" * places if places > 0 else "")


def format_number(value: Decimal | int, places: int = 2) -> str:
    """``1.234,56`` (German) or ``1,234.56`` (English), rounded half up to ``places``."""
    return format_decimal(round_half_up(value, places), format=_pattern(places), locale=ui_locale())


def format_amount(value: Decimal | int, *, locale: str | None = None) -> str:
    """The number of an amount without the currency: ``1.234,56``."""
    return format_decimal(cents(value), format=_pattern(2), locale=locale or ui_locale())


def format_eur(value: Decimal | int | None) -> str:
    """``1.234,56 €`` in German (a plain space, as every page and document has it), ``€1,234.56``
    in English; ``None`` is a dash."""
    if value is None:
        return "–"
    if is_english():
        return format_currency(cents(value), "EUR", locale=ENGLISH)
    return format_currency(cents(value), "EUR", format="#,##0.00 ¤", locale=GERMAN)


def plain_amount_converter(locale: str = GERMAN) -> Callable[[Decimal | None], str]:
    """A fast writer of exact amounts without grouping (``1234,56``), for files such as CSV for
    German Excel. The decimal sign is the locale's (CLDR through Babel), looked up once; the
    value is written exactly as stored (amounts in the database have two places)."""
    sign = Locale.parse(locale).number_symbols["latn"]["decimal"]

    def convert(value: Decimal | None) -> str:
        return "" if value is None else format(value, "f").replace(".", sign)

    return convert


def _invalid(raw: str) -> ValidationError:
    return ValidationError(
        _("“%(value)s” is not a valid amount. Please enter it like 1.234,56."),
        code="invalid",
        params={"value": raw.strip()},
    )


def _decimal(text: str, locale: str) -> Decimal | None:
    try:
        return parse_decimal(text, locale=locale, strict=True)
    except NumberFormatError:
        return None


def parse_amount(value: str | int | float | Decimal, *, locale: str | None = None) -> Decimal:
    """Read a euro amount by the rule in the module docstring; raises ``ValidationError``.

    ``locale`` is the convention tried first (default: the UI language's); uploads pass
    ``GERMAN`` because their files are German whatever language the uploader reads the site in.
    The result has exactly two decimal places.
    """
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int | float) and not isinstance(value, bool):
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            raise _invalid(str(value)) from None
    else:
        raw = str(value)
        text = _BLANKS.sub("", raw)
        if not _SHAPE.fullmatch(text):
            raise _invalid(raw)
        first = locale or ui_locale()
        second = GERMAN if first == ENGLISH else ENGLISH
        parsed = _decimal(text, first)
        if parsed is None:
            parsed = _decimal(text, second)
        if parsed is None:
            raise _invalid(raw)
        number = parsed
    if not number.is_finite():
        raise _invalid(str(value))
    exponent = number.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -2:  # "1,230" is refused, not read as 1,23
        raise ValidationError(_("Please enter at most two decimal places (cents)."), code="decimal_places")
    return cents(number)
