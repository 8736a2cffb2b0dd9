"""The in-depth part of a proof's page (DOMAIN.md §9): shown to officials of the office's subtree
only, never to the carrier; one admission form per receipt, and the review note."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from budgets.rules import allowed
from grants.awards.forms import ReceiptAdmissionForm, ReviewNoteForm
from grants.awards.models import InDepthEntry, ProofOfUse, ReviewNote
from grants.awards.models.proof import REVIEW_PROOF
from grants.awards.services.proof import in_depth as services


def in_depth_context(request: HttpRequest, proof: ProofOfUse, receipts: Any) -> dict[str, Any]:
    """The proof page's in-depth part (empty for carriers and proofs not chosen)."""
    user = request.user
    if not allowed(user, services.VIEW_IN_DEPTH, proof):  # carriers: not even a query
        return {"in_depth": None}
    entry = InDepthEntry.objects.filter(proof=proof).select_related("selection").first()
    if entry is None:
        return {"in_depth": None}
    note = ReviewNote.objects.filter(proof=proof).select_related("checked_by").first()
    can_check = note is None and proof.is_in_review and allowed(user, REVIEW_PROOF, proof)
    forms = []
    for receipt in receipts:
        form = None
        if can_check:
            form = ReceiptAdmissionForm(
                prefix=f"r{receipt.pk}",
                auto_id=f"id_r{receipt.pk}_%s",
                initial={
                    "admission": receipt.admission,
                    "admitted_amount": receipt.admitted_amount,
                    "reason": receipt.admission_reason,
                },
            )
        url = reverse("receipt_admit", args=[proof.grant_id, proof.pk, receipt.pk])
        forms.append({"receipt": receipt, "form": form, "url": url})
    return {
        "in_depth": entry,
        "review_note": note,
        "admission_rows": forms,
        "admission_totals": services.admission_totals(proof),
        "review_note_form": ReviewNoteForm(auto_id="id_note_%s") if can_check else None,
        "can_check": can_check,
    }
