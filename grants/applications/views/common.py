"""Helpers shared by the application views: who may see or change what, and error display."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import DecimalField, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import AccessDenied, DomainError
from grants.applications.models import Application, CoverKind, CoverLine
from grants.applications.selectors import applications_visible_to
from grants.predicates import carrier_organisation_ids, is_carrier_member, office_roles


def is_staff_user(user: Any) -> bool:
    return bool(user.is_superuser or office_roles(user))


def is_carrier_user(user: Any) -> bool:
    return bool(carrier_organisation_ids(user))


def visible_application(
    request: HttpRequest, pk: int, queryset: QuerySet[Application] | None = None
) -> Application:
    """The application if this user may see it, else 404 (its existence is not revealed)."""
    qs = applications_visible_to(request.user) if queryset is None else queryset
    return get_object_or_404(qs, pk=pk)


def editable_application(
    request: HttpRequest, pk: int, queryset: QuerySet[Application] | None = None
) -> Application:
    """404 when invisible; 403 when visible but this user may not change it now."""
    application = visible_application(request, pk, queryset)
    if not is_carrier_member.test(request.user, application):
        raise PermissionDenied(_("Only members of the applying organisation may change this application."))
    if not application.is_editable:
        raise PermissionDenied(
            _(
                "The application can only be changed as a draft or after a revision request (current state: “%(state)s”)."
            )
            % {"state": application.get_state_display()}
        )
    return application


def show_domain_error(request: HttpRequest, error: DomainError) -> None:
    """One message per broken rule; refusals of access become a 403 page instead."""
    if isinstance(error, AccessDenied):
        raise PermissionDenied(" ".join(error.messages)) from error
    for message in error.messages:
        messages.error(request, message)


def with_requested_grant(qs: QuerySet[Application]) -> QuerySet[Application]:
    """Annotate ``requested_grant``: the sum of the plan's grant lines, in the same query."""
    grant = (
        CoverLine.objects.filter(application=OuterRef("pk"), kind=CoverKind.GRANT)
        .order_by()
        .values("application")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    money = DecimalField(max_digits=14, decimal_places=2)
    return qs.annotate(
        requested_grant=Coalesce(Subquery(grant, output_field=money), Value(0), output_field=money)
    )


def rule_check_day(application: Application) -> Any:
    # The same day the submission check uses: a resubmission keeps its first submission date.
    return timezone.localdate(application.submitted_at) if application.submitted_at else timezone.localdate()
