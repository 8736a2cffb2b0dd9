"""Forms of the committee pages: input parsing only, the services check the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import Form
from core.money import format_eur
from grants.chain.models import Choice, CommitteeMember, Procedure
from grants.chain.services.committee import requested_grant

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class SessionForm(Form):
    procedure = forms.ChoiceField(label=_("Procedure"), choices=Procedure.choices)
    held_on = forms.DateField(label=_("Date of the meeting or start of the circulation"), widget=DATE)
    deadline = forms.DateField(label=_("Votes due by (circulation only)"), widget=DATE, required=False)


class ItemForm(Form):
    application = forms.ChoiceField(label=_("Application ready for decision"))

    def __init__(self, *args: Any, applications: list[Any], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["application"].choices = [  # type: ignore[attr-defined]
            (a.pk, f"{a.reference} – {a.title} ({a.organisation.name}, {format_eur(requested_grant(a))})")
            for a in applications
        ]


class _MemberField(forms.ModelChoiceField):
    def label_from_instance(self, obj: CommitteeMember) -> str:
        return obj.name


class RecusalForm(Form):
    member = _MemberField(queryset=CommitteeMember.objects.none(), label=_("Member"))
    note = forms.CharField(label=_("Reason given"), max_length=300, required=False)

    def __init__(self, *args: Any, committee: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = committee.members.filter(active=True)  # type: ignore[attr-defined]


class VoteForm(Form):
    member = _MemberField(queryset=CommitteeMember.objects.none(), label=_("Seat"))
    deputy = _MemberField(
        queryset=CommitteeMember.objects.none(), label=_("Cast by deputy"), required=False, empty_label="–"
    )
    choice = forms.ChoiceField(label=_("Vote"), choices=Choice.choices, widget=forms.RadioSelect)

    def __init__(self, *args: Any, committee: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        members = committee.members.filter(active=True)
        self.fields["member"].queryset = members.filter(role="voting")  # type: ignore[attr-defined]
        self.fields["deputy"].queryset = members.filter(role="deputy")  # type: ignore[attr-defined]


class OwnVoteForm(Form):
    choice = forms.ChoiceField(label=_("Your vote"), choices=Choice.choices, widget=forms.RadioSelect)
