"""Forms of the case's records page: placing and lifting a legal hold."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import Form
from grants.records.models import MANUAL_REASONS


class LegalHoldForm(Form):
    reason = forms.ChoiceField(
        label=_("Reason"),
        choices=[("", "—")] + [(r.value, r.label) for r in MANUAL_REASONS],
        error_messages={"required": _("Please choose the reason for the legal hold.")},
    )
    note = forms.CharField(
        label=_("Note"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Who audits or litigates, and the file reference."),
        error_messages={"required": _("Please note who audits or litigates, with their file reference.")},
    )


class LegalHoldLiftForm(Form):
    note = forms.CharField(
        label=_("Reason for lifting"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Please give the reason for lifting the legal hold.")},
    )
