"""Reads of carriers: the organisations a user acts for."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from grants.carriers.models import Organisation
from grants.rules import carrier_organisation_ids


def organisations_of(user: Any) -> QuerySet[Organisation]:
    """The organisations ``user`` is a member of (what they may apply for and maintain), by name."""
    return Organisation.objects.filter(pk__in=carrier_organisation_ids(user)).order_by("name")
