"""Proofs of use: the list per grant, one proof's page with its review steps, the settlement."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from budgets.choices import CostCategory
from core.errors import DomainError
from grants.applications.forms import Form
from grants.applications.views.common import show_domain_error
from grants.awards.forms import (
    NarrativeForm,
    ProofAcceptForm,
    ProofChangesForm,
    ProofStepForm,
    ReceiptForm,
    ReceiptImportForm,
    StatementForm,
)
from grants.awards.models import Grant, ProofOfUse, ProofState, Settlement
from grants.awards.services import proof as proof_services
from grants.awards.services.proof._common import CLOSED_GRANT_STATES, EDITABLE_PROOF_STATES, relevant_lines
from grants.awards.views.common import CASE_OFFICER, is_recipient, is_staff_for, visible_grant

P = ProofState


@dataclass(frozen=True)
class Step:
    label: Promise
    form: type[Form]
    states: tuple[str, ...]
    staff: bool
    style: str
    done: Promise


STEPS: dict[str, Step] = {
    "submit": Step(
        gettext_lazy("Submit proof of use"),
        ProofStepForm,
        EDITABLE_PROOF_STATES,
        False,
        "primary",
        gettext_lazy("The proof of use was submitted."),
    ),
    "start_review": Step(
        gettext_lazy("Start review"),
        ProofStepForm,
        (P.SUBMITTED,),
        True,
        "primary",
        gettext_lazy("The review started."),
    ),
    "request_changes": Step(
        gettext_lazy("Request changes"),
        ProofChangesForm,
        (P.IN_REVIEW,),
        True,
        "danger",
        gettext_lazy("The proof of use was sent back for changes."),
    ),
    "accept": Step(
        gettext_lazy("Accept proof of use"),
        ProofAcceptForm,
        (P.IN_REVIEW,),
        True,
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
    return (
        is_recipient(user, grant)
        and proof.state in EDITABLE_PROOF_STATES
        and grant.state not in CLOSED_GRANT_STATES
    )


def require_editor(user: Any, grant: Grant, proof: ProofOfUse) -> None:
    if not is_recipient(user, grant):
        raise PermissionDenied(_("Only members of the grant recipient may change this proof of use."))


def _step_allowed(name: str, grant: Grant, proof: ProofOfUse, user: Any) -> bool:
    step = STEPS[name]
    if proof.state not in step.states:
        return False
    return is_staff_for(user, grant, CASE_OFFICER) if step.staff else can_edit(user, grant, proof)


@login_required
def grant_proofs(request: HttpRequest, pk: int) -> HttpResponse:
    grant = visible_grant(request, pk)
    proofs = list(ProofOfUse.objects.filter(grant=grant).select_related("plan").order_by("due_on", "pk"))
    settlement = Settlement.objects.filter(grant=grant).first()
    return render(
        request,
        "grants/grant_proofs.html",
        {"grant": grant, "proofs": proofs, "settlement": settlement, "today": timezone.localdate()},
    )


def proof_page_context(request: HttpRequest, grant: Grant, proof: ProofOfUse, **bound: Any) -> dict[str, Any]:
    user = request.user
    plan_lines = list(proof.plan.lines.all())
    labels = proof_services.plan_line_labels(plan_lines)
    relevant = relevant_lines(proof, plan_lines)
    statement = list(proof.lines.select_related("plan_line").all())
    actual_by_line = {s.plan_line_id: s.actual for s in statement if s.plan_line_id}
    unplanned = [s for s in statement if not s.plan_line_id]
    receipts = list(proof.receipts.select_related("plan_line").all())
    receipt_totals: dict[int, Decimal] = {}
    for receipt in receipts:
        receipt_totals[receipt.plan_line_id] = (
            receipt_totals.get(receipt.plan_line_id, Decimal(0)) + receipt.amount
        )
    rows = [
        {
            "line": line,
            "label": labels[line.pk],
            "actual": actual_by_line.get(line.pk),
            "receipts": receipt_totals.get(line.pk),
            "mismatch": line.side == "expenditure"
            and proof.kind == "final"
            and receipt_totals.get(line.pk, Decimal(0)) != actual_by_line.get(line.pk, Decimal(0)),
        }
        for line in relevant
    ]
    editable = can_edit(user, grant, proof)
    context: dict[str, Any] = {
        "grant": grant,
        "proof": proof,
        "rows": rows,
        "unplanned": unplanned,
        "receipts": receipts,
        "receipts_total": sum((r.amount for r in receipts), Decimal(0)),
        "editable": editable,
        "is_staff": is_staff_for(user, grant),
    }
    if editable:
        stated_lines = [line for line in relevant if line.cover_kind != "grant"]
        expenditure_labels = {line.pk: labels[line.pk] for line in relevant if line.side == "expenditure"}
        initial = StatementForm.initial_for(actual_by_line, unplanned)
        context |= {
            "narrative_form": bound.get("narrative_form")
            or NarrativeForm(initial={"narrative": proof.narrative}, auto_id="id_narrative_%s"),
            "statement_form": bound.get("statement_form")
            or StatementForm(
                initial=initial,
                plan_lines=stated_lines,
                labels=labels,
                unplanned=unplanned,
                auto_id="id_st_%s",
            ),
            "receipt_form": bound.get("receipt_form")
            or ReceiptForm(lines=expenditure_labels, auto_id="id_receipt_%s"),
            "import_form": bound.get("import_form") or ReceiptImportForm(auto_id="id_import_%s"),
            "import_report": bound.get("import_report"),
            "import_pending": bound.get("import_pending", False),
            "submission_errors": proof_services.submission_errors(proof),
        }
    steps = []
    for name, step in STEPS.items():
        if not _step_allowed(name, grant, proof, user):
            continue
        form = bound.get("step_forms", {}).get(name) or step.form(auto_id=f"id_{name}_%s")
        url = reverse("proof_step", args=[grant.pk, proof.pk, name])
        steps.append({"name": name, "label": step.label, "form": form, "style": step.style, "url": url})
    context["steps"] = steps
    return context


@login_required
def proof_detail(request: HttpRequest, pk: int, proof_pk: int) -> HttpResponse:
    grant, proof = visible_proof(request, pk, proof_pk)
    return render(request, "grants/grant_proof_detail.html", proof_page_context(request, grant, proof))


@login_required
@require_POST
def proof_step(request: HttpRequest, pk: int, proof_pk: int, step: str) -> HttpResponse:
    definition = STEPS.get(step)
    if definition is None:
        raise Http404
    grant, proof = visible_proof(request, pk, proof_pk)
    if definition.staff and not is_staff_for(request.user, grant, CASE_OFFICER):
        raise PermissionDenied(_("Only a case officer of the granting office can review a proof of use."))
    if not definition.staff:
        require_editor(request.user, grant, proof)
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
def settlement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    grant = visible_grant(request, pk)
    settlement = get_object_or_404(Settlement.objects.select_related("proof", "computed_by"), grant=grant)
    categories = dict(CostCategory.choices)
    lines = [
        line | {"category": categories.get(line.get("category"), line.get("category"))}
        for line in settlement.lines
    ]
    capped = [line for line in lines if line.get("capped")]
    sum_recognised = sum((Decimal(line["recognised"]) for line in lines), Decimal(0))
    reclaims = list(grant.reclaims.order_by("decided_on", "pk"))
    return render(
        request,
        "grants/grant_settlement.html",
        {
            "grant": grant,
            "settlement": settlement,
            "lines": lines,
            "capped_count": len(capped),
            "sum_recognised": sum_recognised,
            "tolerance_percent": grant.overrun_tolerance * 100,
            "reclaims": reclaims,
        },
    )
