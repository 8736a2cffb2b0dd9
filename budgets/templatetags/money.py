"""Template filters for amounts, percentages and dates: the rules of ``core.money`` and ``core.dates``."""

from datetime import date, datetime
from decimal import Decimal

from django import template
from django.utils import timezone

from core.dates import format_date
from core.formatting import format_percent
from core.money import format_eur

register = template.Library()


@register.filter
def eur(value: Decimal | None) -> str:
    """``{{ amount|eur }}`` → ``1.234,56 €``."""
    return format_eur(value)


@register.filter
def percent(value: Decimal | None) -> str:
    return "–" if value is None else format_percent(value)


@register.filter
def ddate(value: date | datetime | None) -> str:
    """``{{ day|ddate }}`` → ``31.12.2025`` (a datetime is shown in local time)."""
    if isinstance(value, datetime):
        value = timezone.localtime(value).date()
    return format_date(value)
