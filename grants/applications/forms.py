"""Forms of the application pages: parsing user input at the edge, nothing more.

Amounts are typed the German way (``1.234,56``) but ``1234.56`` must work too, so every
amount goes through :func:`parse_amount` and every amount input shows the value formatted
for the active language.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.forms import formset_factory
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from budgets.choices import CostCategory
from budgets.models import CoordinatingOffice, FundingProgramme
from core.formatting import format_number
from grants.applications.models import Application, ApplicationState, AttachmentKind, CoverKind
from grants.carriers.models import Organisation

MAX_AMOUNT = Decimal("9999999999.99")  # max_digits=12, decimal_places=2 on every amount column
_AMOUNT_SHAPE = re.compile(r"[+-]?\d[\d.,]*")


def _grouped(text: str, sep: str) -> bool:
    """``1.234.567`` with ``sep='.'``: digits in groups of three after a first group of 1–3."""
    return re.fullmatch(rf"\d{{1,3}}(?:{re.escape(sep)}\d{{3}})+", text) is not None


def parse_amount(text: str) -> Decimal:
    """Read a euro amount as people type it: ``1.234,56``, ``1234,56``, ``1234.56``, ``1.234``.

    When both separators appear, the last one is the decimal separator. A lone separator
    followed by exactly three digits is the thousands separator of the active language
    (``1.234`` is 1234 in German, ``1,234`` in English); otherwise it separates the cents.
    """
    raw = str(text)
    cleaned = re.sub(r"[\s\u00a0\u202f€]", "", raw)
    invalid = ValidationError(
        _("“%(value)s” is not a valid amount. Please enter it like 1.234,56."),
        code="invalid",
        params={"value": raw.strip()},
    )
    if not _AMOUNT_SHAPE.fullmatch(cleaned):
        raise invalid
    sign = "-" if cleaned.startswith("-") else ""
    body = cleaned.lstrip("+-")
    if "." in body and "," in body:
        decimal_sep = body[max(body.rfind("."), body.rfind(","))]
        group_sep = "," if decimal_sep == "." else "."
        integer, fraction = body.rsplit(decimal_sep, 1)
        if decimal_sep in integer or not _grouped(integer, group_sep):
            raise invalid
        integer = integer.replace(group_sep, "")
    elif "." in body or "," in body:
        sep = "," if "," in body else "."
        language_group_sep = "," if (get_language() or "de").startswith("en") else "."
        parts = body.split(sep)
        if len(parts) > 2 or (sep == language_group_sep and len(parts[1]) == 3):
            if not _grouped(body, sep):
                raise invalid
            integer, fraction = body.replace(sep, ""), ""
        else:
            integer, fraction = parts
    else:
        integer, fraction = body, ""
    if len(fraction) > 2:
        raise ValidationError(_("Please enter at most two decimal places (cents)."), code="decimal_places")
    try:
        value = Decimal(f"{sign}{integer}.{fraction or '0'}")
    except InvalidOperation as exc:  # pragma: no cover - the shape check makes this unreachable
        raise invalid from exc
    return value.quantize(Decimal("0.01"))


class AmountInput(forms.TextInput):
    """A text input (not ``type=number``: that refuses ``1.234,56``) showing German amounts."""

    def __init__(self, attrs: dict[str, Any] | None = None):
        super().__init__({"inputmode": "decimal", "autocomplete": "off", "class": "amount", **(attrs or {})})

    def format_value(self, value: Any) -> str | None:
        if isinstance(value, Decimal | int):
            return format_number(Decimal(value), 2)
        return super().format_value(value)


class AmountField(forms.Field):
    widget = AmountInput
    default_error_messages = {"required": _("Please enter an amount.")}

    def to_python(self, value: Any) -> Decimal | None:
        if value in self.empty_values:
            return None
        if isinstance(value, Decimal):
            return value
        return parse_amount(value)

    def validate(self, value: Decimal | None) -> None:
        super().validate(value)
        if value is None:
            return
        if value < 0:
            raise ValidationError(_("The amount must not be negative."), code="negative")
        if value > MAX_AMOUNT:
            raise ValidationError(_("The amount is too large."), code="too_large")


class Form(forms.Form):
    """Marks invalid inputs for assistive technology (``aria-invalid``, the error list's id)."""

    def full_clean(self) -> None:
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                attrs["aria-invalid"] = "true"
                attrs["aria-describedby"] = f"{self[name].auto_id}_errors"


class OfficeChoiceField(forms.ModelChoiceField):
    """Offices indented by their depth in the tree, so the hierarchy reads at a glance."""

    def label_from_instance(self, obj: CoordinatingOffice) -> str:
        return "\u2003" * max(obj.depth - 1, 0) + obj.name


APPLICATION_FIELDS = (
    "programme",
    "office",
    "title",
    "summary",
    "goals",
    "target_groups",
    "region",
    "start_date",
    "end_date",
    "financing_type",
)


class ApplicationForm(Form):
    """The application's own fields; the services validate the rules, the form the input."""

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        fields = forms.fields_for_model(
            Application,
            fields=APPLICATION_FIELDS,
            widgets={
                "summary": forms.Textarea(attrs={"rows": 3}),
                "goals": forms.Textarea(attrs={"rows": 3}),
                "target_groups": forms.Textarea(attrs={"rows": 2}),
                "start_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                "end_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            },
            field_classes={"office": OfficeChoiceField},
        )
        fields["programme"].queryset = FundingProgramme.objects.order_by("name")
        fields["programme"].label = _("Funding programme")
        fields["office"].queryset = CoordinatingOffice.objects.order_by("path")
        fields["office"].label = _("Addressed coordinating office")
        self.fields.update(fields)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("The project end must not be before its start."))
        return data

    def service_fields(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in APPLICATION_FIELDS}


