"""Forms of the amendment pages: the complete new plan, submission and rejection."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from budgets.choices import CostCategory
from grants.applications.forms import AmountField, Form
from grants.applications.models import CoverKind
from grants.awards.forms.common import date_input
from grants.awards.forms.proofs import ProofStepForm


def _line_kind_choices() -> list[Any]:
    return [
        ("", "–"),
        (_("Expenditure"), [(f"e:{value}", label) for value, label in CostCategory.choices]),
        (_("Cover"), [(f"c:{value}", label) for value, label in CoverKind.choices]),
    ]


class AmendmentForm(Form):
    """The complete new plan: one row per line (existing rows prefilled, some empty ones) and
    one instalment per budget year."""

    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))
    new_period_end = forms.DateField(
        label=_("New end of the approval period"), widget=date_input(), required=False
    )

    def __init__(self, *args: Any, rows: int, years: list[int], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.row_count, self.years = rows, years
        for i in range(rows):
            self.fields[f"row_{i}_kind"] = forms.ChoiceField(
                label=_("Kind"), choices=_line_kind_choices(), required=False
            )
            self.fields[f"row_{i}_text"] = forms.CharField(
                label=_("Description"), max_length=200, required=False
            )
            self.fields[f"row_{i}_year"] = forms.IntegerField(
                label=_("Budget year"), min_value=2000, max_value=2100, required=False
            )
            self.fields[f"row_{i}_amount"] = AmountField(label=_("Amount (EUR)"), required=False)
        for year in years:
            self.fields[f"instalment_{year}"] = AmountField(
                label=_("Instalment %(year)s") % {"year": year}, required=False
            )

    def rows(self) -> list[list[Any]]:
        return [
            [self[f"row_{i}_{name}"] for name in ("kind", "text", "year", "amount")]
            for i in range(self.row_count)
        ]

    ROW_FIELDS = ("kind", "text", "year", "amount")

    def input_errors(self) -> list[str]:
        """The marked fields as sentences naming their line (for the live check)."""
        errors = []
        for name, messages in self.errors.items():
            field = self.fields.get(name)
            label = str(field.label) if field is not None else ""
            if name.startswith("row_"):
                line = int(name.split("_")[1]) + 1
                label = _("Line %(n)s, %(field)s") % {"n": line, "field": label}
            errors += [f"{label}: {message}" if label else str(message) for message in messages]
        return errors

    def instalment_fields(self) -> list[Any]:
        return [self[f"instalment_{year}"] for year in self.years]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for i in range(self.row_count):
            kind, amount = data.get(f"row_{i}_kind"), data.get(f"row_{i}_amount")
            if kind and (amount is None or not data.get(f"row_{i}_year")):
                self.add_error(f"row_{i}_amount", _("Please enter budget year and amount."))
        return data

    def service_kwargs(self, values: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """What the services take; on an invalid form (the live check) rows with a marked
        field are left out, the marks say why. ``values``: read these instead (the initial plan)."""
        data = self.cleaned_data if values is None else values
        lines = []
        for i in range(self.row_count):
            kind = data.get(f"row_{i}_kind")
            if not kind or data.get(f"row_{i}_year") is None or data.get(f"row_{i}_amount") is None:
                continue
            side, value = kind.split(":", 1)
            line = {
                "text": data.get(f"row_{i}_text", ""),
                "budget_year": data[f"row_{i}_year"],
                "amount": data[f"row_{i}_amount"],
            }
            line["category" if side == "e" else "cover_kind"] = value
            lines.append(line)
        instalments = {year: data.get(f"instalment_{year}") or 0 for year in self.years}
        return {
            "reason": data.get("reason", ""),
            "new_period_end": data.get("new_period_end"),
            "lines": lines,
            "instalments": instalments,
        }

    @staticmethod
    def initial_for(
        lines: list[dict[str, Any]], instalments: dict[int, Any], **fields: Any
    ) -> dict[str, Any]:
        initial: dict[str, Any] = dict(fields)
        for i, line in enumerate(lines):
            kind = f"e:{line['category']}" if line.get("category") else f"c:{line['cover_kind']}"
            initial |= {
                f"row_{i}_kind": kind,
                f"row_{i}_text": line.get("text", ""),
                f"row_{i}_year": line["budget_year"],
                f"row_{i}_amount": line["amount"],
            }
        for year, amount in instalments.items():
            initial[f"instalment_{year}"] = amount
        return initial


class AmendmentSubmitForm(ProofStepForm):
    asks_for_increase = forms.BooleanField(
        label=_("We ask for a higher grant than the current maximum amount."), required=False
    )
    field_order = ["asks_for_increase", "comment"]

    def service_kwargs(self) -> dict[str, Any]:
        return {"asks_for_increase": self.cleaned_data["asks_for_increase"], **super().service_kwargs()}


class AmendmentRejectForm(Form):
    reasons = forms.CharField(label=_("Reasons for the rejection"), widget=forms.Textarea(attrs={"rows": 3}))

    def service_kwargs(self) -> dict[str, Any]:
        return {"reasons": self.cleaned_data["reasons"]}
