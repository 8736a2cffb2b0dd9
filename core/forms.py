"""Form pieces every app uses: the amount input and field, and the accessible base form.

Amounts are typed the German way (``1.234,56``) but ``1234.56`` must work too: every amount goes
through ``core.money.parse_amount`` (the one rule, see there) and every amount input shows the
value formatted for the active language.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.money import MAX_AMOUNT, format_number, parse_amount

__all__ = ["MAX_AMOUNT", "AmountField", "AmountInput", "Form", "parse_amount"]


class AmountInput(forms.TextInput):
    """A text input (not ``type=number``: that refuses ``1.234,56``) showing German amounts."""

    def __init__(self, attrs: dict[str, Any] | None = None):
        super().__init__({"inputmode": "decimal", "autocomplete": "off", "class": "amount", **(attrs or {})})

    def format_value(self, value: Any) -> str | None:
        if isinstance(value, Decimal | int):
            return format_number(Decimal(value), 2)
        return super().format_value(value)


class AmountField(forms.Field):
    widget = AmountInput
    default_error_messages = {"required": _("Please enter an amount.")}

    def to_python(self, value: Any) -> Decimal | None:
        if value in self.empty_values:
            return None
        if isinstance(value, Decimal):
            return value
        return parse_amount(str(value))

    def validate(self, value: Decimal | None) -> None:
        super().validate(value)
        if value is None:
            return
        if value < 0:
            raise ValidationError(_("The amount must not be negative."), code="negative")
        if value > MAX_AMOUNT:
            raise ValidationError(_("The amount is too large."), code="too_large")


class Form(forms.Form):
    """Marks invalid inputs for assistive technology (``aria-invalid``, the error list's id)."""

    def full_clean(self) -> None:
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                attrs["aria-invalid"] = "true"
                attrs["aria-describedby"] = f"{self[name].auto_id}_errors"
