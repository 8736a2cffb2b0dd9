"""Helpers shared by the application views: who may see or change what, and error display."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import DecimalField, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from budgets.rules import allowed, office_roles, refusal
from core.errors import AccessDenied, DomainError
from grants.applications.models import Application, CoverKind, CoverLine
from grants.applications.selectors import applications_visible_to


class AuthenticatedRequest(HttpRequest):
    """A request behind ``login_required``: its user is a :class:`User`, never anonymous."""

    user: User


def is_staff_user(user: Any) -> bool:
    return bool(user.is_superuser or office_roles(user))


def visible_application(
    request: HttpRequest, pk: int, queryset: QuerySet[Application] | None = None
) -> Application:
    """The application if this user may see it (``grants.view_application``), else 404.

    A 404 does not reveal that the application exists: staff do not learn of a carrier's draft
    that was never handed in.
    """
    qs = applications_visible_to(request.user) if queryset is None else queryset
    application = get_object_or_404(qs, pk=pk)
    if not allowed(request.user, "grants.view_application", application):
        raise Http404
    return application


def editable_application(
    request: HttpRequest, pk: int, queryset: QuerySet[Application] | None = None
) -> Application:
    """404 when invisible; 403 when visible but this user may not change it now."""
    application = visible_application(request, pk, queryset)
    if not allowed(request.user, "grants.edit_application", application):
        raise PermissionDenied(refusal(request.user, "grants.edit_application", application))
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
