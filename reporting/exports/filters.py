"""FilterSet (django-filter) of a user's export jobs."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from reporting.models import ExportJob, ExportKind, JobState


class ExportJobFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(
        label=_("Export"), empty_label=_("All exports"), choices=ExportKind.choices
    )
    state = django_filters.ChoiceFilter(
        label=_("Status"), empty_label=_("All statuses"), choices=JobState.choices
    )

    class Meta:
        model = ExportJob
        fields = ["kind", "state"]
