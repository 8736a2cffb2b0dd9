"""Forms of the application pages: parsing user input at the edge, nothing more.

Amounts are read by ``core.forms.AmountField`` (the one rule in ``core.money``); the names
``parse_amount``, ``AmountField``, ``AmountInput`` and ``Form`` stay importable from here.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _

from budgets.choices import CostCategory, FundingLevel
from budgets.models import CoordinatingOffice, FundingProgramme
from budgets.services.commitments import funding_shares
from core.forms import MAX_AMOUNT, AmountField, AmountInput, Form, parse_amount  # noqa: F401 (re-exported)
from grants.applications.models import Application, AttachmentKind, CoverKind
from grants.applications.revision import revision_due_default, revision_due_problems
from grants.carriers.models import Organisation


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

    def __init__(self, *args: Any, fund: Any = None, **kwargs: Any):
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
        fields["financing_type"].help_text = _(
            "Share, deficit, fixed-amount or full financing (as the programme allows): it decides how "
            "the final grant is calculated from the actual expenditure when the proof is settled."
        )
        if fund is not None:
            # A micro-project's programme and office are its fund's.
            del fields["programme"], fields["office"]
        self.fields.update(fields)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("The project end must not be before its start."))
        return data

    def service_fields(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in APPLICATION_FIELDS if name in self.fields}


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
    """One amount per budget year, prefilled with the requested grant of that year, and the
    split of the grant across funding sources (DOMAIN.md §8): one amount per source, all empty
    when the programme's funding level carries the whole grant. The service checks that the
    shares add up to the instalments and that each source's envelope has the money."""

    def __init__(self, *args: Any, instalments: dict[int, Decimal], **kwargs: Any):
        super().__init__(*args, **kwargs)
        comment = self.fields.pop("comment")
        for year, amount in sorted(instalments.items()):
            self.fields[f"year_{year}"] = AmountField(
                label=_("Instalment %(year)s") % {"year": year}, initial=amount, required=True
            )
        recorded = funding_shares(self.application.reference)
        for source, label in FundingLevel.choices:
            self.fields[f"share_{source}"] = AmountField(
                label=_("Share %(source)s (several funders)") % {"source": label},
                initial=recorded.get(source),
                required=False,
                help_text=_(
                    "Leave all shares empty when the programme's funding level finances the whole grant."
                )
                if source == FundingLevel.values[-1]
                else "",
            )
        self.fields["comment"] = comment

    def service_kwargs(self) -> dict[str, Any]:
        instalments = {
            int(name.removeprefix("year_")): value
            for name, value in self.cleaned_data.items()
            if name.startswith("year_")
        }
        shares = {
            name.removeprefix("share_"): value
            for name, value in self.cleaned_data.items()
            if name.startswith("share_") and value
        }
        return {"instalments": instalments, "shares": shares, **super().service_kwargs()}


class RevisionRequestForm(CommentRequiredForm):
    """Nachforderung: what the carrier must revise, and by when the answer is due."""

    due_on = forms.DateField(
        label=_("Answer due on"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        required=False,
        help_text=_("Left empty, the answer is due in 14 days."),
    )
    field_order = ["comment", "due_on"]

    def __init__(self, *args: Any, application: Application, **kwargs: Any):
        super().__init__(*args, application=application, **kwargs)
        self.fields["due_on"].initial = revision_due_default()

    def clean_due_on(self) -> Any:
        due_on = self.cleaned_data["due_on"]
        for problem in revision_due_problems(due_on):
            raise forms.ValidationError(problem)
        return due_on

    def service_kwargs(self) -> dict[str, Any]:
        return {**super().service_kwargs(), "due_on": self.cleaned_data["due_on"]}


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field; each is checked by the service (type, content, size)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)] if data else []


class MessageForm(Form):
    body = forms.CharField(
        label=_("Message"),
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Please write a message; an empty message is not sent.")},
        strip=True,
    )
    files = MultipleFileField(label=_("Attachments (optional)"), required=False)  # type: ignore[assignment]


TRANSITION_FORMS: dict[str, type[TransitionForm]] = {
    "request_revision": RevisionRequestForm,
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


# --- early start (vorzeitiger Maßnahmebeginn, DOMAIN.md §9) ----------------------------------

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class EarlyStartRequestForm(Form):
    wished_from = forms.DateField(
        label=_("Start wished from"),
        widget=DATE_INPUT,
        error_messages={"required": _("The day from which the project should start is missing.")},
    )
    reason = forms.CharField(
        label=_("Why must the project start before the notice?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
        error_messages={"required": _("Say why the project must start before the notice.")},
    )


class EarlyStartDecisionForm(Form):
    GRANT, REFUSE = "grant", "refuse"

    decision = forms.ChoiceField(choices=[(GRANT, _("Permit")), (REFUSE, _("Refuse"))])
    permitted_from = forms.DateField(label=_("Early start permitted from"), widget=DATE_INPUT, required=False)
    comment = forms.CharField(
        label=_("Reasons or conditions"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
        required=False,
    )
