"""Forms of the proof-of-use pages: narrative, numerical statement, receipts, review steps."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from budgets.choices import CostCategory
from grants.applications.forms import AmountField, Form
from grants.applications.models import CoverKind
from grants.awards.forms.common import comment_field, date_input

# Cover that the plan did not have counts as own funds (E) or third-party funds and income (D).
UNPLANNED_COVER_CHOICES = [
    (k.value, k.label) for k in (CoverKind.OWN, CoverKind.THIRD_PARTY, CoverKind.INCOME)
]


class NarrativeForm(Form):
    narrative = forms.CharField(
        label=_("Narrative report"), required=False, widget=forms.Textarea(attrs={"rows": 8})
    )
    narrative_file = forms.FileField(label=_("Narrative report as a file (PDF, DOCX, ODT)"), required=False)


class StatementForm(Form):
    """One actual amount per plan line of the proof, plus rows for expenditure and cover that
    the plan did not have (one empty row of each kind to add another)."""

    def __init__(
        self,
        *args: Any,
        plan_lines: list[Any],
        labels: dict[int, str],
        unplanned: list[Any],
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        self.plan_lines = plan_lines
        for line in plan_lines:
            self.fields[f"line_{line.pk}"] = AmountField(label=labels[line.pk], required=False)
        self.extra_count = sum(1 for s in unplanned if s.category) + 1
        self.cover_count = sum(1 for s in unplanned if s.cover_kind) + 1
        kinds = {
            "extra": ("category", _("Cost category"), [("", "–"), *CostCategory.choices]),
            "cover": ("kind", _("Kind of cover"), [("", "–"), *UNPLANNED_COVER_CHOICES]),
        }
        for prefix, count in (("extra", self.extra_count), ("cover", self.cover_count)):
            name, label, choices = kinds[prefix]
            for i in range(count):
                self.fields[f"{prefix}_{i}_{name}"] = forms.ChoiceField(
                    label=label, choices=choices, required=False
                )
                self.fields[f"{prefix}_{i}_text"] = forms.CharField(
                    label=_("Description"), max_length=200, required=False
                )
                self.fields[f"{prefix}_{i}_actual"] = AmountField(label=_("Actual amount"), required=False)

    @staticmethod
    def initial_for(actual_by_line: dict[int, Any], unplanned: list[Any]) -> dict[str, Any]:
        initial: dict[str, Any] = {f"line_{pk}": value for pk, value in actual_by_line.items()}
        for prefix, name, rows in (
            ("extra", "category", [s for s in unplanned if s.category]),
            ("cover", "kind", [s for s in unplanned if s.cover_kind]),
        ):
            for i, s in enumerate(rows):
                initial |= {
                    f"{prefix}_{i}_{name}": s.category or s.cover_kind,
                    f"{prefix}_{i}_text": s.text,
                    f"{prefix}_{i}_actual": s.actual,
                }
        return initial

    def line_fields(self) -> list[tuple[Any, Any]]:
        return [(line, self[f"line_{line.pk}"]) for line in self.plan_lines]

    def extra_rows(self) -> list[tuple[Any, Any, Any]]:
        return [
            (self[f"extra_{i}_category"], self[f"extra_{i}_text"], self[f"extra_{i}_actual"])
            for i in range(self.extra_count)
        ]

    def cover_rows(self) -> list[tuple[Any, Any, Any]]:
        return [
            (self[f"cover_{i}_kind"], self[f"cover_{i}_text"], self[f"cover_{i}_actual"])
            for i in range(self.cover_count)
        ]

    def entries(self) -> list[dict[str, Any]]:
        """The statement lines entered, as keyword arguments of the service's ``StatementEntry``."""
        data = self.cleaned_data
        entries: list[dict[str, Any]] = [
            {"actual": data[f"line_{line.pk}"], "plan_line": line}
            for line in self.plan_lines
            if data.get(f"line_{line.pk}") is not None
        ]
        for prefix, name, field in (("extra", "category", "category"), ("cover", "kind", "cover_kind")):
            for i in range(self.extra_count if prefix == "extra" else self.cover_count):
                actual, value = data.get(f"{prefix}_{i}_actual"), data.get(f"{prefix}_{i}_{name}")
                if actual is not None and value:
                    entries.append(
                        {"actual": actual, "text": data.get(f"{prefix}_{i}_text", ""), field: value}
                    )
        return entries


class ReceiptForm(Form):
    number = forms.CharField(label=_("Receipt number"), max_length=40)
    paid_on = forms.DateField(label=_("Date"), widget=date_input())
    counterparty = forms.CharField(label=_("Payee or payer"), max_length=200)
    reason = forms.CharField(label=_("Reason for payment"), max_length=300)
    amount = AmountField(label=_("Amount (EUR)"))
    plan_line = forms.TypedChoiceField(label=_("Plan line"), coerce=int)

    def __init__(self, *args: Any, lines: dict[int, str], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.lines = lines
        cast(forms.TypedChoiceField, self.fields["plan_line"]).choices = [("", "–"), *lines.items()]


class ReceiptImportForm(Form):
    file = forms.FileField(label=_("Receipt list (XLSX or CSV)"))
    replace = forms.BooleanField(label=_("Replace the whole receipt list"), required=False)


class ProofStepForm(Form):
    comment = comment_field()

    def service_kwargs(self) -> dict[str, Any]:
        return {"comment": self.cleaned_data["comment"]}


class ProofChangesForm(ProofStepForm):
    comment = comment_field(required=True, label=_("What must be changed"))


class ProofAcceptForm(ProofStepForm):
    decided_on = forms.DateField(label=_("Decided on"), widget=date_input(), required=False)
    field_order = ["decided_on", "comment"]

    def service_kwargs(self) -> dict[str, Any]:
        return {"decided_on": self.cleaned_data["decided_on"], **super().service_kwargs()}
