"""Amendments (Änderungsantrag): the carrier's new plan, the officials' four-eyes decision,
and every plan version side by side."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.models import User
from budgets.rules import allowed, refusal
from core.errors import DomainError
from grants.applications.forms import Form
from grants.applications.views.common import show_domain_error
from grants.awards.forms import AmendmentForm, AmendmentRejectForm, AmendmentSubmitForm, ProofStepForm
from grants.awards.models import Amendment, Grant
from grants.awards.selectors import plan_sides, plan_versions
from grants.awards.services import amendment as amendment_services
from grants.awards.views.common import visible_grant

EMPTY_ROWS = 1
MAX_ROWS = 300
REQUEST = "grants.request_amendment"


@dataclass(frozen=True)
class Step:
    label: Promise
    form: type[Form]
    style: str
    rule: str


# Which steps a user sees comes from the state machine (state and named permission of each
# transition); this table only says how a step looks.
STEPS = {
    "submit": Step(gettext_lazy("Submit amendment"), AmendmentSubmitForm, "primary", REQUEST),
    "propose": Step(gettext_lazy("Propose approval"), ProofStepForm, "primary", "grants.propose_amendment"),
    "approve": Step(gettext_lazy("Approve amendment"), ProofStepForm, "primary", "grants.decide_amendment"),
    "reject": Step(
        gettext_lazy("Reject amendment"), AmendmentRejectForm, "danger", "grants.decide_amendment"
    ),
    "withdraw": Step(gettext_lazy("Withdraw amendment"), ProofStepForm, "danger", REQUEST),
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


def _require(user: Any, name: str, obj: Any) -> None:
    """The named rule, refused as a 403 page with its sentence."""
    if not allowed(user, name, obj):
        raise PermissionDenied(refusal(user, name, obj))


@login_required
def grant_amendments(request: HttpRequest, pk: int) -> HttpResponse:
    grant = visible_grant(request, pk)
    amendments = list(
        Amendment.objects.filter(grant=grant).select_related("resulting_plan").order_by("number")
    )
    versions = [plan_sides(v) for v in plan_versions(grant)]
    can_create = allowed(request.user, REQUEST, grant) and not amendment_services.amendment_start_refusal(
        grant
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
        rows = _posted_rows(data) or rows
    initial = AmendmentForm.initial_for(lines, instalments, **fields)
    return AmendmentForm(
        data, initial=initial, rows=rows, years=_years(grant, list(instalments)), auto_id="id_am_%s"
    )


def _posted_rows(data: Any) -> int:
    return min(sum(1 for key in data if key.startswith("row_") and key.endswith("_kind")), MAX_ROWS)


def _row_action(data: QueryDict) -> QueryDict | None:
    """Apply an "add line" / "remove line" button to a copy of the posted data, or None.

    The server renumbers the rows, so the buttons work without JavaScript; the other typed
    values move with their line."""
    rows = _posted_rows(data)
    if data.get("add_line"):
        changed = data.copy()
        if rows < MAX_ROWS:
            for name in AmendmentForm.ROW_FIELDS:
                changed[f"row_{rows}_{name}"] = ""
        return changed
    removed = data.get("remove_line", "")
    if not removed.isdigit():
        return None
    changed = data.copy()
    index = int(removed)
    if index < rows:
        for row in range(index, rows - 1):
            for name in AmendmentForm.ROW_FIELDS:
                changed[f"row_{row}_{name}"] = data.get(f"row_{row + 1}_{name}", "")
        for name in AmendmentForm.ROW_FIELDS:
            changed.pop(f"row_{rows - 1}_{name}", None)
    return changed


def _preview(grant: Grant, form: AmendmentForm) -> dict[str, Any]:
    """The live check of the plan as typed: ``amendment_preview``, the read the save and the
    submission share, plus the form's own marks."""
    form.is_valid()
    kwargs = form.service_kwargs() if form.is_bound else form.service_kwargs(form.initial)
    preview = amendment_services.amendment_preview(grant=grant, **kwargs)
    return {"preview": preview, "form_errors": form.input_errors() if form.is_bound else []}


