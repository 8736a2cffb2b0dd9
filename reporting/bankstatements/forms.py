"""Forms of the bank-statement pages; the rules themselves live in the services."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext as gettext_now
from django.utils.translation import gettext_lazy as _

from core.formatting import format_date, format_eur, format_number
from core.forms import Form
from grants.awards.models import Reclaim
from reporting.bankstatements.camt import LIMITS, MB
from reporting.bankstatements.selectors import finance_offices
from reporting.payments.selectors import finance_paths


class StatementUploadForm(Form):
    file = forms.FileField(
        label=_("Statement file (camt.053, XML)"),
        help_text=_("The camt.053 file from your bank, version 001.02 (DFÜ-Abkommen) or 001.08."),
    )
    office = forms.ModelChoiceField(label=_("Office"), queryset=None, empty_label=None)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["office"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = finance_offices(user)
        self.only_office = field.queryset.get() if field.queryset.count() == 1 else None
        if self.only_office is not None:
            # Finance of one office imports for that office: nothing to choose.
            field.widget = forms.HiddenInput()
            field.initial = self.only_office.pk
            field.required = False

    def clean_office(self) -> Any:
        return self.cleaned_data.get("office") or self.only_office

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        # Refused before it is read (the import checks the bytes it reads once more).
        if upload.size > LIMITS.max_bytes:
            raise forms.ValidationError(
                _(
                    "The file is larger than %(limit)s MB; a bank statement file can have at most %(limit)s MB."
                )
                % {"limit": format_number(Decimal(LIMITS.max_bytes) / MB, 0)}
            )
        return upload


class LineAssignForm(Form):
    reclaim = forms.ModelChoiceField(
        label=_("Reclaim"),
        queryset=None,
        error_messages={"required": _("Please choose the reclaim this payment repays.")},
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["reclaim"]
        assert isinstance(field, forms.ModelChoiceField)
        under = Q(pk__in=[])
        for path in finance_paths(user):
            under |= Q(grant__office__path__startswith=path)
        field.queryset = (
            Reclaim.objects.open()
            .filter(under)
            .select_related("grant", "grant__organisation")
            .order_by("grant__file_number", "pk")
        )
        field.label_from_instance = reclaim_label  # type: ignore[method-assign, assignment]


def reclaim_label(reclaim: Reclaim) -> str:
    """How the choice names a reclaim: file number, carrier, decision date and amount."""
    return gettext_now("%(file_number)s · %(carrier)s · decided on %(date)s · %(amount)s") % {
        "file_number": reclaim.grant.file_number,
        "carrier": reclaim.grant.organisation.name,
        "date": format_date(reclaim.decided_on),
        "amount": format_eur(reclaim.principal),
    }


class LineDismissForm(Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Please give a reason for dismissing the line.")},
    )
