"""The auditor's sample of individual-help cases (DOMAIN.md §6)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from grants.applications.forms import Form
from grants.awards.services.proof.individual_help import MAX_SAMPLE


class CaseSampleForm(Form):
    size = forms.IntegerField(
        label=_("Number of cases to draw"),
        min_value=1,
        max_value=MAX_SAMPLE,
        error_messages={"required": _("The sample needs at least one case.")},
    )
