"""Dates as people write them (``31.12.2025``) and month arithmetic, through Babel and dateutil.

Reading a date is deliberately narrower than Babel's lenient parser (which would read
``31.12.2025x`` too): the text must be ``D.M.YYYY`` or ``D.M.YY`` (two-digit years as ``strptime``
reads them: 69–99 → 19xx, 00–68 → 20xx) or ISO ``YYYY-MM-DD``; a spreadsheet date cell is taken as
it is.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from functools import lru_cache

from babel import Locale
from babel.dates import ParseError, parse_pattern
from babel.dates import format_date as babel_format_date
from babel.dates import parse_date as babel_parse_date
from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.money import ENGLISH, GERMAN, is_english

GERMAN_PATTERN, ENGLISH_PATTERN = "dd.MM.yyyy", "MM/dd/yyyy"
_GERMAN_SHAPE = re.compile(r"[0-9]{1,2}\.[0-9]{1,2}\.([0-9]{4}|[0-9]{2})")
_ISO_SHAPE = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})")


def format_date(value: date | None, *, locale: str | None = None) -> str:
    """``31.12.2025`` in German, ``12/31/2025`` in English; ``None`` is a dash."""
    if value is None:
        return "–"
    locale = locale or (ENGLISH if is_english() else GERMAN)
    return babel_format_date(value, ENGLISH_PATTERN if locale == ENGLISH else GERMAN_PATTERN, locale=locale)


def format_german_date(value: date) -> str:
    """``31.12.2025`` whatever the UI language (files for German offices, German documents)."""
    return babel_format_date(value, GERMAN_PATTERN, locale=GERMAN)


def date_converter(locale: str = GERMAN) -> Callable[[date], str]:
    """A fast writer of dates for large files: the Babel pattern is compiled once, and each
    distinct day is formatted once (an export repeats the same days over many rows)."""
    pattern = parse_pattern(ENGLISH_PATTERN if locale == ENGLISH else GERMAN_PATTERN)
    babel_locale = Locale.parse(locale)

    @lru_cache(maxsize=8192)
    def convert(value: date) -> str:
        return pattern.apply(value, babel_locale)

    return convert


def _invalid(text: str) -> ValidationError:
    return ValidationError(
        _("“%(value)s” is not a date; write dates like 31.12.2026."), code="invalid", params={"value": text}
    )


def parse_date(value: str | date | datetime) -> date:
    """Read ``31.12.2026``, ``31.12.26``, ``2026-12-31`` or a date cell; raises ``ValidationError``."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    iso = _ISO_SHAPE.fullmatch(text)
    if iso:
        try:
            return date(*(int(part) for part in iso.groups()))
        except ValueError:
            raise _invalid(text) from None
    match = _GERMAN_SHAPE.fullmatch(text)
    if not match:
        raise _invalid(text)
    try:
        day = babel_parse_date(text, locale=GERMAN, format="medium")
        if len(match.group(1)) == 2:  # the strptime rule for two-digit years
            two = int(match.group(1))
            day = day.replace(year=(1900 if two >= 69 else 2000) + two)
    except (ParseError, ValueError):
        raise _invalid(text) from None
    return day


def add_months(day: date, months: int) -> date:
    """``day`` moved by ``months`` calendar months; the 31st becomes the month's last day."""
    return day + relativedelta(months=months)


def months_between(start: date, end: date) -> int:
    """Whole calendar months from ``start`` to ``end`` (negative when ``end`` is earlier)."""
    delta = relativedelta(end, start)
    return delta.years * 12 + delta.months
