"""FilterSets (django-filter) of the payment lists."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from grants.applications.filters import SearchFilter
from grants.awards.payments.models import PaymentRun, PaymentRunState


class PaymentRunFilter(django_filters.FilterSet):
    q = SearchFilter(
        "reference", "items__drawdown__grant__file_number", "items__drawdown__grant__organisation__name"
    )
    state = django_filters.ChoiceFilter(
        label=_("Status"), empty_label=_("All statuses"), choices=PaymentRunState.choices
    )

    class Meta:
        model = PaymentRun
        fields = ["q", "state"]

    @property
    def qs(self):  # type: ignore[no-untyped-def]
        # A search through the items may match a run twice.
        return super().qs.distinct()
