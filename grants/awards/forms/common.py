"""Shared widgets and the forms of the grant list, the notice's finality and the drawdowns."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from budgets.models import CoordinatingOffice, FundingProgramme
from grants.applications.forms import Form, OfficeChoiceField
from grants.awards.models import GrantState
from grants.awards.payments.models import DrawdownState


def date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def comment_field(*, required: bool = False, label: Any = None) -> forms.CharField:
    return forms.CharField(
        label=label or _("Comment"),
        required=required,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Please enter a comment.")},
    )


class GrantFilterForm(Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    state = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All statuses")), *GrantState.choices]
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

    def __init__(self, *args: Any, offices: Any = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["programme"]).queryset = FundingProgramme.objects.order_by(
            "name"
        )
        if offices is None:
            del self.fields["office"]
        else:
            cast(forms.ModelChoiceField, self.fields["office"]).queryset = offices


class DrawdownFilterForm(Form):
    state = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All statuses")), *DrawdownState.choices]
    )


# --- finality -------------------------------------------------------------------------------


class NoticePostForm(Form):
    posted_on = forms.DateField(label=_("Posted on"), widget=date_input())


class ObjectionWaiveForm(Form):
    waived_on = forms.DateField(label=_("Waiver declared on"), widget=date_input())
    confirm = forms.BooleanField(
        label=_("We waive our right to object to this notice (Rechtsbehelfsverzicht)."),
        error_messages={"required": _("Please confirm the waiver.")},
    )


class ObjectionRecordForm(Form):
    lodged_on = forms.DateField(label=_("Objection received on"), widget=date_input())


class ObjectionConcludeForm(Form):
    final_on = forms.DateField(label=_("Final from"), widget=date_input())
    comment = forms.CharField(
        label=_("How the objection was concluded"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("E.g. withdrawn on …, or rejected by the objection decision of … without an action."),
    )