class ApplicationCreateForm(ApplicationForm):
    """Asks for the organisation only when the user applies for several."""

    def __init__(self, *args: Any, organisations: list[Organisation], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.organisations = organisations
        if len(organisations) > 1:
            self.fields = {
                "organisation": forms.ModelChoiceField(
                    queryset=Organisation.objects.filter(pk__in=[o.pk for o in organisations]),
                    label=_("Project carrier"),
                ),
                **self.fields,
            }

    def chosen_organisation(self) -> Organisation:
        return self.cleaned_data.get("organisation") or self.organisations[0]


def _blank(choices: Any) -> list[tuple[str, Any]]:
    return [("", "–"), *choices]


class PlanLineForm(Form):
    """Shared behaviour of expenditure and cover rows: a default year, all rows optional."""

    budget_year = forms.IntegerField(label=_("Budget year"), min_value=2000, max_value=2100)
    amount = AmountField(label=_("Amount (EUR)"))

    def __init__(self, *args: Any, default_year: int | None = None, **kwargs: Any):
        # Blank rows are ignored, so every row may stay empty (see has_changed).
        kwargs["empty_permitted"] = True
        kwargs["use_required_attribute"] = False
        super().__init__(*args, **kwargs)
        self.fields["budget_year"].initial = default_year
        self.fields["budget_year"].widget.attrs.update({"class": "year", "inputmode": "numeric"})


class ExpenditureLineForm(PlanLineForm):
    category = forms.ChoiceField(label=_("Cost category"), choices=_blank(CostCategory.choices))
    description = forms.CharField(label=_("Description"), max_length=200)
    field_order = ["category", "description", "budget_year", "amount"]


class CoverLineForm(PlanLineForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=_blank(CoverKind.choices))
    source = forms.CharField(label=_("Source"), max_length=200, required=False)
    field_order = ["kind", "source", "budget_year", "amount"]


class BasePlanFormSet(forms.BaseFormSet):
    def lines(self) -> list[dict[str, Any]]:
        """Cleaned values of the filled-in rows, in the order shown."""
        return [form.cleaned_data for form in self.forms if form.has_changed() and form.cleaned_data]


ExpenditureFormSet = formset_factory(
    ExpenditureLineForm, formset=BasePlanFormSet, extra=0, max_num=300, validate_max=True
)
CoverFormSet = formset_factory(
    CoverLineForm, formset=BasePlanFormSet, extra=0, max_num=300, validate_max=True
)
EXPENDITURE_PREFIX, COVER_PREFIX = "expenditure", "cover"


class AttachmentForm(Form):
    kind = forms.ChoiceField(label=_("Document type"), choices=AttachmentKind.choices)
    file = forms.FileField(label=_("File"))


# --- workflow steps -------------------------------------------------------------------------


class TransitionForm(Form):
    comment = forms.CharField(
        label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=4000
    )

    def __init__(self, *args: Any, application: Application, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.application = application

    def service_kwargs(self) -> dict[str, Any]:
        return {"comment": self.cleaned_data["comment"]}


class CommentRequiredForm(TransitionForm):
    comment = forms.CharField(
        label=_("Comment"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
        error_messages={"required": _("Please enter a comment.")},
    )


class ProposeRejectionForm(TransitionForm):
    reasons = forms.CharField(
        label=_("Reasons for the rejection"),
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("A rejection needs reasons.")},
    )
    field_order = ["reasons", "comment"]

    def service_kwargs(self) -> dict[str, Any]:
        return {"reasons": self.cleaned_data["reasons"], **super().service_kwargs()}


class ProposeApprovalForm(TransitionForm):
    """One amount per budget year, prefilled with the requested grant of that year."""

    def __init__(self, *args: Any, instalments: dict[int, Decimal], **kwargs: Any):
        super().__init__(*args, **kwargs)
        comment = self.fields.pop("comment")
        for year, amount in sorted(instalments.items()):
            self.fields[f"year_{year}"] = AmountField(
                label=_("Instalment %(year)s") % {"year": year}, initial=amount, required=True
            )
        self.fields["comment"] = comment

    def service_kwargs(self) -> dict[str, Any]:
        instalments = {
            int(name.removeprefix("year_")): value
            for name, value in self.cleaned_data.items()
            if name.startswith("year_")
        }
        return {"instalments": instalments, **super().service_kwargs()}


TRANSITION_FORMS: dict[str, type[TransitionForm]] = {
    "request_revision": CommentRequiredForm,
    "return_proposal": CommentRequiredForm,
    "propose_rejection": ProposeRejectionForm,
    "propose_approval": ProposeApprovalForm,
}

# German button labels come from these msgids (the catalogue translates them).
TRANSITION_LABELS = {
    "submit": _("Submit"),
    "start_formal_check": _("Start formal check"),
    "complete_formal_check": _("Complete formal check"),
    "request_revision": _("Request revision"),
    "propose_approval": _("Propose approval"),
    "propose_rejection": _("Propose rejection"),
    "return_proposal": _("Return proposal to review"),
    "approve": _("Approve"),
    "reject": _("Reject"),
    "withdraw": _("Withdraw"),
}


# --- worklist -------------------------------------------------------------------------------


class WorklistFilterForm(Form):
    state = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            ("", _("All statuses")),
            *[c for c in ApplicationState.choices if c[0] != ApplicationState.DRAFT],
        ],
    )
    programme = forms.ModelChoiceField(
        label=_("Programme"),
        required=False,
        queryset=FundingProgramme.objects.none(),
        empty_label=_("All programmes"),
    )
    office = OfficeChoiceField(
        label=_("Office"),
        required=False,
        queryset=CoordinatingOffice.objects.none(),
        empty_label=_("All offices"),
    )

    def __init__(self, *args: Any, offices: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["programme"]).queryset = FundingProgramme.objects.order_by(
            "name"
        )
        cast(forms.ModelChoiceField, self.fields["office"]).queryset = offices
