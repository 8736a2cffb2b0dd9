"""Forms of the drawdown pages: input parsing only, the services hold the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from grants.applications.forms import AmountField, Form
from grants.awards.forms.common import comment_field, date_input


class DrawdownRequestForm(Form):
    amount = AmountField(label=_("Amount (EUR)"))
    needed_on = forms.DateField(label=_("Needed on"), widget=date_input())
    purpose = forms.CharField(
        label=_("Purpose"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Which payments is the money needed for?"),
    )


class DrawdownStepForm(Form):
    comment = comment_field()

    def service_kwargs(self) -> dict[str, Any]:
        return {"comment": self.cleaned_data["comment"]}


class DrawdownRejectForm(DrawdownStepForm):
    comment = comment_field(required=True, label=_("Reason"))


class DrawdownBookForm(DrawdownStepForm):
    paid_on = forms.DateField(label=_("Value date"), widget=date_input())
    field_order = ["paid_on", "comment"]

    def service_kwargs(self) -> dict[str, Any]:
        return {"paid_on": self.cleaned_data["paid_on"], **super().service_kwargs()}


class DrawdownUseForm(Form):
    used_on = forms.DateField(label=_("Money used on"), widget=date_input())

    def service_kwargs(self) -> dict[str, Any]:
        return {"used_on": self.cleaned_data["used_on"]}
