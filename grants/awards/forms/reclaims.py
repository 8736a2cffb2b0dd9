"""Forms of the reclaim pages: decision, repayment, waiver, late-use interest, revocation."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from grants.applications.forms import AmountField, Form
from grants.awards.forms.common import date_input


class ReclaimDecideForm(Form):
    kind = forms.ChoiceField(label=_("Kind"))
    principal = AmountField(label=_("Amount reclaimed (EUR)"))
    decided_on = forms.DateField(label=_("Decided on"), widget=date_input())
    interest_from = forms.DateField(
        label=_("Interest runs from"),
        widget=date_input(),
        required=False,
        help_text=_("Empty: the value date of the last payment."),
    )
    reasons = forms.CharField(label=_("Reasons"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, **kwargs: Any):
        from grants.awards.models import ReclaimKind

        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["kind"]).choices = [
            c for c in ReclaimKind.choices if c[0] != ReclaimKind.LATE_USE
        ]


class RepaymentForm(Form):
    amount = AmountField(label=_("Amount (EUR)"))
    received_on = forms.DateField(label=_("Received on"), widget=date_input())


class InterestWaiverForm(Form):
    reason = forms.CharField(label=_("Reason for waiving interest"), widget=forms.Textarea(attrs={"rows": 3}))


class InterestUntilForm(Form):
    until = forms.DateField(label=_("Repayment on"), widget=date_input(), required=False)


class LateUseClaimForm(Form):
    decided_on = forms.DateField(label=_("Decided on"), widget=date_input())
    reasons = forms.CharField(
        label=_("Reasons"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Empty: the standard wording with amount, value date, window end and day of use."),
    )


class RevocationForm(Form):
    """Revocation (Widerruf) in whole or in part; the page shows the consequences before it is done."""

    WHOLE, PARTIAL = "whole", "partial"
    scope = forms.ChoiceField(
        label=_("Scope"),
        choices=[
            (WHOLE, _("Revoke the whole grant")),
            (PARTIAL, _("Revoke in part: reclaim an amount, the grant goes on")),
        ],
        widget=forms.RadioSelect,
        initial=WHOLE,
    )
    amount = AmountField(
        label=_("Amount revoked (EUR)"), required=False, help_text=_("Only for a partial revocation.")
    )
    revoked_on = forms.DateField(label=_("Revoked on"), widget=date_input())
    interest_from = forms.DateField(
        label=_("Interest runs from"),
        widget=date_input(),
        required=False,
        help_text=_("Empty: the value date of the last payment."),
    )
    reasons = forms.CharField(label=_("Reasons"), widget=forms.Textarea(attrs={"rows": 4}))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("scope") == self.PARTIAL and not data.get("amount"):
            self.add_error("amount", _("Please enter the amount revoked."))
        return data

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "revoked_on": data["revoked_on"],
            "reasons": data["reasons"],
            "interest_from": data.get("interest_from"),
            "amount": data["amount"] if data["scope"] == self.PARTIAL else None,
        }
