"""Payment-run pages for finance staff: choose ordered payments, create the file, book execution."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.errors import AccessDenied, DomainError
from core.formatting import format_date, format_eur
from reporting.models import PaymentRun
from reporting.payments.forms import PaymentRunCreateForm, PaymentRunExecuteForm
from reporting.payments.selectors import (
    may_use_payment_runs,
    payable_drawdowns,
    payment_runs_visible_to,
    run_items,
)
from reporting.payments.services import payment_run_create, payment_run_execute


def _require_finance(request: HttpRequest) -> None:
    if not may_use_payment_runs(request.user):
        raise PermissionDenied(_("Payment runs are for finance staff."))


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
def payment_run_list(request: HttpRequest) -> HttpResponse:
    _require_finance(request)
    form = PaymentRunCreateForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
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
        "payable": payable_drawdowns(request.user),
        "selected": {str(v) for v in form["drawdowns"].value() or []},
        "runs": payment_runs_visible_to(request.user).order_by("-created_at")[:50],
    }
    return render(request, "reporting/payment_run_list.html", context)


@login_required
@require_GET
def payment_run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    run = _visible_run(request, pk)
    context = {"run": run, "items": run_items(run), "execute_form": PaymentRunExecuteForm()}
    return render(request, "reporting/payment_run_detail.html", context)


@login_required
@require_GET
def payment_run_download(request: HttpRequest, pk: int) -> FileResponse:
    run = _visible_run(request, pk)
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
    form = PaymentRunExecuteForm(request.POST)
    if not form.is_valid():
        for error in form.errors.get("executed_on", []):
            messages.error(request, f"{form.fields['executed_on'].label}: {error}")
        return redirect("payment_run_detail", pk=run.pk)
    try:
        run = payment_run_execute(run=run, executed_on=form.cleaned_data["executed_on"], by=request.user)
    except DomainError as error:
        _show(request, error)
    else:
        messages.success(
            request,
            _("Payment run %(run)s was booked: %(count)s payments paid on %(date)s.")
            % {"run": run.reference, "count": run.payment_count, "date": format_date(run.executed_on)},
        )
    return redirect("payment_run_detail", pk=run.pk)
