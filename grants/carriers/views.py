"""The carrier's own organisations and their bank details (where grants are paid to).

A member asks for new bank details; finance staff of an office responsible for the carrier
confirm or reject the request on their own page. The payout account changes only then.
"""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.models import User
from budgets.rules import allowed, refusal
from core.errors import AccessDenied, DomainError
from grants.carriers.forms import BankDetailsConfirmForm, BankDetailsForm, BankDetailsRejectForm
from grants.carriers.models import (
    CONFIRM_BANK_DETAILS,
    REJECT_BANK_DETAILS,
    BankDetailsChange,
    Organisation,
)
from grants.carriers.selectors import (
    bank_details_changes_for_finance,
    bank_details_changes_visible_to,
    organisations_of,
    with_responsible_offices,
)
from grants.carriers.services import (
    bank_details_change_confirm,
    bank_details_change_reject,
    bank_details_change_request,
    bank_details_change_withdraw,
)

VIEW_CHANGES = "grants.view_bank_details_changes"


def _show(request: HttpRequest, error: DomainError) -> None:
    if isinstance(error, AccessDenied):
        raise PermissionDenied(" ".join(error.messages)) from error
    for message in error.messages:
        messages.error(request, message)


def _offices(change: BankDetailsChange) -> str:
    return ", ".join(office.name for office in change.responsible_offices)


@login_required
@require_GET
def organisation_list(request: HttpRequest) -> HttpResponse:
    return _organisation_page(request)


def _organisation_page(request: HttpRequest, typed: dict | None = None) -> HttpResponse:
    """The organisations page; ``typed`` keeps a refused bank-details form as it was typed
    (organisation pk, values and errors), so nobody types an IBAN twice."""
    organisations = list(organisations_of(request.user))
    with_responsible_offices(organisations)
    for organisation in organisations:
        organisation.typed_bank = typed if typed and typed["pk"] == organisation.pk else None  # type: ignore[attr-defined]
    return render(
        request,
        "grants/organisation_list.html",
        {"organisations": organisations},
        status=200 if not typed else 422,
    )


def _visible_organisation(request: HttpRequest, pk: int) -> Organisation:
    # An organisation the user may not see does not exist for this view (404).
    organisation = get_object_or_404(Organisation, pk=pk)
    if not allowed(request.user, "grants.view_organisation", organisation):
        raise Http404
    return organisation


@login_required
@require_POST
def organisation_bank(request: HttpRequest, pk: int) -> HttpResponse:
    """A member asks for new bank details; they apply once finance confirms them."""
    organisation = _visible_organisation(request, pk)
    form = BankDetailsForm(request.POST)
    typed = {
        "pk": organisation.pk,
        "iban": request.POST.get("iban", ""),
        "account_holder": request.POST.get("account_holder", ""),
    }
    if not form.is_valid():
        return _organisation_page(
            request, typed | {"errors": [_("Please enter the IBAN and the account holder.")]}
        )
    try:
        change = bank_details_change_request(
            organisation=organisation,
            by=cast(User, request.user),  # login_required: never anonymous
            iban=form.cleaned_data["iban"].strip(),
            account_holder=form.cleaned_data["account_holder"],
            request=request,
        )
    except DomainError as error:
        if isinstance(error, AccessDenied):
            raise PermissionDenied(" ".join(error.messages)) from error
        return _organisation_page(request, typed | {"errors": list(error.messages)})
    else:
        offices = _offices(change)
        messages.success(
            request,
            _(
                "The new bank details of %(name)s were requested. They apply once finance staff of %(offices)s confirm them; until then payments go to the account on file."
            )
            % {"name": organisation.name, "offices": offices}
            if offices
            else _(
                "The new bank details of %(name)s were requested. They apply once finance staff of the office handling your applications confirm them; until then payments go to the account on file."
            )
            % {"name": organisation.name},
        )
    return redirect("organisation_list")


@login_required
@require_POST
def bank_details_change_withdraw_view(request: HttpRequest, pk: int) -> HttpResponse:
    change = get_object_or_404(BankDetailsChange.objects.select_related("organisation"), pk=pk)
    if not allowed(request.user, "grants.view_organisation", change.organisation):
        raise Http404
    try:
        bank_details_change_withdraw(change=change, by=cast(User, request.user), request=request)
    except DomainError as error:
        _show(request, error)
    else:
        messages.success(
            request,
            _("The request for new bank details of %(name)s was withdrawn; the account on file stays.")
            % {"name": change.organisation.name},
        )
    return redirect("organisation_list")


def _require_finance(request: HttpRequest) -> None:
    if not allowed(request.user, VIEW_CHANGES):
        raise PermissionDenied(refusal(request.user, VIEW_CHANGES))


@login_required
@require_GET
def bank_details_changes(request: HttpRequest) -> HttpResponse:
    """Finance: the changes of bank details waiting for confirmation, and the latest decisions."""
    _require_finance(request)
    pending, decided = bank_details_changes_for_finance(request.user)
    rows = [
        {
            "change": change,
            "can_confirm": allowed(request.user, CONFIRM_BANK_DETAILS, change),
            "can_reject": allowed(request.user, REJECT_BANK_DETAILS, change),
            "refusal": refusal(request.user, CONFIRM_BANK_DETAILS, change),
        }
        for change in pending
    ]
    return render(
        request,
        "grants/bank_details_changes.html",
        {"rows": rows, "decided": decided},
    )


def _visible_change(request: HttpRequest, pk: int) -> BankDetailsChange:
    """A change of an organisation in the user's finance subtrees, else 404."""
    _require_finance(request)
    return get_object_or_404(bank_details_changes_visible_to(request.user), pk=pk)


@login_required
@require_POST
def bank_details_change_confirm_view(request: HttpRequest, pk: int) -> HttpResponse:
    change = _visible_change(request, pk)
    form = BankDetailsConfirmForm(request.POST)
    comment = form.cleaned_data["comment"] if form.is_valid() else ""
    try:
        bank_details_change_confirm(
            change=change, by=cast(User, request.user), comment=comment, request=request
        )
    except DomainError as error:
        _show(request, error)
    else:
        messages.success(
            request,
            _(
                "The new bank details of %(name)s (IBAN %(iban)s) were confirmed; payments ordered from now on go to this account."
            )
            % {"name": change.organisation.name, "iban": change.iban_formatted},
        )
    return redirect("bank_details_changes")


@login_required
@require_POST
def bank_details_change_reject_view(request: HttpRequest, pk: int) -> HttpResponse:
    change = _visible_change(request, pk)
    form = BankDetailsRejectForm(request.POST)
    try:
        bank_details_change_reject(
            change=change,
            by=cast(User, request.user),
            reason=form.cleaned_data["reason"] if form.is_valid() else "",
            request=request,
        )
    except DomainError as error:
        _show(request, error)
    else:
        messages.success(
            request,
            _("The new bank details of %(name)s were rejected; the account on file stays.")
            % {"name": change.organisation.name},
        )
    return redirect("bank_details_changes")
