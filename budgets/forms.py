"""Forms of the budget pages: dashboard filters and the envelope import."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from budgets.choices import FundingLevel
from budgets.models import BudgetEnvelope, FundingProgramme


class DashboardFilterForm(forms.Form):
    year = forms.TypedChoiceField(label=_("Budget year"), required=False, coerce=int, empty_value=None)
    programme = forms.ModelChoiceField(
        label=_("Programme"),
        required=False,
        queryset=FundingProgramme.objects.all(),
        empty_label=_("All programmes"),
    )
    source = forms.ChoiceField(
        label=_("Funding source"), required=False, choices=[("", _("All sources")), *FundingLevel.choices]
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        years = (
            BudgetEnvelope.objects.order_by("budget_year").values_list("budget_year", flat=True).distinct()
        )
        self.fields["year"].choices = [("", _("All years")), *((y, str(y)) for y in years)]  # type: ignore[attr-defined]

    def filters(self) -> dict[str, Any]:
        """Selector keyword arguments (an invalid form filters nothing)."""
        if not self.is_bound or not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "year": data.get("year"),
            "programme": data["programme"].pk if data.get("programme") else None,
            "source": data.get("source") or None,
        }


class EnvelopeImportForm(forms.Form):
    file = forms.FileField(
        label=_("File (XLSX or CSV)"),
        help_text=_(
            "Columns: office (code), programme (code), budget year, funding source, budget title, allocated, "
            "carry-over, reinforcements, blocked, default title. Amounts as 1.234,56."
        ),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".xlsx", ".csv")):
            raise forms.ValidationError(_("Please upload an XLSX or CSV file."))
        if upload.size > 2 * 1024 * 1024:
            raise forms.ValidationError(_("The file is larger than 2 MB."))
        return upload
