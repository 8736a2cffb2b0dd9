"""The form of the API-token page: input parsing only, ``api.tokens`` holds the rules."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from api.models import TokenScope
from core.forms import Form


def _in_90_days() -> object:
    return timezone.localdate() + timedelta(days=90)


class TokenCreateForm(Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("What uses the token, e.g. “Buchhaltung (Lexware)”."),
    )
    scope = forms.ChoiceField(label=_("Access"), choices=TokenScope.choices, initial=TokenScope.READ)
    expires_on = forms.DateField(
        label=_("Valid until"),
        initial=_in_90_days,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("At most one year."),
    )
