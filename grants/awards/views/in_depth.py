"""In-depth checks of proofs of use (DOMAIN.md §9): the yearly selection page of an office's head,
the admission of one receipt and the review note on the proof's page.

Officials of the office's subtree see a selection; carriers never do (not even that their proof
was chosen): the proof page shows the in-depth part only to them.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from budgets.choices import StaffRole
from budgets.models import CoordinatingOffice
from budgets.rules import role_paths
from core.errors import DomainError
from core.formatting import format_eur
from grants.applications.views.common import AuthenticatedRequest, is_staff_user, show_domain_error
from grants.awards.forms import InDepthSelectForm, ReceiptAdmissionForm, ReviewNoteForm
from grants.awards.models import ProofOfUse
from grants.awards.models.proof import REVIEW_PROOF
from grants.awards.services.proof import in_depth as services
from grants.awards.views.common import form_errors_as_messages, require_rule
from grants.awards.views.proofs import visible_proof


def _back(proof: ProofOfUse, anchor: str, page: str | None = None) -> HttpResponse:
    url = reverse("proof_detail", args=[proof.grant_id, proof.pk])
    return redirect(f"{url}{f'?belege={page}' if page else ''}#{anchor}")


@login_required
@require_POST
def receipt_admit(request: AuthenticatedRequest, pk: int, proof_pk: int, receipt_pk: int) -> HttpResponse:
    _grant, proof = visible_proof(request, pk, proof_pk)
    receipt = get_object_or_404(proof.receipts.all(), pk=receipt_pk)
    require_rule(request.user, REVIEW_PROOF, proof)
    form = ReceiptAdmissionForm(request.POST, prefix=f"r{receipt.pk}", auto_id=f"id_r{receipt.pk}_%s")
    if not form.is_valid():
        form_errors_as_messages(request, form)
    else:
        try:
            receipt = services.receipt_admit(receipt=receipt, by=request.user, **form.service_kwargs())
        except DomainError as error:
            show_domain_error(request, error)
        else:
            messages.success(
                request,
                _("Receipt %(number)s: %(decision)s (%(amount)s).")
                % {
                    "number": receipt.number,
                    "decision": receipt.get_admission_display(),
                    "amount": format_eur(receipt.admitted_amount),
                },
            )
    return _back(proof, f"admit-{receipt.pk}", request.POST.get("belege"))


@login_required
@require_POST
def review_note(request: AuthenticatedRequest, pk: int, proof_pk: int) -> HttpResponse:
    _grant, proof = visible_proof(request, pk, proof_pk)
    require_rule(request.user, REVIEW_PROOF, proof)
    form = ReviewNoteForm(request.POST, auto_id="id_note_%s")
    if not form.is_valid():
        form_errors_as_messages(request, form)
    else:
        try:
            services.review_note_write(proof=proof, by=request.user, **form.service_kwargs())
        except DomainError as error:
            show_domain_error(request, error)
        else:
            messages.success(request, _("The review note was written; its PDF is being made."))
    return _back(proof, "in-depth")


def _selectable_offices(user: Any) -> Any:
    """Offices where the user heads (approver) the office or one above it."""
    paths = role_paths(user, (StaffRole.APPROVER,))
    offices = CoordinatingOffice.objects.order_by("path")
    if paths is None:
        return offices
    subtree = Q(pk__in=[])
    for path in paths:
        subtree |= Q(path__startswith=path)
    return offices.filter(subtree)


@login_required
def selections(request: AuthenticatedRequest) -> HttpResponse:
    """The selections for in-depth checks of the user's offices, and (office heads) a new one."""
    if not is_staff_user(request.user):
        raise PermissionDenied(_("The selection for in-depth checks is only for officials of an office."))
    offices = _selectable_offices(request.user)
    form = None
    if offices.exists():
        initial = {"year": timezone.localdate().year - 1}
        form = InDepthSelectForm(request.POST or None, offices=offices, initial=initial, auto_id="id_sel_%s")
    if request.method == "POST":
        if form is None:
            raise PermissionDenied(
                _("Only the head of the office (approver) selects proofs for in-depth checks.")
            )
        if form.is_valid():
            try:
                selection = services.in_depth_select(by=request.user, **form.service_kwargs())
            except DomainError as error:
                show_domain_error(request, error)
            else:
                messages.success(
                    request,
                    _("%(count)s of %(received)s proofs of %(year)s were chosen for in-depth checks.")
                    % {
                        "count": selection.entries.count(),
                        "received": selection.proofs_received,
                        "year": selection.year,
                    },
                )
                return redirect("in_depth_selection", pk=selection.pk)
    return render(
        request,
        "grants/in_depth_selections.html",
        {"selections": services.selections_visible_to(request.user), "form": form},
    )


@login_required
def selection_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    selection = get_object_or_404(services.selections_visible_to(request.user), pk=pk)
    entries = list(
        selection.entries.select_related("proof__grant__organisation", "proof__review_note").order_by(
            "basis", "proof__grant__file_number", "proof_id"
        )
    )
    return render(request, "grants/in_depth_selection.html", {"selection": selection, "entries": entries})