def _edit_page(
    request: HttpRequest,
    grant: Grant,
    amendment: Amendment | None,
    save: Callable[[AmendmentForm], Amendment],
) -> HttpResponse:
    """The editor of a new or a draft amendment: save, add or remove a line, or show."""
    changed = _row_action(request.POST) if request.method == "POST" else None
    data = changed if changed is not None else (request.POST if request.method == "POST" else None)
    form = _editor(grant, data, amendment)
    if request.method == "POST" and changed is None and form.is_valid():
        try:
            saved = save(form)
        except DomainError as error:
            show_domain_error(request, error)
        else:
            if amendment is None:
                messages.success(request, _("The amendment was saved as a draft. Check it and submit it."))
            else:
                messages.success(request, _("The amendment was saved."))
            return redirect("amendment_detail", pk=grant.pk, amendment_pk=saved.pk)
    hide_errors = changed is not None  # a half-filled line is no error while the user is still typing
    if hide_errors and request.POST.get("add_line"):
        form.fields[f"row_{form.row_count - 1}_kind"].widget.attrs["autofocus"] = True
    context = {
        "grant": grant,
        "form": form,
        "amendment": amendment,
        "hide_errors": hide_errors,
        **_preview(grant, form),
    }
    if getattr(request, "htmx", False) and changed is not None:
        return render(request, "grants/partials/amendment_editor_swap.html", context)
    return render(request, "grants/grant_amendment_edit.html", context)


@login_required
def amendment_new(request: HttpRequest, pk: int) -> HttpResponse:
    grant = visible_grant(request, pk)
    _require(request.user, REQUEST, grant)
    return _edit_page(
        request,
        grant,
        None,
        lambda form: amendment_services.amendment_create(
            grant=grant, by=cast(User, request.user), **form.service_kwargs()
        ),
    )


@login_required
@require_POST
def amendment_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """The editor's live check (htmx, while typing): totals, rules, old and new side by side."""
    grant = visible_grant(request, pk)
    _require(request.user, REQUEST, grant)
    form = _editor(grant, request.POST)
    return render(
        request,
        "grants/partials/amendment_preview_response.html",
        {"grant": grant, "form": form, **_preview(grant, form)},
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
    _require(request.user, REQUEST, amendment)
    if not amendment.is_draft:
        raise PermissionDenied(_("Only a draft amendment can be changed."))
    return _edit_page(
        request,
        grant,
        amendment,
        lambda form: amendment_services.amendment_update(
            amendment=amendment, by=cast(User, request.user), **form.service_kwargs()
        ),
    )


def _steps(grant: Grant, amendment: Amendment, user: Any, bound: tuple[str, Form] | None) -> list[dict]:
    """The transitions this user may take now (state and named rule), in the order of ``STEPS``."""
    available = {t.name for t in amendment.get_available_user_state_transitions(user)}  # type: ignore[attr-defined]
    steps = []
    for name, step in STEPS.items():
        if name in available:
            form = bound[1] if bound and bound[0] == name else step.form(auto_id=f"id_{name}_%s")
            url = reverse("amendment_step", args=[grant.pk, amendment.pk, name])
            steps.append({"name": name, "label": step.label, "form": form, "style": step.style, "url": url})
    return steps


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
    proposed_instalments = list(amendment.instalments.all())
    instalments = list(grant.instalments.all())
    comparison = amendment_services.plan_comparison(
        current["version"].lines.all() if current else [], amendment.lines.all()
    )
    instalment_comparison = amendment_services.instalment_comparison(
        {i.budget_year: i.amount for i in instalments},
        {i.budget_year: i.amount for i in proposed_instalments},
    )
    assessment = amendment_services.amendment_assessment(amendment) if amendment.is_draft else None
    # The same read ``amendment_approve`` makes before it writes.
    effect = amendment_services.amendment_budget_effect(amendment) if amendment.is_open else None
    return render(
        request,
        "grants/grant_amendment_detail.html",
        {
            "grant": grant,
            "amendment": amendment,
            "comparison": comparison,
            "instalment_comparison": instalment_comparison,
            "current": current,
            "assessment": assessment,
            "effect": effect,
            "steps": _steps(grant, amendment, request.user, bound),
            "can_edit": amendment.is_draft and allowed(request.user, REQUEST, amendment),
        },
    )


@login_required
@require_POST
def amendment_step(request: HttpRequest, pk: int, amendment_pk: int, step: str) -> HttpResponse:
    definition = STEPS.get(step)
    if definition is None:
        raise Http404
    grant, amendment = _amendment(request, pk, amendment_pk)
    _require(request.user, definition.rule, amendment)
    form = definition.form(request.POST, auto_id=f"id_{step}_%s")
    if not form.is_valid():
        return amendment_detail(request, pk, amendment_pk, bound=(step, form))
    try:
        result = SERVICES[step](amendment=amendment, by=request.user, **cast(Any, form).service_kwargs())
    except DomainError as error:
        show_domain_error(request, error)  # a refused permission becomes a 403 page with its sentence
    else:
        messages.success(
            request,
            _("“%(step)s” done. The amendment is now in state “%(state)s”.")
            % {"step": definition.label, "state": result.get_state_display()},
        )
    return redirect("amendment_detail", pk=grant.pk, amendment_pk=amendment.pk)
