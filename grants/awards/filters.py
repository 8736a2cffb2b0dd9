"""FilterSets (django-filter) of the lists after the award: grants and drawdowns.

Each filters a queryset the selector has already limited to what the user may see; ``q``
searches the file number, the application reference, the title and the carrier's name.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from budgets.models import CoordinatingOffice, FundingProgramme
from grants.applications.filters import OfficeSubtreeFilter, SearchFilter
from grants.awards.models import Grant, GrantState
from grants.awards.payments.models import Drawdown, DrawdownState


class GrantFilter(django_filters.FilterSet):
    q = SearchFilter("file_number", "application__reference", "title", "organisation__name")
    state = django_filters.ChoiceFilter(
        label=_("Status"), empty_label=_("All statuses"), choices=GrantState.choices
    )
    programme = django_filters.ModelChoiceFilter(
        label=_("Programme"),
        queryset=FundingProgramme.objects.order_by("name"),
        empty_label=_("All programmes"),
    )
    office = OfficeSubtreeFilter(
        label=_("Office"),
        field_name="office",
        queryset=CoordinatingOffice.objects.none(),
        empty_label=_("All offices"),
    )

    class Meta:
        model = Grant
        fields = ["q", "state", "programme", "office"]

    def __init__(self, *args: Any, offices: QuerySet[CoordinatingOffice] | None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if offices is None:  # carriers see their own grants: no office to choose
            del self.filters["office"]
        else:
            self.filters["office"].queryset = offices


class DrawdownFilter(django_filters.FilterSet):
    q = SearchFilter(
        "grant__file_number", "grant__application__reference", "grant__title", "grant__organisation__name"
    )
    state = django_filters.ChoiceFilter(
        label=_("Status"), empty_label=_("All statuses"), choices=DrawdownState.choices
    )

    class Meta:
        model = Drawdown
        fields = ["q", "state"]
