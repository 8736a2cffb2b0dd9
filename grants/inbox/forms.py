"""The inbox's filter (a GET search form) and the assignment form."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from grants.inbox.selectors import ALL, ASSIGNED_TO_ME, UNASSIGNED

ASSIGNMENT_CHOICES = [
    (ALL, _("All")),
    (ASSIGNED_TO_ME, _("Assigned to me")),
    (UNASSIGNED, _("Not assigned to anyone")),
]


# A filter that does not validate (a kind this person does not take) matches no kind at all.
NO_KIND = "-"


class InboxFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of task"), required=False)
    assignment = forms.ChoiceField(label=_("Assignment"), choices=ASSIGNMENT_CHOICES, required=False)
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)

    def __init__(self, *args: Any, kinds: list[tuple[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["kind"]).choices = [("", _("All kinds")), *kinds]

    def filters(self) -> dict[str, Any]:
        """The chosen filters; an invalid choice (a kind this person does not take) shows nothing."""
        if not self.is_bound:
            return {"kind": "", "assignment": ALL, "overdue": False}
        if not self.is_valid():
            return {"kind": NO_KIND, "assignment": ALL, "overdue": False}
        data = self.cleaned_data
        return {"kind": data["kind"], "assignment": data["assignment"] or ALL, "overdue": data["overdue"]}


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(label=_("Assign to"), queryset=None, required=False)

    def __init__(self, *args: Any, candidates: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelChoiceField, self.fields["assignee"])
        field.queryset = User.objects.all()  # the service decides who may take the task
        field.choices = [
            ("", _("— nobody (take back) —")),
            *((u.pk, u.get_full_name() or u.username) for u in candidates),
        ]
