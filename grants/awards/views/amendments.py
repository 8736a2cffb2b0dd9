"""Amendments (Änderungsantrag): the carrier's new plan, the officials' four-eyes decision,
and every plan version side by side."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from budgets.choices import StaffRole
from core.errors import DomainError
from grants.applications.forms import Form
from grants.applications.views.common import show_domain_error
from grants.awards.forms import AmendmentForm, AmendmentRejectForm, AmendmentSubmitForm, ProofStepForm
from grants.awards.models import Amendment, Grant
from grants.awards.selectors import plan_sides, plan_versions
from grants.awards.services import amendment as amendment_services
from grants.awards.views.common import is_recipient, is_staff_for, require_recipient, visible_grant

EMPTY_ROWS = 3


@dataclass(frozen=True)
class Step:
    label: Promise
    form: type[Form]
    states: tuple[str, ...]
    roles: tuple[str, ...] | None  # None: the recipient
    style: str


STEPS = {
    "submit": Step(gettext_lazy("Submit amendment"), AmendmentSubmitForm, ("draft",), None, "primary"),
    "withdraw": Step(
        gettext_lazy("Withdraw amendment"), ProofStepForm, ("draft", "submitted", "proposed"), None, "danger"
    ),
    "propose": Step(
        gettext_lazy("Propose approval"), ProofStepForm, ("submitted",), (StaffRole.CASE_OFFICER,), "primary"
    ),
    "approve": Step(
        gettext_lazy("Approve amendment"), ProofStepForm, ("proposed",), (StaffRole.APPROVER,), "primary"
    ),
    "reject": Step(
        gettext_lazy("Reject amendment"),
        AmendmentRejectForm,
        ("submitted", "proposed"),
        (StaffRole.APPROVER,),
        "danger",
    ),
}
SERVICES = {
    "submit": lambda **kw: amendment_services.amendment_submit(**kw),
    "withdraw": lambda **kw: amendment_services.amendment_withdraw(**kw),
    "propose": lambda **kw: amendment_services.amendment_propose(**kw),
    "approve": lambda **kw: amendment_services.amendment_approve(**kw),
    "reject": lambda **kw: amendment_services.amendment_reject(**kw),
}


def _years(grant: Grant, extra: list[int]) -> list[int]:
    years = set(range(grant.period_start.year, grant.period_end.year + 2)) | set(extra)
    return sorted(years)


def _allowed(name: str, amendment: Amendment, grant: Grant, user: Any) -> bool:
    step = STEPS[name]
    if amendment.state not in step.states:
        return False
    return is_recipient(user, grant) if step.roles is None else is_staff_for(user, grant, step.roles)


@login_required
def grant_amendments(request: HttpRequest, pk: int) -> HttpResponse:
    grant = visible_grant(request, pk)
    amendments = list(
        Amendment.objects.filter(grant=grant).select_related("resulting_plan").order_by("number")
    )
    versions = [plan_sides(v) for v in plan_versions(grant)]
    can_create = (
        is_recipient(request.user, grant)
        and grant.state in amendment_services.AMENDABLE_GRANT_STATES
        and not any(a.state in amendment_services.OPEN_AMENDMENT_STATES for a in amendments)
    )
    return render(
        request,
        "grants/grant_amendments.html",
        {"grant": grant, "amendments": amendments, "versions": versions, "can_create": can_create},
    )


def _editor(grant: Grant, data: Any = None, amendment: Amendment | None = None) -> AmendmentForm:
    if amendment is None:
        lines, instalments = amendment_services.amendment_lines_from_plan(grant)
        fields: dict[str, Any] = {}
    else:
        lines = [
            {
                "category": x.category,
                "cover_kind": x.cover_kind,
                "text": x.text,
                "budget_year": x.budget_year,
                "amount": x.amount,
            }
            for x in amendment.lines.all()
        ]
        instalments = {i.budget_year: i.amount for i in amendment.instalments.all()}
        fields = {"reason": amendment.reason, "new_period_end": amendment.new_period_end}
    rows = len(lines) + EMPTY_ROWS
    if data is not None:
        rows = max(rows, sum(1 for key in data if key.startswith("row_") and key.endswith("_kind")))
    initial = AmendmentForm.initial_for(lines, instalments, **fields)
    return AmendmentForm(
        data, initial=initial, rows=rows, years=_years(grant, list(instalments)), auto_id="id_am_%s"
    )


@login_required
def amendment_new(request: HttpRequest, pk: int) -> HttpResponse:
    grant = visible_grant(request, pk)
    require_recipient(request.user, grant)
    form = _editor(grant, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            amendment = amendment_services.amendment_create(
                grant=grant, by=request.user, **form.service_kwargs()
            )
        except DomainError as error:
            show_domain_error(request, error)
        else:
            messages.success(request, _("The amendment was saved as a draft. Check it and submit it."))
            return redirect("amendment_detail", pk=grant.pk, amendment_pk=amendment.pk)
    return render(
        request, "grants/grant_amendment_edit.html", {"grant": grant, "form": form, "amendment": None}
    )


def _amendment(request: HttpRequest, pk: int, amendment_pk: int) -> tuple[Grant, Amendment]:
    grant = visible_grant(request, pk)
    amendment = get_object_or_404(
        Amendment.objects.filter(grant=grant).select_related(
            "created_by", "proposed_by", "decided_by", "resulting_plan"
        ),
        pk=amendment_pk,
    )
    amendment.grant = grant
    return grant, amendment


@login_required
def amendment_edit(request: HttpRequest, pk: int, amendment_pk: int) -> HttpResponse:
    grant, amendment = _amendment(request, pk, amendment_pk)
    require_recipient(request.user, grant)
    if amendment.state != "draft":
        raise PermissionDenied(_("Only a draft amendment can be changed."))
    form = _editor(grant, request.POST if request.method == "POST" else None, amendment)
    if request.method == "POST" and form.is_valid():
        try:
            amendment_services.amendment_update(amendment=amendment, by=request.user, **form.service_kwargs())
        except DomainError as error:
            show_domain_error(request, error)
        else:
            messages.success(request, _("The amendment was saved."))
            return redirect("amendment_detail", pk=grant.pk, amendment_pk=amendment.pk)
    return render(
        request, "grants/grant_amendment_edit.html", {"grant": grant, "form": form, "amendment": amendment}
    )


def _proposed_sides(amendment: Amendment) -> dict[str, Any]:
    lines = list(amendment.lines.all())
    expenditure = [x for x in lines if x.side == "expenditure"]
    cover = [x for x in lines if x.side == "cover"]
    return {
        "expenditure": expenditure,
        "cover": cover,
        "expenditure_total": sum((x.amount for x in expenditure), 0),
        "cover_total": sum((x.amount for x in cover), 0),
    }


@login_required
def amendment_detail(
    request: HttpRequest, pk: int, amendment_pk: int, bound: tuple[str, Form] | None = None
) -> HttpResponse:
    grant, amendment = _amendment(request, pk, amendment_pk)
    versions = [plan_sides(v) for v in plan_versions(grant)]
    base = next(
        (
            v
            for v in versions
            if amendment.resulting_plan_id and v["version"].pk == amendment.resulting_plan_id
        ),
        None,
    )
    current = versions[-1] if versions else None
    if base is not None:
        current = next((v for v in versions if v["version"].version == base["version"].version - 1), current)
    assessment = amendment_services.amendment_assessment(amendment) if amendment.state == "draft" else None
    steps = []
    for name, step in STEPS.items():
        if _allowed(name, amendment, grant, request.user):
            form = bound[1] if bound and bound[0] == name else step.form(auto_id=f"id_{name}_%s")
            url = reverse("amendment_step", args=[grant.pk, amendment.pk, name])
            steps.append({"name": name, "label": step.label, "form": form, "style": step.style, "url": url})
    return render(
        request,
        "grants/grant_amendment_detail.html",
        {
            "grant": grant,
            "amendment": amendment,
            "proposed": _proposed_sides(amendment),
            "proposed_instalments": list(amendment.instalments.all()),
            "current": current,
            "instalments": list(grant.instalments.all()),
            "assessment": assessment,
            "steps": steps,
            "can_edit": amendment.state == "draft" and is_recipient(request.user, grant),
        },
    )


@login_required
@require_POST
def amendment_step(request: HttpRequest, pk: int, amendment_pk: int, step: str) -> HttpResponse:
    definition = STEPS.get(step)
    if definition is None:
        raise Http404
    grant, amendment = _amendment(request, pk, amendment_pk)
    if definition.roles is None:
        require_recipient(request.user, grant)
    elif not is_staff_for(request.user, grant, definition.roles):
        raise PermissionDenied(_("Your role in the granting office does not allow this step."))
    form = definition.form(request.POST, auto_id=f"id_{step}_%s")
    if not form.is_valid():
        return amendment_detail(request, pk, amendment_pk, bound=(step, form))
    try:
        result = SERVICES[step](amendment=amendment, by=request.user, **cast(Any, form).service_kwargs())
    except DomainError as error:
        show_domain_error(request, error)
    else:
        messages.success(
            request,
            _("“%(step)s” done. The amendment is now in state “%(state)s”.")
            % {"step": definition.label, "state": result.get_state_display()},
        )
    return redirect("amendment_detail", pk=grant.pk, amendment_pk=amendment.pk)
