"""Forms of the bank-details pages: input parsing only, the services hold the rules."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class BankDetailsForm(forms.Form):
    """The new account a member (or an administrator) asks for; checked by the service."""

    iban = forms.CharField(
        label=_("IBAN"), max_length=50, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    account_holder = forms.CharField(label=_("account holder"), max_length=200)


class BankDetailsConfirmForm(forms.Form):
    comment = forms.CharField(label=_("Comment"), required=False, max_length=500)


class BankDetailsRejectForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))
