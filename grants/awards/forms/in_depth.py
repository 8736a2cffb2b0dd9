"""Forms of the in-depth check (DOMAIN.md §9): the yearly selection, one receipt's admission, the
review note. Input parsing only: the rules and their messages live in
``grants.awards.services.proof.in_depth``."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from budgets.models import CoordinatingOffice
from core.forms import AmountField, Form
from grants.awards.models import Admission

YES_NO = [("yes", _("Yes")), ("no", _("No"))]


class ReceiptAdmissionForm(Form):
    """One receipt's decision; each receipt has its own form (``prefix`` = the receipt), so
    pressing Enter in one sends that receipt only."""

    admission = forms.ChoiceField(
        label=_("Decision"), choices=[("", "–"), *Admission.choices], required=False
    )
    admitted_amount = AmountField(label=_("Amount admitted"), required=False)
    reason = forms.CharField(label=_("Reason"), max_length=500, required=False)

    def service_kwargs(self) -> dict[str, Any]:
        return {
            "admission": self.cleaned_data["admission"],
            "admitted_amount": self.cleaned_data["admitted_amount"],
            "reason": self.cleaned_data["reason"],
        }


class ReviewNoteForm(Form):
    purpose_achieved = forms.ChoiceField(
        label=_("Purpose of the grant achieved"), choices=YES_NO, widget=forms.RadioSelect, required=False
    )
    findings = forms.CharField(label=_("Findings"), required=False, widget=forms.Textarea(attrs={"rows": 6}))

    def service_kwargs(self) -> dict[str, Any]:
        answer = self.cleaned_data["purpose_achieved"]
        return {
            "purpose_achieved": {"yes": True, "no": False}.get(answer),
            "findings": self.cleaned_data["findings"],
        }


class InDepthSelectForm(Form):
    office = forms.ModelChoiceField(label=_("Office"), queryset=CoordinatingOffice.objects.none())
    year = forms.IntegerField(label=_("Year of receipt"), min_value=2000, max_value=2100)
    share_percent = forms.DecimalField(
        label=_("Share checked in depth (%)"), initial=Decimal("10"), max_digits=5, decimal_places=2
    )
    high_amount = AmountField(label=_("High amount from (EUR)"), initial=Decimal("100000"))
    seed = forms.IntegerField(
        label=_("Random seed"),
        required=False,
        min_value=0,
        help_text=_("Leave empty for a fresh one; the seed is stored so the draw can be repeated."),
    )

    def __init__(self, *args: Any, offices: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        field = self.fields["office"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = offices

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "office": data["office"],
            "year": data["year"],
            "share_percent": data["share_percent"],
            "high_amount": data["high_amount"],
            "seed": data["seed"],
        }
