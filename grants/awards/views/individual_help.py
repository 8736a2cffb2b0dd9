"""Individual help of a proof (exit programmes, DOMAIN.md §6): sums per case and purpose, and
the auditor's random sample of case pseudonyms for an on-site check."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from budgets.rules import allowed
from core.errors import DomainError
from grants.applications.views.common import AuthenticatedRequest, show_domain_error
from grants.awards.forms.individual_help import CaseSampleForm
from grants.awards.models.individual_help import DRAW_CASE_SAMPLE, VIEW_INDIVIDUAL_HELP
from grants.awards.services.proof.individual_help import (
    case_population,
    case_sample_draw,
    case_samples,
    individual_help_by_case,
    individual_help_sums,
)
from grants.awards.views.common import form_errors_as_messages, require_rule
from grants.awards.views.proofs import visible_proof


@login_required
def individual_help(request: AuthenticatedRequest, pk: int, proof_pk: int) -> HttpResponse:
    grant, proof = visible_proof(request, pk, proof_pk)
    require_rule(request.user, VIEW_INDIVIDUAL_HELP, proof)
    sums = individual_help_sums(proof)
    may_draw = allowed(request.user, DRAW_CASE_SAMPLE, proof)
    context = {
        "grant": grant,
        "proof": proof,
        "sums": sums,
        "by_case": individual_help_by_case(sums, grant.individual_help_cap),
        "cap": grant.individual_help_cap,
        "samples": case_samples(proof),
        "population": len(case_population(proof)) if may_draw else None,
        "sample_form": CaseSampleForm(auto_id="id_sample_%s") if may_draw else None,
    }
    return render(request, "grants/grant_individual_help.html", context)


@login_required
@require_POST
def case_sample(request: AuthenticatedRequest, pk: int, proof_pk: int) -> HttpResponse:
    _grant, proof = visible_proof(request, pk, proof_pk)
    form = CaseSampleForm(request.POST)
    if not form.is_valid():
        form_errors_as_messages(request, form)
    else:
        try:
            sample = case_sample_draw(proof=proof, by=request.user, size=form.cleaned_data["size"])
        except DomainError as error:
            show_domain_error(request, error)
        else:
            messages.success(
                request,
                _("Drawn for the on-site check: %(cases)s.") % {"cases": ", ".join(sample.cases)},
            )
    return redirect("individual_help", pk=pk, proof_pk=proof_pk)
