"""Shared widgets and the forms of the grant list, the notice's finality and the drawdowns."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from grants.applications.forms import Form


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
