"""The carrier's own organisations and their bank details (where grants are paid to)."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.models import User
from core.errors import AccessDenied, DomainError
from grants.carriers.models import Organisation
from grants.carriers.services import organisation_bank_update
from grants.rules import carrier_organisation_ids


@login_required
def organisation_list(request: HttpRequest) -> HttpResponse:
    organisations = Organisation.objects.filter(pk__in=carrier_organisation_ids(request.user)).order_by(
        "name"
    )
    return render(request, "grants/organisation_list.html", {"organisations": organisations})


@login_required
@require_http_methods(["POST"])
def organisation_bank(request: HttpRequest, pk: int) -> HttpResponse:
    # Only the carrier's own organisations exist for this view; anyone else gets 404.
    organisation = get_object_or_404(Organisation, pk=pk, pk__in=carrier_organisation_ids(request.user))
    try:
        organisation_bank_update(
            organisation=organisation,
            by=cast(User, request.user),  # login_required: never anonymous
            iban=request.POST.get("iban", "").strip(),
            account_holder=request.POST.get("account_holder", ""),
        )
    except AccessDenied as error:
        raise PermissionDenied(" ".join(error.messages)) from error
    except DomainError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The bank details of %(name)s were saved.") % {"name": organisation.name})
    return redirect("organisation_list")
