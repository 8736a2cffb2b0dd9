"""Helpers shared by the grant pages: visibility (404), named rules (403), form errors as messages."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from budgets.rules import allowed, refusal
from grants.awards.models import Grant
from grants.awards.selectors import grants_visible_to


def visible_grant(request: HttpRequest, pk: int, queryset: QuerySet[Grant] | None = None) -> Grant:
    """The grant if this user may see it, else 404 (its existence is not revealed)."""
    qs = grants_visible_to(request.user) if queryset is None else queryset
    return get_object_or_404(qs, pk=pk)


def require_rule(user: Any, name: str, obj: Any) -> None:
    """The named rule (grants.rules), refused as a 403 page with the sentence of its failing part."""
    if not allowed(user, name, obj):
        raise PermissionDenied(refusal(user, name, obj))


def form_errors_as_messages(request: HttpRequest, form: Any) -> None:
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else str(error))
