"""Forms of the fund pages: opening a fund, its rules and cut-off dates, a micro-project's short
application. Input parsing only; the services check the rules."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from budgets.models import Fund, FundKind
from core.forms import AmountField, Form
from grants.carriers.models import Organisation
from grants.chain.models import Committee

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
PERCENT_FIELD: dict[str, Any] = {
    "max_digits": 5,
    "decimal_places": 2,
    "min_value": Decimal(0),
    "max_value": Decimal(100),
    "localize": True,  # „12,5“ in German, shown the same way
}


class FundOpenForm(Form):
    kind = forms.ModelChoiceField(queryset=FundKind.objects.none(), label=_("Kind of fund"))
    name = forms.CharField(
        label=_("Name"), max_length=200, required=False, help_text=_("Default: kind and year.")
    )
    budget_year = forms.TypedChoiceField(label=_("Budget year"), coerce=int)
    amount = AmountField(label=_("Amount from the grant (EUR)"))
    max_per_measure = AmountField(label=_("Maximum per micro-project (EUR)"))
    latest_end_date = forms.DateField(label=_("Micro-projects end by"), widget=DATE)
    cofinancing_guide_rate = forms.DecimalField(
        label=_("Co-financing guide value (%)"), initial=Decimal(0), required=False, **PERCENT_FIELD
    )
    simple_proof_threshold = AmountField(label=_("Simple proof up to (EUR)"), required=False)

    def __init__(self, *args: Any, programme_id: int, years: list[int], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["kind"].queryset = FundKind.objects.filter(programme_id=programme_id)  # type: ignore[attr-defined]
        self.fields["budget_year"].choices = [(y, str(y)) for y in years]  # type: ignore[attr-defined]

    def service_fields(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["cofinancing_guide_rate"] = data.get("cofinancing_guide_rate") or Decimal(0)
        data["simple_proof_threshold"] = data.get("simple_proof_threshold") or Decimal(0)
        return data


class FundRulesForm(Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    max_per_measure = AmountField(label=_("Maximum per micro-project (EUR)"))
    cofinancing_guide_rate = forms.DecimalField(label=_("Co-financing guide value (%)"), **PERCENT_FIELD)
    latest_end_date = forms.DateField(label=_("Micro-projects end by"), widget=DATE)
    simple_proof_threshold = AmountField(label=_("Simple proof up to (EUR)"))
    committee = forms.ModelChoiceField(
        queryset=Committee.objects.none(), label=_("Decided by"), required=False, empty_label="–"
    )
    cutoffs = forms.CharField(
        label=_("Cut-off dates"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "One per line: date and the share of the volume it releases, e.g. “31.03.2026 50”. Leave empty to release the whole volume at once."
        ),
    )

    @classmethod
    def for_fund(cls, fund: Fund, data: Any = None) -> FundRulesForm:
        initial = {
            "committee": next(iter(fund.committees.all()), None),
            "name": fund.name,
            "max_per_measure": fund.max_per_measure,
            "cofinancing_guide_rate": fund.cofinancing_guide_rate,
            "latest_end_date": fund.latest_end_date,
            "simple_proof_threshold": fund.simple_proof_threshold,
            "cutoffs": "\n".join(
                f"{c.cutoff_date:%d.%m.%Y} " + f"{c.release_percent.normalize():f}".replace(".", ",")
                for c in fund.cutoffs.all()
            ),
        }
        form = cls(data, initial=initial, auto_id="id_rules_%s")
        form.fields["committee"].queryset = Committee.objects.filter(  # type: ignore[attr-defined]
            office_id=fund.envelope.office_id
        )
        return form

    def clean_cutoffs(self) -> list[tuple[date, Decimal]]:
        rows = []
        for number, line in enumerate((self.cleaned_data.get("cutoffs") or "").splitlines(), start=1):
            if not line.strip():
                continue
            parts = line.replace("%", " ").split()
            try:
                day_text, percent_text = parts
                day = forms.DateField(input_formats=["%d.%m.%Y", "%Y-%m-%d"]).clean(day_text)
                percent = Decimal(percent_text.replace(",", "."))
            except (ValueError, ArithmeticError, ValidationError):
                raise ValidationError(
                    _("Line %(line)s: “%(text)s” is not a date and a percentage such as “31.03.2026 50”.")
                    % {"line": number, "text": line.strip()}
                ) from None
            rows.append((day, percent))
        return rows

    def service_fields(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class MicroProjectForm(Form):
    """The short form of a micro-project: what, for whom, when; the plan follows in the editor."""

    organisation = forms.ModelChoiceField(queryset=Organisation.objects.none(), label=_("Project carrier"))
    title = forms.CharField(label=_("Project title"), max_length=200)
    summary = forms.CharField(label=_("What will happen?"), widget=forms.Textarea(attrs={"rows": 4}))
    goals = forms.CharField(label=_("What should it achieve?"), widget=forms.Textarea(attrs={"rows": 2}))
    target_groups = forms.CharField(label=_("Who takes part?"), widget=forms.Textarea(attrs={"rows": 2}))
    region = forms.CharField(label=_("Where?"), max_length=200)
    start_date = forms.DateField(label=_("Project start"), widget=DATE)
    end_date = forms.DateField(label=_("Project end"), widget=DATE)

    def __init__(self, *args: Any, organisations: list[Organisation], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.filter(  # type: ignore[attr-defined]
            pk__in=[o.pk for o in organisations]
        )
        if len(organisations) == 1:
            self.fields["organisation"].initial = organisations[0].pk
            self.fields["organisation"].widget = forms.HiddenInput()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("The project end is before its start."))
        return data
