"""Drawdowns (request, certify, order, book, reject, cancel), payments and payment runs."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from api.pagination import cursor_page
from api.problems import InvalidInput
from api.v1.common import Money, MoneyIn, PageQuery, filter_data, responses, visible_or_404
from budgets.rules import require
from core.lists import filtered
from grants.awards.payments.models import (
    BOOK_PAYMENT,
    CANCEL_DRAWDOWN,
    CERTIFY_DRAWDOWN,
    ORDER_PAYMENT,
    REJECT_DRAWDOWN,
    REQUEST_DRAWDOWN,
    Drawdown,
    DrawdownState,
    PaymentRunState,
)
from grants.awards.payments.services import drawdown as drawdown_services
from grants.awards.selectors import drawdown_filter, drawdowns_visible_to, grants_visible_to
from reporting.payments.selectors import payment_run_filter, payment_runs_visible_to, run_items

router = Router(tags=["Drawdowns and payments"])

DrawdownStep = Literal["certify", "reject", "order", "book", "cancel"]
# Each step: the named rule its transition carries (asked first, as the drawdown page does) and
# the service that performs it.
STEPS: dict[str, tuple[str, Any]] = {
    "certify": (CERTIFY_DRAWDOWN, drawdown_services.drawdown_certify),
    "reject": (REJECT_DRAWDOWN, drawdown_services.drawdown_reject),
    "order": (ORDER_PAYMENT, drawdown_services.drawdown_order),
    "book": (BOOK_PAYMENT, drawdown_services.drawdown_book_payment),
    "cancel": (CANCEL_DRAWDOWN, drawdown_services.drawdown_cancel),
}
TRANSITIONS = {
    "certify": "certify",
    "reject": "reject",
    "order": "order",
    "book": "book_payment",
    "cancel": "cancel",
}


class DrawdownOut(Schema):
    id: int
    grant_id: int
    file_number: str
    organisation_name: str
    budget_year: int
    amount: Money
    needed_on: date
    purpose: str
    state: DrawdownState
    state_label: str
    requested_at: datetime
    certified_at: datetime | None
    ordered_at: datetime | None
    paid_on: date | None
    used_on: date | None

    @staticmethod
    def resolve_file_number(obj: Drawdown) -> str:
        return obj.grant.file_number

    @staticmethod
    def resolve_organisation_name(obj: Drawdown) -> str:
        return obj.grant.organisation.name

    @staticmethod
    def resolve_state_label(obj: Drawdown) -> str:
        return str(obj.get_state_display())


class DrawdownDetail(DrawdownOut):
    steps: list[DrawdownStep] = Field(description="Steps the requesting person may take now")

    @staticmethod
    def resolve_steps(obj: Drawdown, context: Any) -> list[str]:
        return _steps(obj, context["request"].user)


class DrawdownPage(Schema):
    items: list[DrawdownOut]
    next_cursor: str | None


class DrawdownFilters(Schema):
    q: str | None = Field(
        None, max_length=100, description="Search in file number, reference, title, carrier"
    )
    state: DrawdownState | None = None
    grant: int | None = Field(None, description="Only the drawdowns of this grant")


def _steps(drawdown: Drawdown, user: Any) -> list[str]:
    available = {t.name for t in drawdown.get_available_user_state_transitions(user)}  # type: ignore[attr-defined]
    names = [name for name in STEPS if TRANSITIONS[name] in available]
    if "book" in names and drawdown.in_payment_run:
        names.remove("book")  # booked with its payment run's execution, never by hand
    return names


def _detail(request: HttpRequest, drawdown_id: int) -> Drawdown:
    return visible_or_404(drawdowns_visible_to(request.user).select_related("payment_run_item"), drawdown_id)


@router.get("/drawdowns", response=responses(DrawdownPage), summary="Drawdowns of the grants you may see")
def drawdown_list(request: HttpRequest, filters: Query[DrawdownFilters], page: Query[PageQuery]) -> Any:
    data = filter_data(filters.dict())
    grant = data.pop("grant", None)
    qs = filtered(drawdown_filter(request.user, data))
    if grant is not None:
        qs = qs.filter(grant_id=grant)
    return cursor_page(qs, cursor=page.cursor, limit=page.limit)


@router.get("/drawdowns/{drawdown_id}", response=responses(DrawdownDetail), summary="One drawdown")
def drawdown_detail(request: HttpRequest, drawdown_id: int) -> Any:
    return _detail(request, drawdown_id)


class DrawdownRequestIn(Schema):
    amount: MoneyIn
    needed_on: date
    purpose: str = Field(min_length=1, max_length=300)


@router.post(
    "/grants/{grant_id}/drawdowns",
    response=responses(DrawdownDetail, 201),
    summary="Request funds (the grant's recipient)",
)
def drawdown_request(request: HttpRequest, grant_id: int, body: DrawdownRequestIn) -> Any:
    grant = visible_or_404(grants_visible_to(request.user), grant_id)
    require(request.user, REQUEST_DRAWDOWN, grant)
    drawdown = drawdown_services.drawdown_request(
        grant=grant,
        by=request.user,  # type: ignore[arg-type]
        amount=body.amount,
        needed_on=body.needed_on,
        purpose=body.purpose,
        today=timezone.localdate(),
    )
    return Status(201, _detail(request, drawdown.pk))


class DrawdownStepIn(Schema):
    comment: str = Field("", max_length=4000, description="reject: the reason (required)")
    paid_on: date | None = Field(None, description="book: the value date (required)")


@router.post(
    "/drawdowns/{drawdown_id}/steps/{step}",
    response=responses(DrawdownDetail),
    summary="Certify, reject, order, book or withdraw a drawdown",
)
def drawdown_step(request: HttpRequest, drawdown_id: int, step: DrawdownStep, body: DrawdownStepIn) -> Any:
    """Four eyes as on the page: whoever requested cannot certify, whoever certified cannot order;
    nobody handles a payment to their own organisation (403 with the rule)."""
    drawdown = visible_or_404(drawdowns_visible_to(request.user), drawdown_id)
    rule, service = STEPS[step]
    require(request.user, rule, drawdown)
    kwargs: dict[str, Any] = {"comment": body.comment}
    if step == "book":
        if body.paid_on is None:
            raise InvalidInput(
                _("Booking a payment needs its value date."),
                errors=[{"pointer": "/body/paid_on", "detail": _("Please give the value date.")}],
            )
        kwargs["paid_on"] = body.paid_on
    service(drawdown=drawdown, by=request.user, **kwargs)
    return _detail(request, drawdown_id)


# --- payments ------------------------------------------------------------------------------


class PaymentOut(Schema):
    id: int = Field(description="The drawdown's id")
    grant_id: int
    file_number: str
    budget_year: int
    amount: Money
    paid_on: date | None
    purpose: str
    payment_run_id: int | None

    @staticmethod
    def resolve_file_number(obj: Drawdown) -> str:
        return obj.grant.file_number

    @staticmethod
    def resolve_payment_run_id(obj: Drawdown) -> int | None:
        item = getattr(obj, "payment_run_item", None)
        return item.run_id if item is not None else None


class PaymentPage(Schema):
    items: list[PaymentOut]
    next_cursor: str | None


class PaymentFilters(Schema):
    q: str | None = Field(
        None, max_length=100, description="Search in file number, reference, title, carrier"
    )
    grant: int | None = None
    budget_year: int | None = None
    paid_from: date | None = Field(None, description="Value date on or after")
    paid_until: date | None = Field(None, description="Value date on or before")


@router.get("/payments", response=responses(PaymentPage), summary="Payments made (booked drawdowns)")
def payment_list(request: HttpRequest, filters: Query[PaymentFilters], page: Query[PageQuery]) -> Any:
    data = filter_data(filters.dict())
    search = {"q": data["q"]} if "q" in data else {}
    qs = filtered(drawdown_filter(request.user, search)).filter(state=DrawdownState.PAID)
    if "grant" in data:
        qs = qs.filter(grant_id=data["grant"])
    if "budget_year" in data:
        qs = qs.filter(budget_year=data["budget_year"])
    if "paid_from" in data:
        qs = qs.filter(paid_on__gte=data["paid_from"])
    if "paid_until" in data:
        qs = qs.filter(paid_on__lte=data["paid_until"])
    return cursor_page(qs.select_related("payment_run_item"), cursor=page.cursor, limit=page.limit)


# --- payment runs (finance) ----------------------------------------------------------------


class PaymentRunOut(Schema):
    id: int
    reference: str
    state: PaymentRunState
    state_label: str
    execution_date: date
    total_amount: Money
    payment_count: int
    created_at: datetime
    executed_on: date | None

    @staticmethod
    def resolve_state_label(obj: Any) -> str:
        return str(obj.get_state_display())


class PaymentRunItemOut(Schema):
    drawdown_id: int
    file_number: str
    amount: Money
    creditor_name: str
    creditor_iban: str
    creditor_bic: str
    remittance: str
    end_to_end_id: str


class PaymentRunDetail(PaymentRunOut):
    file_name: str
    file_url: str = Field(description="The SEPA file (pain.001) on the payment run page (browser session)")
    items: list[PaymentRunItemOut]

    @staticmethod
    def resolve_file_url(obj: Any, context: Any) -> str:
        return context["request"].build_absolute_uri(reverse("payment_run_download", args=[obj.pk]))

    @staticmethod
    def resolve_items(obj: Any) -> list[dict[str, Any]]:
        return [
            {
                "drawdown_id": item.drawdown_id,
                "file_number": item.drawdown.grant.file_number,
                "amount": item.amount,
                "creditor_name": item.creditor_name,
                "creditor_iban": item.creditor_iban,
                "creditor_bic": item.creditor_bic,
                "remittance": item.remittance,
                "end_to_end_id": item.end_to_end_id,
            }
            for item in run_items(obj)
        ]


class PaymentRunPage(Schema):
    items: list[PaymentRunOut]
    next_cursor: str | None


class PaymentRunFilters(Schema):
    q: str | None = Field(None, max_length=100, description="Search in reference, file number, carrier")
    state: PaymentRunState | None = None


@router.get("/payment-runs", response=responses(PaymentRunPage), summary="Payment runs (finance staff)")
def payment_run_list(request: HttpRequest, filters: Query[PaymentRunFilters], page: Query[PageQuery]) -> Any:
    require(request.user, "grants.use_payment_runs")
    filterset = payment_run_filter(request.user, filter_data(filters.dict()))
    return cursor_page(filtered(filterset), cursor=page.cursor, limit=page.limit)


@router.get("/payment-runs/{run_id}", response=responses(PaymentRunDetail), summary="One payment run")
def payment_run_detail(request: HttpRequest, run_id: int) -> Any:
    require(request.user, "grants.use_payment_runs")
    return visible_or_404(payment_runs_visible_to(request.user), run_id)
