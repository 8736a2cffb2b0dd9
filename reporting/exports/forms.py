"""The form of the export page: what to export, in which format, with which filters."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from budgets.choices import FundingLevel
from budgets.models import FundingProgramme
from grants.applications.selectors import offices_for
from reporting.exports.selectors import SPECS, exportable_kinds
from reporting.models import ExportFormat, ExportKind


class ExportForm(forms.Form):
    kind = forms.ChoiceField(label=_("Export"))
    format = forms.ChoiceField(label=_("Format"), choices=ExportFormat.choices, initial=ExportFormat.XLSX)
    office = forms.ModelChoiceField(
        label=_("Office (with the offices below it)"),
        queryset=None,
        required=False,
        empty_label=_("All my offices"),
    )
    programme = forms.ModelChoiceField(
        label=_("Programme"),
        queryset=FundingProgramme.objects.order_by("name"),
        required=False,
        empty_label=_("All programmes"),
    )
    year = forms.IntegerField(label=_("Budget year"), required=False, min_value=2000, max_value=2100)
    state = forms.ChoiceField(label=_("Status"), required=False)  # workflow state, not Bundesland
    source = forms.ChoiceField(
        label=_("Funding source"),
        required=False,
        choices=[("", _("All sources")), *FundingLevel.choices],
        help_text=_("Grants, payments and receipts: those with money booked from this source."),
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kinds = exportable_kinds(user)
        labels = dict(ExportKind.choices)
        self.fields["kind"].choices = [(kind, labels[kind]) for kind in kinds]  # type: ignore[attr-defined]
        self.fields["office"].queryset = offices_for(user)  # type: ignore[attr-defined]
        # One list with a group per export; the chosen state must belong to the chosen export.
        self.fields["state"].choices = [  # type: ignore[attr-defined]
            ("", _("Any status")),
            *((labels[kind], list(SPECS[kind].state_choices)) for kind in kinds if SPECS[kind].state_choices),
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind, state = data.get("kind"), data.get("state")
        if kind and state and state not in {value for value, _label in SPECS[kind].state_choices}:
            self.add_error("state", _("This export cannot be filtered by that state."))
        if kind and data.get("source") and SPECS[kind].source_q is None:
            self.add_error("source", _("This export cannot be filtered by funding source."))
        return data

    def filters(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "office": data["office"].pk if data.get("office") else None,
            "programme": data["programme"].pk if data.get("programme") else None,
            "year": data.get("year"),
            "state": data.get("state") or "",
            "source": data.get("source") or "",
        }
