"""Forms of the payment-run pages; the rules themselves live in the services."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from grants.applications.forms import Form
from reporting.payments.selectors import drawdowns_for_finance


class PaymentRunCreateForm(Form):
    # Every drawdown the user handles as finance, not only the payable ones: the service then
    # names a payment that meanwhile went into another run instead of a bare "invalid choice".
    drawdowns = forms.ModelMultipleChoiceField(
        label=_("Payments"), queryset=None, widget=forms.CheckboxSelectMultiple
    )
    execution_date = forms.DateField(
        label=_("Requested execution date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"execution_date": timezone.localdate() + timedelta(days=1)})
        super().__init__(*args, **kwargs)
        field = self.fields["drawdowns"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = drawdowns_for_finance(user)
        field.error_messages["required"] = _("Please select at least one ordered payment.")


class PaymentRunExecuteForm(Form):
    executed_on = forms.DateField(
        label=_("Executed by the bank on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )


class PaymentRunCancelForm(Form):
    comment = forms.CharField(
        label=_("Reason"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Please give a reason for cancelling the payment run.")},
    )
