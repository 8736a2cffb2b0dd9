"""Proofs of use: the list per grant, one proof's page with its review steps, the settlement."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from budgets.rules import allowed, refusal
from core.errors import DomainError
from grants.applications.forms import Form
from grants.applications.views.common import AuthenticatedRequest, show_domain_error
from grants.awards.forms import (
    NarrativeForm,
    ProofAcceptForm,
    ProofChangesForm,
    ProofStepForm,
    ReceiptForm,
    ReceiptImportForm,
    StatementForm,
)
from grants.awards.models import Grant, ProofOfUse, Settlement
from grants.awards.models.proof import EDIT_PROOF
from grants.awards.services import proof as proof_services
from grants.awards.services.proof.overview import proof_overview
from grants.awards.services.proof.settlement import settlement_preview, settlement_result
from grants.awards.views.common import visible_grant
from grants.awards.views.in_depth_part import in_depth_context

RECEIPTS_PER_PAGE = 50  # a long receipt list is paged, never one page of thousands of rows
SHOWN_REPORT_ROWS = 100  # rows of an import check shown (the bad ones when there are any)


@dataclass(frozen=True)
class Step:
    """How a transition of the proof is offered; whether it is offered comes from the state
    machine (:meth:`ProofOfUse.get_available_user_state_transitions`)."""

    label: Promise
    form: type[Form]
    style: str
    done: Promise


STEPS: dict[str, Step] = {
    "submit": Step(
        gettext_lazy("Submit proof of use"),
        ProofStepForm,
        "primary",
        gettext_lazy("The proof of use was submitted."),
    ),
    "start_review": Step(
        gettext_lazy("Start review"),
        ProofStepForm,
        "primary",
        gettext_lazy("The review started."),
    ),
    "request_changes": Step(
        gettext_lazy("Request changes"),
        ProofChangesForm,
        "danger",
        gettext_lazy("The proof of use was sent back for changes."),
    ),
    "accept": Step(
        gettext_lazy("Accept proof of use"),
        ProofAcceptForm,
        "primary",
        gettext_lazy("The proof of use was accepted."),
    ),
}
SERVICES = {
    "submit": lambda **kw: proof_services.proof_submit(**kw),
    "start_review": lambda **kw: proof_services.proof_start_review(**kw),
    "request_changes": lambda **kw: proof_services.proof_request_changes(**kw),
    "accept": lambda **kw: proof_services.proof_accept(**kw),
}


def visible_proof(request: HttpRequest, pk: int, proof_pk: int) -> tuple[Grant, ProofOfUse]:
    grant = visible_grant(request, pk)
    proof = get_object_or_404(ProofOfUse.objects.filter(grant=grant).select_related("plan"), pk=proof_pk)
    proof.grant = grant
    return grant, proof


def can_edit(user: Any, grant: Grant, proof: ProofOfUse) -> bool:
    """``grants.edit_proof`` and the proof in a state the carrier may change."""
    return proof.is_editable and allowed(user, EDIT_PROOF, proof)


def require_editor(user: Any, grant: Grant, proof: ProofOfUse) -> None:
    if not allowed(user, EDIT_PROOF, proof):
        raise PermissionDenied(refusal(user, EDIT_PROOF, proof))


def available_steps(user: Any, proof: ProofOfUse) -> list[str]:
    """The transitions this user may perform on the proof now, in the order they are offered."""
    # django-fsm names the method after the field (``state``).
    transitions = proof.get_available_user_state_transitions(user)  # type: ignore[attr-defined]
    names = {t.name for t in transitions}
    return [name for name in STEPS if name in names]


@login_required
def grant_proofs(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    grant = visible_grant(request, pk)
    today = timezone.localdate()
    proofs = list(ProofOfUse.objects.filter(grant=grant).select_related("plan").order_by("due_on", "pk"))
    for proof in proofs:
        proof.grant = grant
    settlement = Settlement.objects.filter(grant=grant).first()
    return render(
        request,
        "grants/grant_proofs.html",
        {
            "grant": grant,
            "rows": [{"proof": p, "overdue": p.is_overdue(today)} for p in proofs],
            "settlement": settlement,
        },
    )


def proof_page_context(request: HttpRequest, grant: Grant, proof: ProofOfUse, **bound: Any) -> dict[str, Any]:
    user = request.user
    overview = proof_overview(proof)
    editable = can_edit(user, grant, proof)
    context: dict[str, Any] = {
        "grant": grant,
        "proof": proof,
        "overview": overview,
        "editable": editable,
        "overdue": proof.is_overdue(timezone.localdate()),
        "first_check_overdue": proof.is_first_check_overdue(timezone.localdate()),
        "settlement_preview": None,
        "settlement_problems": [],
        # A first recipient's final proof lists every measure of its funds (DOMAIN.md §7).
        "passed_on": proof_services.passed_on_measures(grant) if proof.is_final else None,
    }
    if editable:
        context |= {
            "narrative_form": bound.get("narrative_form")
            or NarrativeForm(initial={"narrative": proof.narrative}, auto_id="id_narrative_%s"),
            "statement_form": bound.get("statement_form")
            or StatementForm(
                initial=StatementForm.initial_for(overview.actual_by_line, overview.unplanned),
                plan_lines=overview.stated_lines,
                labels=overview.labels,
                unplanned=overview.unplanned,
                auto_id="id_st_%s",
            ),
            "receipt_form": bound.get("receipt_form")
            or ReceiptForm(lines=overview.expenditure_labels, auto_id="id_receipt_%s"),
            "import_form": bound.get("import_form") or ReceiptImportForm(auto_id="id_import_%s"),
            "import_report": bound.get("import_report"),
            "import_pending": bound.get("import_pending", False),
            "submission_errors": proof_services.submission_errors(proof),
        }
    context["receipts_page"] = Paginator(overview.receipts, RECEIPTS_PER_PAGE).get_page(
        request.GET.get("belege")
    )
    # In-depth check (officials only): one admission form per receipt of this page, the review note.
    context |= in_depth_context(request, proof, context["receipts_page"])
    report = bound.get("import_report")
    if report is not None:
        # A long file shows its bad rows (or, if there are none, its first rows), never all.
        rows = report.rows if report.ok or len(report.rows) <= SHOWN_REPORT_ROWS else report.bad_rows
        context["import_rows"] = rows[:SHOWN_REPORT_ROWS]
        context["import_rows_hidden"] = len(rows) - SHOWN_REPORT_ROWS if len(rows) > SHOWN_REPORT_ROWS else 0
    steps = []
    for name in available_steps(user, proof):
        step = STEPS[name]
        form = bound.get("step_forms", {}).get(name) or step.form(auto_id=f"id_{name}_%s")
        url = reverse("proof_step", args=[grant.pk, proof.pk, name])
        steps.append({"name": name, "label": step.label, "form": form, "style": step.style, "url": url})
        if name == "accept" and proof.is_final:
            # What accepting books, from the function proof_accept itself calls before writing.
            try:
                preview = settlement_preview(proof)
            except DomainError as error:
                context["settlement_problems"] = error.messages
            else:
                context |= {"settlement_preview": preview, "settlement_problems": preview.problems}
    context["steps"] = steps
    return context


@login_required
def proof_detail(request: AuthenticatedRequest, pk: int, proof_pk: int) -> HttpResponse:
    grant, proof = visible_proof(request, pk, proof_pk)
    return render(request, "grants/grant_proof_detail.html", proof_page_context(request, grant, proof))


@login_required
@require_POST
def proof_step(request: AuthenticatedRequest, pk: int, proof_pk: int, step: str) -> HttpResponse:
    definition = STEPS.get(step)
    if definition is None:
        raise Http404
    grant, proof = visible_proof(request, pk, proof_pk)
    permission = ProofOfUse.PERMISSIONS[step]
    if not allowed(request.user, permission, proof):
        raise PermissionDenied(refusal(request.user, permission, proof))
    form = definition.form(request.POST, auto_id=f"id_{step}_%s")
    if not form.is_valid():
        context = proof_page_context(request, grant, proof, step_forms={step: form})
        return render(request, "grants/grant_proof_detail.html", context)
    try:
        SERVICES[step](proof=proof, by=request.user, **cast(ProofStepForm, form).service_kwargs())
    except DomainError as error:
        show_domain_error(request, error)
    else:
        messages.success(request, str(definition.done))
        if step == "accept" and Settlement.objects.filter(proof=proof).exists():
            return redirect("settlement_detail", pk=grant.pk)
    return redirect("proof_detail", pk=grant.pk, proof_pk=proof.pk)


@login_required
def settlement_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    grant = visible_grant(request, pk)
    settlement = get_object_or_404(Settlement.objects.select_related("proof", "computed_by"), grant=grant)
    settlement.grant = grant
    return render(
        request,
        "grants/grant_settlement.html",
        {
            "grant": grant,
            "settlement": settlement,
            "result": settlement_result(settlement),
            "reclaims": list(grant.reclaims.order_by("decided_on", "pk")),
        },
    )
