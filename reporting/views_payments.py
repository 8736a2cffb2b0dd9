"""Payment-run pages for finance staff: choose ordered payments, create the file, book execution."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_fsm_log.models import StateLog

from accounts.models import User
from budgets.rules import allowed, refusal
from core.confirm import confirm_page, is_confirmed
from core.errors import AccessDenied, DomainError
from core.formatting import format_date, format_eur
from core.lists import Column, ListPage, filtered
from grants.applications.views.common import AuthenticatedRequest
from grants.awards.payments.models import CANCEL_PAYMENT_RUN, EXECUTE_PAYMENT_RUN, PaymentRun, PaymentRunState
from grants.awards.payments.services.run import payment_run_cancel, payment_run_effect, payment_run_execute
from reporting.bankstatements.selectors import returned_transfers
from reporting.payments.forms import PaymentRunCancelForm, PaymentRunCreateForm, PaymentRunExecuteForm
from reporting.payments.selectors import (
    payable_drawdowns,
    payment_run_filter,
    payment_runs_visible_to,
    plan_blocks,
    run_blocks,
    run_items,
)
from reporting.payments.services import payment_run_create, payment_run_preview

RUN_COLUMNS = [
    Column("reference", gettext_lazy("Reference"), ("reference",)),
    Column("execution", gettext_lazy("Requested execution date"), ("execution_date",)),
    Column("state", gettext_lazy("State"), ("state",)),
    Column("payments", gettext_lazy("Payments"), ("payment_count",), numeric=True),
    Column("total", gettext_lazy("Total"), ("total_amount",), numeric=True),
    Column("created", gettext_lazy("Created"), ("created_at",), shown=False),
]


def _require_finance(request: HttpRequest) -> None:
    if not allowed(request.user, "grants.use_payment_runs"):
        raise PermissionDenied(refusal(request.user, "grants.use_payment_runs"))


def _show(request: HttpRequest, error: DomainError) -> None:
    if isinstance(error, AccessDenied):
        raise PermissionDenied(" ".join(error.messages)) from error
    for message in error.messages:
        messages.error(request, message)


def _visible_run(request: HttpRequest, pk: int) -> PaymentRun:
    """The run if the user handles every payment in it, else 404 (its existence stays hidden)."""
    return get_object_or_404(payment_runs_visible_to(request.user), pk=pk)


@login_required
@require_http_methods(["GET", "POST"])
def payment_run_list(request: AuthenticatedRequest) -> HttpResponse:
    _require_finance(request)
    form = PaymentRunCreateForm(request.POST or None, user=request.user)
    preview = None
    if request.method == "POST" and form.is_valid() and request.POST.get("action") == "preview":
        try:
            preview = payment_run_preview(drawdowns=form.cleaned_data["drawdowns"], by=request.user)
        except DomainError as error:
            _show(request, error)
    elif request.method == "POST" and form.is_valid():
        try:
            run = payment_run_create(
                drawdowns=form.cleaned_data["drawdowns"],
                execution_date=form.cleaned_data["execution_date"],
                by=request.user,
            )
        except DomainError as error:
            _show(request, error)
        else:
            messages.success(
                request,
                _("Payment run %(run)s with %(count)s payments (%(total)s) was created; its file is ready.")
                % {"run": run.reference, "count": run.payment_count, "total": format_eur(run.total_amount)},
            )
            return redirect("payment_run_detail", pk=run.pk)
    context = {
        "form": form,
        "preview": plan_blocks(preview) if preview else None,
        "preview_plan": preview,
        "payable": payable_drawdowns(request.user),
        "selected": {str(v) for v in form["drawdowns"].value() or []},
    }
    filterset = payment_run_filter(request.user, request.GET)
    listing = ListPage(request, filtered(filterset), RUN_COLUMNS, default="-created")
    return render(
        request, "reporting/payment_run_list.html", listing.context(filters=filterset.form, **context)
    )


def _history(run: PaymentRun) -> list[dict[str, object]]:
    """Who created the run, and who booked or cancelled it (django-fsm-log), oldest first."""
    rows: list[dict[str, object]] = [
        {"at": run.created_at, "by": run.created_by, "what": _("Created"), "description": ""}
    ]
    for log in StateLog.objects.for_(run).select_related("by").order_by("timestamp", "pk"):
        rows.append(
            {
                "at": log.timestamp,
                "by": log.by,
                "what": PaymentRunState(log.state).label,
                "description": log.description or "",
            }
        )
    return rows


def _detail(
    request: HttpRequest,
    run: PaymentRun,
    *,
    execute_form: PaymentRunExecuteForm | None = None,
    cancel_form: PaymentRunCancelForm | None = None,
) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    steps = {t.name for t in run.get_available_user_state_transitions(user)}  # type: ignore[attr-defined]
    context = {
        "run": run,
        "items": run_items(run),
        "blocks": run_blocks(run),
        "returned": returned_transfers(run),
        "effect": payment_run_effect(run) if run.is_open else [],
        "history": _history(run),
        "may_execute": "execute" in steps,
        "may_cancel": "cancel" in steps,
        "execute_form": execute_form or PaymentRunExecuteForm(),
        "cancel_form": cancel_form or PaymentRunCancelForm(),
    }
    return render(request, "reporting/payment_run_detail.html", context)


@login_required
@require_GET
def payment_run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _visible_run(request, pk))


@login_required
@require_GET
def payment_run_download(request: HttpRequest, pk: int) -> FileResponse:
    run = _visible_run(request, pk)
    if run.is_cancelled:
        raise Http404(_("The file of a cancelled payment run is deleted."))
    response = FileResponse(
        run.file.open("rb"), as_attachment=True, filename=run.file_name, content_type="application/xml"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def payment_run_execute_view(request: HttpRequest, pk: int) -> HttpResponse:
    run = _visible_run(request, pk)
    user: User = request.user  # type: ignore[assignment]
    if not allowed(user, EXECUTE_PAYMENT_RUN, run):
        _show(request, AccessDenied(refusal(user, EXECUTE_PAYMENT_RUN, run)))
    form = PaymentRunExecuteForm(request.POST)
    if not form.is_valid():
        for error in form.errors.get("executed_on", []):
            messages.error(request, f"{form.fields['executed_on'].label}: {error}")
        return redirect("payment_run_detail", pk=run.pk)
    if not is_confirmed(request):
        return confirm_page(
            request,
            title=_("Book payment run %(run)s as paid?") % {"run": run.reference},
            consequence=_(
                "All %(count)s payments of this run, %(total)s in total, are booked as paid on %(date)s; the run is closed and its file must not be sent again. This cannot be undone."
            )
            % {
                "count": run.payment_count,
                "total": format_eur(run.total_amount),
                "date": format_date(form.cleaned_data["executed_on"]),
            },
            facts=[
                (_("Payment run"), run.reference),
                (_("Payments"), run.payment_count),
                (_("Total"), format_eur(run.total_amount)),
                (_("Executed on"), format_date(form.cleaned_data["executed_on"])),
            ],
            # What the booking books, from the function payment_run_execute computes again under its locks.
            rows=[
                {
                    _("File number"): booking.file_number,
                    _("Budget year"): booking.budget_year,
                    _("Payments"): booking.payments,
                    _("Amount"): format_eur(booking.amount),
                }
                for booking in payment_run_effect(run)
            ],
            button=_("Book as paid"),
            cancel_url=reverse("payment_run_detail", args=[run.pk]),
            danger=False,
        )
    try:
        run = payment_run_execute(run=run, executed_on=form.cleaned_data["executed_on"], by=user)
    except DomainError as error:
        _show(request, error)
    else:
        messages.success(
            request,
            _("Payment run %(run)s was booked: %(count)s payments paid on %(date)s.")
            % {"run": run.reference, "count": run.payment_count, "date": format_date(run.executed_on)},
        )
    return redirect("payment_run_detail", pk=run.pk)


@login_required
@require_POST
def payment_run_cancel_view(request: HttpRequest, pk: int) -> HttpResponse:
    run = _visible_run(request, pk)
    user: User = request.user  # type: ignore[assignment]
    if not allowed(user, CANCEL_PAYMENT_RUN, run):
        _show(request, AccessDenied(refusal(user, CANCEL_PAYMENT_RUN, run)))
    form = PaymentRunCancelForm(request.POST)
    if not form.is_valid():
        return _detail(request, run, cancel_form=form)
    try:
        run = payment_run_cancel(run=run, by=user, comment=form.cleaned_data["comment"])
    except DomainError as error:
        _show(request, error)
    else:
        messages.success(
            request,
            _("Payment run %(run)s was cancelled; its payments can go into another run.")
            % {"run": run.reference},
        )
    return redirect("payment_run_detail", pk=run.pk)
