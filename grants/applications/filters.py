"""FilterSets (django-filter) of the application lists: what a person can narrow a list by.

Each FilterSet filters a queryset the selector has already limited to what the user may see;
``q`` searches the application reference, the title and the carrier's name.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.db import connections
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from budgets.models import CoordinatingOffice, FundingProgramme
from grants.applications.forms import OfficeChoiceField
from grants.applications.models import Application, ApplicationState


def search_q(value: str, *fields: str) -> Q:
    """Case-insensitive match of ``value`` in any of ``fields``."""
    q = Q()
    for name in fields:
        q |= Q(**{f"{name}__icontains": value})
    return q


class SearchFilter(django_filters.CharFilter):
    """``q``: a text search over the given fields."""

    def __init__(self, *fields: str, **kwargs: Any):
        self.search_fields = fields
        kwargs.setdefault("label", _("Search"))
        kwargs.setdefault("max_length", 100)
        super().__init__(**kwargs)

    def filter(self, qs: QuerySet[Any], value: str) -> QuerySet[Any]:
        value = (value or "").strip()
        if not value:
            return qs
        if connections[qs.db].vendor == "postgresql":
            # One OR across joined tables reads every row; a UNION of one match per field lets
            # each use its trigram index (grants migration 0022) and the list keep its order.
            matches = [
                qs.model._base_manager.filter(**{f"{name}__icontains": value}).order_by().values("pk")
                for name in self.search_fields
            ]
            return qs.filter(pk__in=matches[0].union(*matches[1:]))
        return qs.filter(search_q(value, *self.search_fields))


class OfficeSubtreeFilter(django_filters.ModelChoiceFilter):
    """An office and every office below it (offices indented by depth in the drop-down)."""

    field_class = OfficeChoiceField

    def filter(self, qs: QuerySet[Any], value: CoordinatingOffice | None) -> QuerySet[Any]:
        return qs.filter(**{f"{self.field_name}__path__startswith": value.path}) if value else qs


class WorklistFilter(django_filters.FilterSet):
    q = SearchFilter("reference", "title", "organisation__name")
    state = django_filters.ChoiceFilter(
        label=_("Status"),
        empty_label=_("All statuses"),
        choices=[c for c in ApplicationState.choices if c[0] != ApplicationState.DRAFT],
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
        model = Application
        fields = ["q", "state", "programme", "office"]

    def __init__(self, *args: Any, offices: QuerySet[CoordinatingOffice], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.filters["office"].queryset = offices
        self.form.fields["office"].queryset = offices  # type: ignore[attr-defined]


class CarrierApplicationFilter(django_filters.FilterSet):
    q = SearchFilter("reference", "title", "organisation__name")
    state = django_filters.ChoiceFilter(
        label=_("Status"), empty_label=_("All statuses"), choices=ApplicationState.choices
    )

    class Meta:
        model = Application
        fields = ["q", "state"]
