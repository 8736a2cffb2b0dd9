"""The carrier's own organisations and their bank details (where grants are paid to)."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.models import User
from budgets.rules import allowed
from core.errors import AccessDenied, DomainError
from grants.carriers.models import Organisation
from grants.carriers.selectors import organisations_of
from grants.carriers.services import organisation_bank_update


@login_required
def organisation_list(request: HttpRequest) -> HttpResponse:
    organisations = organisations_of(request.user)
    return render(request, "grants/organisation_list.html", {"organisations": organisations})


@login_required
@require_http_methods(["POST"])
def organisation_bank(request: HttpRequest, pk: int) -> HttpResponse:
    # An organisation the user may not see does not exist for this view (404).
    organisation = get_object_or_404(Organisation, pk=pk)
    if not allowed(request.user, "grants.view_organisation", organisation):
        raise Http404
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
