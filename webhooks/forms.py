from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from webhooks.events import EventType


class EndpointForm(forms.Form):
    url = forms.URLField(
        label=_("URL"),
        max_length=500,
        assume_scheme="https",
        help_text=_("Where we send the events by POST, e.g. https://example.org/webhooks/foerderung"),
    )
    description = forms.CharField(label=_("description"), max_length=200, required=False)
    event_types = forms.MultipleChoiceField(
        label=_("events"),
        choices=EventType.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one event the endpoint receives.")},
    )
