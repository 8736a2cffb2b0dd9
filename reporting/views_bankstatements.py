"""Bank-statement pages for finance staff: import a camt.053 file, see what it booked, handle the rest."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import User
from budgets.rules import allowed, refusal
from core.errors import AccessDenied, DomainError
from reporting.bankstatements.forms import LineAssignForm, LineDismissForm, StatementUploadForm
from reporting.bankstatements.models import StatementLine
from reporting.bankstatements.selectors import lines_visible_to, open_lines, statements_visible_to
from reporting.bankstatements.services import (
    ImportResult,
    bank_statement_import,
    statement_line_assign,
    statement_line_dismiss,
)
from reporting.rules import USE_BANK_STATEMENTS


def _require_finance(request: HttpRequest) -> None:
    if not allowed(request.user, USE_BANK_STATEMENTS):
        raise PermissionDenied(refusal(request.user, USE_BANK_STATEMENTS))


def _show(request: HttpRequest, error: DomainError) -> None:
    if isinstance(error, AccessDenied):
        raise PermissionDenied(" ".join(error.messages)) from error
    for message in error.messages:
        messages.error(request, message)


def _report(request: HttpRequest, result: ImportResult) -> None:
    """The import's result as messages: counts, each return with its reason, lines skipped."""
    names = ", ".join(s.statement_id for s in result.statements)
    messages.success(
        request,
        _(
            "Statement %(statements)s imported: repayments booked: %(repayments)s, returned transfers booked: "
            "%(returns)s, lines to assign by hand: %(open)s."
        )
        % {
            "statements": names,
            "repayments": result.repayments,
            "returns": len(result.returns),
            "open": result.unassigned,
        },
    )
    for sentence in result.returns:
        messages.info(request, sentence)
    for sentence in result.skipped:
        messages.warning(request, sentence)


@login_required
@require_http_methods(["GET", "POST"])
def bank_statement_list(request: HttpRequest) -> HttpResponse:
    _require_finance(request)
    user: User = request.user  # type: ignore[assignment]
    form = StatementUploadForm(request.POST or None, request.FILES or None, user=user)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = bank_statement_import(
                data=upload.read(), file_name=upload.name, office=form.cleaned_data["office"], by=user
            )
        except DomainError as error:
            _show(request, error)
        else:
            _report(request, result)
            if len(result.statements) == 1:
                return redirect("bank_statement_detail", pk=result.statements[0].pk)
            return redirect("bank_statement_list")
    context = {
        "form": form,
        "statements": statements_visible_to(user).order_by("-imported_at", "-pk")[:100],
        "open_count": open_lines(user).count(),
    }
    return render(request, "reporting/bank_statement_list.html", context)


@login_required
@require_GET
def bank_statement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require_finance(request)
    statement = get_object_or_404(statements_visible_to(request.user), pk=pk)
    lines = lines_visible_to(request.user).filter(statement=statement).order_by("position")
    return render(request, "reporting/bank_statement_detail.html", {"statement": statement, "lines": lines})


def _open_lines_page(
    request: HttpRequest,
    *,
    failed: StatementLine | None = None,
    assign: LineAssignForm | None = None,
    dismiss: LineDismissForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    rows = []
    for line in open_lines(user):
        is_failed = failed is not None and line.pk == failed.pk
        rows.append(
            {
                "line": line,
                "assign": assign if is_failed and assign else LineAssignForm(user=user, prefix=f"a{line.pk}"),
                "dismiss": dismiss if is_failed and dismiss else LineDismissForm(prefix=f"d{line.pk}"),
            }
        )
    return render(request, "reporting/bank_statement_open_lines.html", {"rows": rows}, status=status)


@login_required
@require_GET
def statement_open_lines(request: HttpRequest) -> HttpResponse:
    _require_finance(request)
    return _open_lines_page(request)


def _visible_line(request: HttpRequest, pk: int) -> StatementLine:
    return get_object_or_404(lines_visible_to(request.user), pk=pk)


@login_required
@require_POST
def statement_line_assign_view(request: HttpRequest, pk: int) -> HttpResponse:
    _require_finance(request)
    line = _visible_line(request, pk)
    user: User = request.user  # type: ignore[assignment]
    form = LineAssignForm(request.POST, user=user, prefix=f"a{line.pk}")
    if not form.is_valid():
        return _open_lines_page(request, failed=line, assign=form, status=400)
    reclaim = form.cleaned_data["reclaim"]
    try:
        statement_line_assign(line=line, reclaim=reclaim, by=user)
    except DomainError as error:
        _show(request, error)
    else:
        messages.success(
            request,
            _(
                "Line %(position)s of statement %(statement)s was booked as a repayment of the reclaim on %(file_number)s."
            )
            % {
                "position": line.position,
                "statement": line.statement.statement_id,
                "file_number": reclaim.grant.file_number,
            },
        )
    return redirect("statement_open_lines")


@login_required
@require_POST
def statement_line_dismiss_view(request: HttpRequest, pk: int) -> HttpResponse:
    _require_finance(request)
    line = _visible_line(request, pk)
    user: User = request.user  # type: ignore[assignment]
    form = LineDismissForm(request.POST, prefix=f"d{line.pk}")
    if not form.is_valid():
        return _open_lines_page(request, failed=line, dismiss=form, status=400)
    try:
        statement_line_dismiss(line=line, reason=form.cleaned_data["reason"], by=user)
    except DomainError as error:
        _show(request, error)
    else:
        messages.success(
            request,
            _("Line %(position)s of statement %(statement)s was dismissed.")
            % {"position": line.position, "statement": line.statement.statement_id},
        )
    return redirect("statement_open_lines")
