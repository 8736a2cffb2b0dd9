"""Forms of the account pages: the second-factor code and the security log's filters."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.models import SecurityEvent, SecurityEventKind
from core.forms import Form


class CodeForm(Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True, "size": 10}
        ),
        error_messages={"required": _("Please enter the code.")},
    )


class SecurityEventFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(
        label=_("Event"), empty_label=_("All events"), choices=SecurityEventKind.choices
    )
    user = django_filters.CharFilter(label=_("User"), method="filter_user")
    since = django_filters.DateFilter(
        label=_("From"),
        field_name="at",
        lookup_expr="date__gte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    until = django_filters.DateFilter(
        label=_("Until"),
        field_name="at",
        lookup_expr="date__lte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    class Meta:
        model = SecurityEvent
        fields = ["kind", "user", "since", "until"]

    def filter_user(
        self, queryset: QuerySet[SecurityEvent], name: str, value: str
    ) -> QuerySet[SecurityEvent]:
        """The user name as stored (also one typed at a failed login), or part of a person's name."""
        value = value.strip()
        return queryset.filter(
            Q(username__iexact=value)
            | Q(user__first_name__icontains=value)
            | Q(user__last_name__icontains=value)
            | Q(username__istartswith=value)
        )
