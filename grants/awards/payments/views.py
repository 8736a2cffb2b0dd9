"""Drawdowns (Mittelabruf): the carrier's request, then certify, order, book — each by its role."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.models import User
from budgets.rules import allowed, office_roles, refusal
from core.errors import DomainError
from core.formatting import format_eur
from core.lists import Column, ListPage, filtered
from grants import calculations
from grants.applications.forms import Form
from grants.applications.views.common import AuthenticatedRequest, show_domain_error
from grants.awards.models import Grant, Reclaim, ReclaimKind
from grants.awards.models.reclaim import CLAIM_LATE_USE_INTEREST
from grants.awards.payments.forms import (
    DrawdownBookForm,
    DrawdownRejectForm,
    DrawdownRequestForm,
    DrawdownStepForm,
    DrawdownUseForm,
)
from grants.awards.payments.models import (
    BOOK_PAYMENT,
    CANCEL_DRAWDOWN,
    CERTIFY_DRAWDOWN,
    ORDER_PAYMENT,
    REJECT_DRAWDOWN,
    REQUEST_DRAWDOWN,
    Drawdown,
)
from grants.awards.payments.services import drawdown as drawdown_services
from grants.awards.selectors import drawdown_filter, grant_drawdowns, instalment_rows
from grants.awards.services import reclaim
from grants.awards.views.common import form_errors_as_messages, visible_grant

RECORD_USE_OF_FUNDS = "grants.record_use_of_funds"


@dataclass(frozen=True)
class Step:
    label: Promise
    form: type[Form]
    permission: str  # the named rule (grants.rules) the step's transition carries
    transition: str | None  # the Drawdown transition, None for a step outside the state machine
    service: Callable[..., Drawdown]
    style: str = "primary"
    done: Promise | None = None


STEPS: dict[str, Step] = {
    "certify": Step(
        gettext_lazy("Certify (factually and arithmetically correct)"),
        DrawdownStepForm,
        CERTIFY_DRAWDOWN,
        "certify",
        lambda **kw: drawdown_services.drawdown_certify(**kw),
        done=gettext_lazy("The request was certified as factually and arithmetically correct."),
    ),
    "reject": Step(
        gettext_lazy("Reject request"),
        DrawdownRejectForm,
        REJECT_DRAWDOWN,
        "reject",
        lambda **kw: drawdown_services.drawdown_reject(**kw),
        style="danger",
        done=gettext_lazy("The request was rejected."),
    ),
    "order": Step(
        gettext_lazy("Order payment"),
        DrawdownStepForm,
        ORDER_PAYMENT,
        "order",
        lambda **kw: drawdown_services.drawdown_order(**kw),
        done=gettext_lazy("The payment was ordered."),
    ),
    "book": Step(
        gettext_lazy("Book payment"),
        DrawdownBookForm,
        BOOK_PAYMENT,
        "book_payment",
        lambda **kw: drawdown_services.drawdown_book_payment(**kw),
        done=gettext_lazy("The payment was booked."),
    ),
    "cancel": Step(
        gettext_lazy("Withdraw request"),
        DrawdownStepForm,
        CANCEL_DRAWDOWN,
        "cancel",
        lambda **kw: drawdown_services.drawdown_cancel(**kw),
        style="danger",
        done=gettext_lazy("The request was withdrawn."),
    ),
    "use": Step(
        gettext_lazy("Record when the money was used"),
        DrawdownUseForm,
        RECORD_USE_OF_FUNDS,
        None,
        lambda **kw: reclaim.drawdown_record_use(**kw),
        style="secondary",
        done=gettext_lazy("The date of use was recorded."),
    ),
}


def _offered(drawdown: Drawdown, user: User, *, in_run: bool | None = None) -> set[str]:
    """The steps this user may take now: the state machine's transitions under their named rules."""
    available = {t.name for t in drawdown.get_available_user_state_transitions(user)}  # type: ignore[attr-defined]
    names = {name for name, step in STEPS.items() if step.transition in available}
    if drawdown.in_payment_run if in_run is None else in_run:
        names.discard("book")  # booked by the run's execution, never by hand
    if drawdown.is_paid and not drawdown.used_on and allowed(user, RECORD_USE_OF_FUNDS, drawdown):
        names.add("use")
    return names


def _steps_for(
    drawdown: Drawdown, user: User, bound: tuple[str, Form] | None, *, in_run: bool
) -> list[dict[str, Any]]:
    steps = []
    offered = _offered(drawdown, user, in_run=in_run)
    for name, step in STEPS.items():
        if name not in offered:
            continue
        if bound and bound[0] == name:
            form = bound[1]
        else:
            initial = {"paid_on": timezone.localdate(), "used_on": timezone.localdate()}
            form = step.form(initial=initial, auto_id=f"id_{name}_{drawdown.pk}_%s")
        steps.append({"name": name, "label": step.label, "form": form, "style": step.style})
    return steps


