"""Carrier and official pages of an application: list, create, detail and workflow steps."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from budgets.rules import allowed
from core.errors import DomainError
from core.lists import Column, ListPage, filtered
from grants.applications.filters import CarrierApplicationFilter
from grants.applications.forms import (
    TRANSITION_FORMS,
    TRANSITION_LABELS,
    ApplicationCreateForm,
    AttachmentForm,
    ProposeApprovalForm,
    TransitionForm,
)
from grants.applications.models import Application, ApplicationState, Attachment
from grants.applications.selectors import (
    applications_visible_to,
    approval_budget,
    budget_available,
    carrier_applications,
    timeline,
)
from grants.applications.services.application import (
    TRANSITION_SERVICES,
    application_rule_check,
    default_instalments,
)
from grants.applications.services.application import application_create as create_service
from grants.applications.validation import plan_totals
from grants.applications.views.common import (
    AuthenticatedRequest,
    show_domain_error,
    visible_application,
    with_requested_grant,
)
from grants.applications.views.correspondence import thread_context
from grants.applications.views.early_start import (
    early_start_context,
    early_start_history,
    early_start_requests,
)
from grants.carriers.selectors import organisations_of
from grants.rules import carrier_organisation_ids

FORWARD_STEPS = {"submit", "start_formal_check", "complete_formal_check", "propose_approval", "approve"}
NEGATIVE_STEPS = {"propose_rejection", "reject", "withdraw"}


MY_COLUMNS = [
    Column("reference", gettext_lazy("Reference"), ("reference",)),
    Column("title", gettext_lazy("Title"), ("title",)),
    Column("programme", gettext_lazy("Programme"), ("programme__name",)),
    Column("state", gettext_lazy("Status"), ("state",)),
    Column("updated", gettext_lazy("Last change"), ("updated_at",)),
    Column("amount", gettext_lazy("Requested grant"), ("requested_grant",), numeric=True),
]


@login_required
def home(request: HttpRequest) -> HttpResponse:
    # Every signed-in person starts in their task inbox (grants.inbox); the lists stay in the menu.
    return redirect("inbox")


@login_required
def application_list(request: HttpRequest) -> HttpResponse:
    filterset = CarrierApplicationFilter(request.GET or None, queryset=carrier_applications(request.user))
    listing = ListPage(request, with_requested_grant(filtered(filterset)), MY_COLUMNS, default="-updated")
    return render(
        request,
        "grants/application_list.html",
        listing.context(
            form=filterset.form,
            filtering=bool(request.GET.get("q") or request.GET.get("state")),
            can_apply=bool(carrier_organisation_ids(request.user)),
        ),
    )


@login_required
def application_create(request: AuthenticatedRequest) -> HttpResponse:
    organisations = list(organisations_of(request.user))
    if not organisations:
        raise PermissionDenied(_("Only members of a project carrier can apply."))
    form = ApplicationCreateForm(request.POST or None, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        try:
            application = create_service(
                organisation=form.chosen_organisation(), by=request.user, **form.service_fields()
            )
        except DomainError as error:
            show_domain_error(request, error)
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, _("The application was created. Now enter the financing plan."))
            return redirect("application_edit", pk=application.pk)
    return render(request, "grants/application_create.html", {"form": form})


def _detail_queryset(user: Any) -> Any:
    return (
        applications_visible_to(user)
        .select_related("proposed_by", "decided_by")
        .prefetch_related(
            "expenditure_lines",
            "cover_lines",
            "instalments",
            Prefetch("attachments", queryset=Attachment.objects.select_related("uploaded_by")),
        )
    )


def _transition_form(name: str, application: Application, data: Any = None) -> TransitionForm:
    form_class = TRANSITION_FORMS.get(name, TransitionForm)
    kwargs: dict[str, Any] = {"application": application, "auto_id": f"id_{name}_%s"}
    if form_class is ProposeApprovalForm:
        kwargs["instalments"] = _instalment_years(application)
    return form_class(data, **kwargs)


def _instalment_years(application: Application) -> dict[int, Decimal | None]:
    instalments: dict[int, Decimal | None] = dict(default_instalments(application))
    if not instalments and application.start_date and application.end_date:
        instalments = dict.fromkeys(range(application.start_date.year, application.end_date.year + 1))
    return instalments


def _available_transitions(application: Application, user: Any) -> list[str]:
    """The steps the state machine offers this user now (its rules decide), in display order."""
    names = set(application.available_steps(user))
    return [name for name in TRANSITION_LABELS if name in names]


def _budget(name: str, application: Application) -> Any:
    """The budget a proposal or an approval would use, from the read the service itself calls."""
    if name == "propose_approval":
        return budget_available(application=application, instalments=default_instalments(application))
    if name == "approve":
        return approval_budget(application)
    return None


def _render_detail(
    request: HttpRequest, application: Application, bound: dict[str, TransitionForm] | None = None
) -> HttpResponse:
    state_labels = dict(ApplicationState.choices)
    expenditure = list(application.expenditure_lines.all())
    cover = list(application.cover_lines.all())
    steps: list[dict[str, Any]] = []
    for name in _available_transitions(application, request.user):
        form = (bound or {}).get(name) or _transition_form(name, application)
        style = "primary" if name in FORWARD_STEPS else "danger" if name in NEGATIVE_STEPS else "secondary"
        steps.append(
            {
                "name": name,
                "label": TRANSITION_LABELS[name],
                "form": form,
                "style": style,
                "budget": _budget(name, application),
            }
        )
    # Unfold the step that moves the application forward (or the one with errors); the
    # others stay folded so the page does not invite a rejection by accident.
    unfolded = next((s for s in steps if s["form"].is_bound), None) or next(
        (s for s in steps if s["style"] == "primary"), None
    )
    for step in steps:
        step["open"] = step is unfolded
    history = [
        {
            "entry": entry,
            "source": state_labels.get(entry.source_state, entry.source_state),
            "target": state_labels.get(entry.state, entry.state),
        }
        for entry in timeline(application)
    ]
    early_starts = early_start_requests(application)
    history = sorted(
        history + early_start_history(early_starts),
        key=lambda item: (item["entry"].timestamp, item["entry"].pk),
    )
    # The named rule without Django's superuser shortcut (``{% has_perm %}`` would offer an
    # administrator an edit link that the service then refuses).
    can_edit = application.is_editable and allowed(request.user, "grants.edit_application", application)
    context = {
        "application": application,
        "expenditure": expenditure,
        "cover": cover,
        "totals": plan_totals(expenditure, cover),
        "rule_errors": application_rule_check(application),
        "attachments": list(application.attachments.all()),
        "instalments": list(application.instalments.all()),
        "history": history,
        "steps": steps,
        "can_edit": can_edit,
        "attachment_form": AttachmentForm(auto_id="id_attachment_%s") if can_edit else None,
    }
    context |= early_start_context(request.user, application, early_starts)
    context |= thread_context(request.user, application)
    return render(request, "grants/application_detail.html", context)


@login_required
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    application = visible_application(request, pk, _detail_queryset(request.user))
    return _render_detail(request, application)


def run_step(
    request: HttpRequest, pk: int, transition: str, service: Callable[..., Application]
) -> HttpResponse:
    """Parse the step's form, call its service, and come back to the detail page.

    Shared by every step of the workflow; the approval's view (``grants.awards.views.decision``)
    passes the award service.
    """
    application = visible_application(request, pk, _detail_queryset(request.user))
    form = _transition_form(transition, application, request.POST)
    if not form.is_valid():
        if transition in _available_transitions(application, request.user):
            # Show the form again with its errors, keeping what was typed.
            return _render_detail(request, application, bound={transition: form})
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect("application_detail", pk=application.pk)
    try:
        result = service(application=application, by=request.user, **form.service_kwargs())
    except DomainError as error:
        show_domain_error(request, error)
    else:
        messages.success(
            request,
            _("“%(step)s” done. The application is now in state “%(state)s”.")
            % {"step": TRANSITION_LABELS[transition], "state": result.get_state_display()},
        )
    return redirect("application_detail", pk=application.pk)


@login_required
@require_POST
def application_transition(request: HttpRequest, pk: int, transition: str) -> HttpResponse:
    service = TRANSITION_SERVICES.get(transition)
    if service is None:
        raise Http404
    return run_step(request, pk, transition, service)
