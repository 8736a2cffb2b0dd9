"""Pages: the webhook start page, an owner's endpoints (register, deactivate), an endpoint's
delivery log with its attempts and the replay button. Thin: a form, one service, a page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import User
from budgets.models import CoordinatingOffice
from budgets.rules import allowed, refusal
from core.errors import AccessDenied, DomainError
from webhooks.forms import EndpointForm
from webhooks.models import Delivery, WebhookEndpoint
from webhooks.rules import MANAGE_ENDPOINT, VIEW_ENDPOINT
from webhooks.selectors import delivery_log, endpoints_of, owners_of
from webhooks.services import delivery_replay, endpoint_create, endpoint_deactivate


def _require(user: Any, name: str, obj: Any) -> None:
    if not allowed(user, name, obj):
        raise PermissionDenied(refusal(user, name, obj))


def _show(request: HttpRequest, error: DomainError) -> None:
    if isinstance(error, AccessDenied):
        raise PermissionDenied(" ".join(error.messages)) from error
    for message in error.messages:
        messages.error(request, message)


def _organisation_name(user: Any, organisation_id: int) -> str:
    # Read through the user's own memberships: only a member gets this far.
    name = user.organisations.filter(pk=organisation_id).values_list("name", flat=True).first()
    return name or _("Organisation %(id)s") % {"id": organisation_id}


def _owner_name(user: Any, endpoint: WebhookEndpoint) -> str:
    if endpoint.office is not None:
        return endpoint.office.name
    assert endpoint.organisation_id is not None
    return _organisation_name(user, endpoint.organisation_id)


@login_required
def webhook_index(request: HttpRequest) -> HttpResponse:
    return render(request, "webhooks/index.html", owners_of(request.user))


def _owner_page(
    request: HttpRequest,
    *,
    owner: WebhookEndpoint,
    name: str,
    create: Callable[[dict[str, Any]], WebhookEndpoint],
) -> HttpResponse:
    _require(request.user, VIEW_ENDPOINT, owner)
    can_manage = allowed(request.user, MANAGE_ENDPOINT, owner)
    form = EndpointForm()
    if request.method == "POST":
        _require(request.user, MANAGE_ENDPOINT, owner)
        form = EndpointForm(request.POST)
        if form.is_valid():
            try:
                endpoint = create(form.cleaned_data)
            except DomainError as error:
                _show(request, error)
            else:
                # The secret is shown on this answer only: never stored in a message or a cookie.
                response = render(
                    request, "webhooks/endpoint_created.html", {"endpoint": endpoint, "owner_name": name}
                )
                response["Cache-Control"] = "no-store"
                return response
    endpoints = endpoints_of(organisation_id=owner.organisation_id, office=owner.office)
    return render(
        request,
        "webhooks/owner.html",
        {"owner_name": name, "endpoints": endpoints, "form": form, "can_manage": can_manage},
        status=400 if form.is_bound else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def organisation_endpoints(request: HttpRequest, organisation_id: int) -> HttpResponse:
    owner = WebhookEndpoint(organisation_id=organisation_id)
    _require(request.user, VIEW_ENDPOINT, owner)
    user = cast(User, request.user)  # login_required: never anonymous
    return _owner_page(
        request,
        owner=owner,
        name=_organisation_name(user, organisation_id),
        create=lambda data: endpoint_create(by=user, organisation_id=organisation_id, **data),
    )


@login_required
@require_http_methods(["GET", "POST"])
def office_endpoints(request: HttpRequest, office_id: int) -> HttpResponse:
    office = get_object_or_404(CoordinatingOffice, pk=office_id)
    user = cast(User, request.user)
    return _owner_page(
        request,
        owner=WebhookEndpoint(office=office),
        name=office.name,
        create=lambda data: endpoint_create(by=user, office=office, **data),
    )


@login_required
def endpoint_detail(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = get_object_or_404(
        WebhookEndpoint.objects.select_related("office", "created_by", "deactivated_by"), pk=pk
    )
    _require(request.user, VIEW_ENDPOINT, endpoint)
    return render(
        request,
        "webhooks/endpoint_detail.html",
        {
            "endpoint": endpoint,
            "owner_name": _owner_name(request.user, endpoint),
            "deliveries": delivery_log(endpoint),
            "can_manage": allowed(request.user, MANAGE_ENDPOINT, endpoint),
        },
    )


def _owner_url(endpoint: WebhookEndpoint) -> HttpResponse:
    if endpoint.office_id is not None:
        return redirect("webhook_office", office_id=endpoint.office_id)
    return redirect("webhook_organisation", organisation_id=endpoint.organisation_id)


@login_required
@require_POST
def endpoint_deactivate_view(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = get_object_or_404(WebhookEndpoint.objects.select_related("office"), pk=pk)
    _require(request.user, VIEW_ENDPOINT, endpoint)
    try:
        endpoint_deactivate(endpoint=endpoint, by=cast(User, request.user))
    except DomainError as error:
        _show(request, error)
    else:
        messages.success(
            request,
            _("The endpoint %(url)s is deactivated; nothing more is sent to it.") % {"url": endpoint.url},
        )
    return _owner_url(endpoint)


@login_required
@require_POST
def delivery_replay_view(request: HttpRequest, pk: int) -> HttpResponse:
    delivery = get_object_or_404(Delivery.objects.select_related("endpoint__office", "event"), pk=pk)
    _require(request.user, VIEW_ENDPOINT, delivery)
    try:
        delivery_replay(delivery=delivery, by=cast(User, request.user))
    except DomainError as error:
        _show(request, error)
    else:
        messages.success(
            request,
            _("The event %(event)s is being sent to %(url)s again, with the same id.")
            % {"event": delivery.event_id, "url": delivery.endpoint.url},
        )
    return redirect("webhook_endpoint", pk=delivery.endpoint_id)