def _render(
    request: HttpRequest,
    grant: Grant,
    *,
    request_form: DrawdownRequestForm | None = None,
    bound: tuple[int, str, Form] | None = None,
) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    drawdowns = grant_drawdowns(grant)
    in_runs = set(
        Drawdown.objects.filter(grant=grant, payment_run_item__isnull=False).values_list("pk", flat=True)
    )
    rows = instalment_rows(grant, drawdowns)
    today = timezone.localdate()
    window_last_day = calculations.window_end(
        today, value=grant.drawdown_window_value, unit=grant.drawdown_window_unit
    )
    can_request = allowed(user, REQUEST_DRAWDOWN, grant) and grant.is_payable
    claims = dict(
        Reclaim.objects.filter(grant=grant, kind=ReclaimKind.LATE_USE).values_list("drawdown_id", "pk")
    )
    may_claim = allowed(user, CLAIM_LATE_USE_INTEREST, grant)
    items = []
    for d in drawdowns:
        d.grant = grant
        window = _window_end(grant, d)
        late = bool(window and d.used_on and d.used_on > window)
        items.append(
            {
                "drawdown": d,
                "steps": _steps_for(
                    d,
                    user,
                    (bound[1], bound[2]) if bound and bound[0] == d.pk else None,
                    in_run=d.pk in in_runs,
                ),
                "window_end": window,
                "late": late or bool(window and not d.used_on and window < today),
                "claim_pk": claims.get(d.pk),
                "may_claim": may_claim and late and d.pk not in claims,
            }
        )
    context = {
        "grant": grant,
        "rows": rows,
        "items": items,
        "window_end": window_last_day,
        "today": today,
        "can_request": can_request,
        "final_required": grant.awaits_finality,
        "request_form": (request_form or DrawdownRequestForm(auto_id="id_request_%s"))
        if can_request
        else None,
        # The same read the request service checks against.
        "headroom_total": sum(
            (
                headroom
                for _instalment, headroom in drawdown_services.drawdown_headroom_by_year(grant).values()
            ),
            Decimal(0),
        ),
    }
    return render(request, "grants/grant_drawdowns.html", context)


def _window_end(grant: Grant, drawdown: Drawdown) -> Any:
    """The last day on which a paid drawdown's money counts as used in time (None if unpaid)."""
    if not drawdown.is_paid or drawdown.paid_on is None:
        return None
    return calculations.window_end(
        drawdown.paid_on, value=grant.drawdown_window_value, unit=grant.drawdown_window_unit
    )


def _grant(request: HttpRequest, pk: int) -> Grant:
    return visible_grant(request, pk)


QUEUE_COLUMNS = [
    Column("file_number", gettext_lazy("File number"), ("grant__file_number",)),
    Column("recipient", gettext_lazy("Recipient"), ("grant__organisation__name",)),
    Column("purpose", gettext_lazy("Purpose"), ("purpose",)),
    Column("needed", gettext_lazy("Needed on"), ("needed_on",)),
    Column("state", gettext_lazy("Status"), ("state",)),
    Column("amount", gettext_lazy("Amount"), ("amount",), numeric=True),
]


@login_required
def grant_drawdowns_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _render(request, _grant(request, pk))


@login_required
@require_POST
def drawdown_request_view(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    grant = _grant(request, pk)
    if not allowed(request.user, REQUEST_DRAWDOWN, grant):
        raise PermissionDenied(refusal(request.user, REQUEST_DRAWDOWN, grant))
    form = DrawdownRequestForm(request.POST, auto_id="id_request_%s")
    if not form.is_valid():
        messages.error(request, _("Please correct the marked entries."))
        return _render(request, grant, request_form=form)
    try:
        drawdown = drawdown_services.drawdown_request(
            grant=grant, by=request.user, today=timezone.localdate(), **form.cleaned_data
        )
    except DomainError as error:
        show_domain_error(request, error)
        return _render(request, grant, request_form=form)
    messages.success(
        request,
        _("Your request for %(amount)s was sent to the granting office.")
        % {"amount": format_eur(drawdown.amount)},
    )
    return redirect("grant_drawdowns", pk=grant.pk)


@login_required
@require_POST
def drawdown_step_view(request: AuthenticatedRequest, pk: int, drawdown_pk: int, step: str) -> HttpResponse:
    definition = STEPS.get(step)
    if definition is None:
        raise Http404
    grant = _grant(request, pk)
    drawdown = get_object_or_404(Drawdown.objects.filter(grant=grant), pk=drawdown_pk)
    drawdown.grant = grant
    if not allowed(request.user, definition.permission, drawdown):
        raise PermissionDenied(refusal(request.user, definition.permission, drawdown))
    form = definition.form(request.POST, auto_id=f"id_{step}_{drawdown.pk}_%s")
    if not form.is_valid():
        if step in _offered(drawdown, request.user):
            return _render(request, grant, bound=(drawdown.pk, step, form))
        form_errors_as_messages(request, form)
        return redirect("grant_drawdowns", pk=grant.pk)
    kwargs = form.service_kwargs() if hasattr(form, "service_kwargs") else {}
    try:
        definition.service(drawdown=drawdown, by=request.user, **kwargs)
    except DomainError as error:
        show_domain_error(request, error)
    else:
        messages.success(request, str(definition.done or _("Done.")))
    return redirect("grant_drawdowns", pk=grant.pk)


@login_required
def drawdown_queue(request: HttpRequest) -> HttpResponse:
    """All drawdowns the official may see, to search and filter (certify and payment queues)."""
    if not (request.user.is_superuser or office_roles(request.user)):
        raise PermissionDenied(_("This list is only for staff of a coordinating office."))
    filterset = drawdown_filter(request.user, request.GET)
    listing = ListPage(request, filtered(filterset), QUEUE_COLUMNS, default="needed")
    return render(request, "grants/grant_drawdown_queue.html", listing.context(form=filterset.form))
