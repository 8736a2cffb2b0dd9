"""The grant list ("Zuwendungen") and the grant page with finality, figures and the timeline."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from budgets.rules import allowed, office_roles
from core.errors import DomainError
from core.formatting import format_date
from core.lists import Column, ListPage, filtered
from grants.applications.selectors import offices_for
from grants.applications.views.common import AuthenticatedRequest, show_domain_error
from grants.applications.views.correspondence import BACK_TO_GRANT, thread_context
from grants.awards.deadlines import deadlines_for_staff
from grants.awards.forms import (
    NoticePostForm,
    ObjectionConcludeForm,
    ObjectionRecordForm,
    ObjectionWaiveForm,
)
from grants.awards.models import Amendment, Grant, ProofOfUse, Reclaim
from grants.awards.models.grant import (
    CONCLUDE_OBJECTION,
    RECORD_NOTICE_POSTING,
    RECORD_OBJECTION,
    REVOKE_GRANT,
    WAIVE_OBJECTION,
)
from grants.awards.selectors import (
    grant_detail_queryset,
    grant_drawdowns,
    grant_filter,
    grant_timeline,
    grants_visible_to,
    instalment_rows,
    instalment_totals,
    plan_sides,
    plan_versions,
)
from grants.awards.services.grant import (
    grant_notice_post,
    grant_objection_conclude,
    grant_objection_record,
    grant_objection_waive,
)
from grants.awards.views.common import form_errors_as_messages, require_rule, visible_grant

REQUEST_DRAWDOWN = "grants.request_drawdown"


GRANT_COLUMNS = [
    Column("file_number", gettext_lazy("File number"), ("file_number",)),
    Column("title", gettext_lazy("Project"), ("title",)),
    Column("office", gettext_lazy("Office"), ("office__name",)),
    Column("programme", gettext_lazy("Programme"), ("programme__name",)),
    Column("period", gettext_lazy("Approval period"), ("period_start", "period_end")),
    Column("state", gettext_lazy("Status"), ("state",)),
    Column("amount", gettext_lazy("Maximum amount"), ("granted_amount",), numeric=True),
    Column("approved", gettext_lazy("Approved"), ("approved_at",), shown=False),
]


@login_required
def grants_index(request: HttpRequest) -> HttpResponse:
    staff = bool(request.user.is_superuser or office_roles(request.user))
    filterset = grant_filter(request.user, request.GET, offices=offices_for(request.user) if staff else None)
    columns = GRANT_COLUMNS if staff else [c for c in GRANT_COLUMNS if c.key != "office"]
    listing = ListPage(request, filtered(filterset), columns, default="-approved")
    deadlines = deadlines_for_staff(request.user, today=timezone.localdate()) if staff else None
    return render(
        request,
        "grants/grant_list.html",
        listing.context(form=filterset.form, staff=staff, deadlines=deadlines),
    )


@login_required
def grant_of_application(request: HttpRequest, application_pk: int) -> HttpResponse:
    """The application page links here, so it needs no query to know its grant."""
    grant_pk = (
        grants_visible_to(request.user)
        .filter(application_id=application_pk)
        .values_list("pk", flat=True)
        .first()
    )
    if grant_pk is None:
        raise Http404
    return redirect("grant_detail", pk=grant_pk)


def _children(grant: Grant) -> dict[str, Any]:
    return {
        "drawdowns": grant_drawdowns(grant),
        "proofs": list(ProofOfUse.objects.filter(grant=grant).order_by("due_on", "pk")),
        "reclaims": list(Reclaim.objects.filter(grant=grant).order_by("decided_on", "pk")),
        "amendments": list(Amendment.objects.filter(grant=grant).order_by("number")),
    }


def _render_detail(
    request: HttpRequest,
    grant: Grant,
    *,
    post_form: NoticePostForm | None = None,
    waive_form: ObjectionWaiveForm | None = None,
) -> HttpResponse:
    children = _children(grant)
    rows = instalment_rows(grant, children["drawdowns"])
    versions = [plan_sides(v) for v in plan_versions(grant)]
    user = request.user
    today = timezone.localdate()
    # Recording the posting and an objection change no state: the model says when they apply.
    # Waiver and conclusion are transitions: the state machine offers them to whoever may.
    steps = {t.name for t in grant.get_available_user_state_transitions(user)}  # type: ignore[attr-defined]
    can_post = grant.accepts_notice_posting and allowed(user, RECORD_NOTICE_POSTING, grant)
    can_record_objection = grant.accepts_objection and allowed(user, RECORD_OBJECTION, grant)
    # The named rules themselves (budgets.rules.allowed): {% has_perm %} would pass every
    # superuser, who takes no decision on a grant without a role in its office.
    context = {
        "grant": grant,
        "rows": rows,
        "totals": instalment_totals(rows),
        "versions": versions,
        "current_version": versions[-1] if versions else None,
        "timeline": grant_timeline(grant, **children),
        "may_request": allowed(user, REQUEST_DRAWDOWN, grant),
        "can_revoke": grant.accepts_revocation and allowed(user, REVOKE_GRANT, grant),
        "post_form": (post_form or NoticePostForm(initial={"posted_on": today}, auto_id="id_post_%s"))
        if can_post
        else None,
        "waive_form": (waive_form or ObjectionWaiveForm(initial={"waived_on": today}, auto_id="id_waive_%s"))
        if "waive_objection" in steps
        else None,
        "objection_form": ObjectionRecordForm(initial={"lodged_on": today}, auto_id="id_objection_%s")
        if can_record_objection
        else None,
        "conclude_form": ObjectionConcludeForm(auto_id="id_conclude_%s")
        if "conclude_objection" in steps
        else None,
        **children,
        **thread_context(user, grant.application, back=BACK_TO_GRANT),
    }
    return render(request, "grants/grant_detail.html", context)


@login_required
def grant_detail(request: HttpRequest, pk: int) -> HttpResponse:
    grant = visible_grant(request, pk, grant_detail_queryset(request.user))
    return _render_detail(request, grant)


@login_required
@require_POST
def grant_notice_post_view(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    grant = visible_grant(request, pk, grant_detail_queryset(request.user))
    require_rule(request.user, RECORD_NOTICE_POSTING, grant)
    form = NoticePostForm(request.POST, auto_id="id_post_%s")
    if not form.is_valid():
        return _render_detail(request, grant, post_form=form)
    try:
        grant = grant_notice_post(grant=grant, posted_on=form.cleaned_data["posted_on"], by=request.user)
    except DomainError as error:
        show_domain_error(request, error)
    else:
        messages.success(
            request,
            _(
                "The posting was recorded. The notice counts as received on %(received)s; the objection period ends on %(deadline)s."
            )
            % {
                "received": format_date(grant.deemed_received_on),
                "deadline": format_date(grant.objection_deadline),
            },
        )
    return redirect("grant_detail", pk=pk)


@login_required
@require_POST
def grant_objection_waive_view(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    grant = visible_grant(request, pk, grant_detail_queryset(request.user))
    require_rule(request.user, WAIVE_OBJECTION, grant)
    form = ObjectionWaiveForm(request.POST, auto_id="id_waive_%s")
    if not form.is_valid():
        form_errors_as_messages(request, form)
        return redirect("grant_detail", pk=pk)
    try:
        grant = grant_objection_waive(grant=grant, waived_on=form.cleaned_data["waived_on"], by=request.user)
    except DomainError as error:
        show_domain_error(request, error)
    else:
        messages.success(
            request,
            _("The right to object was waived. The notice is final from %(date)s.")
            % {"date": format_date(grant.final_on)},
        )
    return redirect("grant_detail", pk=pk)


@login_required
@require_POST
def grant_objection_record_view(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    grant = visible_grant(request, pk, grant_detail_queryset(request.user))
    require_rule(request.user, RECORD_OBJECTION, grant)
    form = ObjectionRecordForm(request.POST, auto_id="id_objection_%s")
    if not form.is_valid():
        form_errors_as_messages(request, form)
        return redirect("grant_detail", pk=pk)
    try:
        grant_objection_record(grant=grant, lodged_on=form.cleaned_data["lodged_on"], by=request.user)
    except DomainError as error:
        show_domain_error(request, error)
    else:
        messages.success(
            request, _("The objection was recorded; the notice does not become final until it is concluded.")
        )
    return redirect("grant_detail", pk=pk)


@login_required
@require_POST
def grant_objection_conclude_view(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    grant = visible_grant(request, pk, grant_detail_queryset(request.user))
    require_rule(request.user, CONCLUDE_OBJECTION, grant)
    form = ObjectionConcludeForm(request.POST, auto_id="id_conclude_%s")
    if not form.is_valid():
        form_errors_as_messages(request, form)
        return redirect("grant_detail", pk=pk)
    try:
        grant = grant_objection_conclude(
            grant=grant,
            final_on=form.cleaned_data["final_on"],
            by=request.user,
            comment=form.cleaned_data["comment"],
        )
    except DomainError as error:
        show_domain_error(request, error)
    else:
        messages.success(
            request, _("The notice is final from %(date)s.") % {"date": format_date(grant.final_on)}
        )
    return redirect("grant_detail", pk=pk)
