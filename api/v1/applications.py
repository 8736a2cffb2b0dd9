"""Applications: carriers create them, edit the financing plan, submit and withdraw; office staff
read them and take the workflow steps their role allows. The same selectors, rules and services
as the application pages."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from django.db.models import Prefetch
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from api.pagination import cursor_page
from api.problems import InvalidInput
from api.v1.common import Money, MoneyIn, PageQuery, Year, filter_data, responses, visible_or_404
from budgets.choices import CostCategory, FinancingType
from budgets.models import CoordinatingOffice, Fund, FundingProgramme
from core.lists import filtered
from grants.applications.filters import CarrierApplicationFilter, WorklistFilter
from grants.applications.models import Application, ApplicationState, Attachment, CoverKind
from grants.applications.selectors import applications_visible_to, offices_for
from grants.applications.services.application import (
    application_create,
    application_rule_check,
    application_update,
    financing_plan_replace,
)
from grants.applications.views.common import is_staff_user, with_requested_grant
from grants.awards.services.award import WORKFLOW_SERVICES
from grants.carriers.models import Organisation

router = Router(tags=["Applications"])

Step = Literal[
    "submit",
    "start_formal_check",
    "complete_formal_check",
    "request_revision",
    "propose_approval",
    "propose_rejection",
    "return_proposal",
    "approve",
    "reject",
    "withdraw",
]
assert set(Step.__args__) == set(WORKFLOW_SERVICES)  # type: ignore[attr-defined]


class ApplicationOut(Schema):
    id: int
    reference: str
    title: str
    state: ApplicationState
    state_label: str
    organisation_id: int
    organisation_name: str
    programme_id: int
    office_id: int
    fund_id: int | None
    start_date: date | None
    end_date: date | None
    financing_type: FinancingType
    requested_grant: Money
    created_at: datetime
    updated_at: datetime
    submitted_at: datetime | None
    decided_at: datetime | None

    @staticmethod
    def resolve_state_label(obj: Application) -> str:
        return str(obj.get_state_display())

    @staticmethod
    def resolve_organisation_name(obj: Application) -> str:
        return obj.organisation.name


class ExpenditureLineOut(Schema):
    category: CostCategory
    description: str
    budget_year: int
    amount: Money


class CoverLineOut(Schema):
    kind: CoverKind
    source: str
    budget_year: int
    amount: Money


class InstalmentOut(Schema):
    budget_year: int
    amount: Money


class AttachmentOut(Schema):
    id: int
    kind: str
    file_name: str
    content_type: str
    size: int
    uploaded_at: datetime
    download_url: str


class ApplicationDetail(ApplicationOut):
    summary: str
    goals: str
    target_groups: str
    region: str
    proposed_amount: Money | None
    recommendation: str
    decision_reasons: str
    expenditure: list[ExpenditureLineOut]
    cover: list[CoverLineOut]
    instalments: list[InstalmentOut] = Field(description="Annual instalments of the approval proposal")
    attachments: list[AttachmentOut]
    rule_errors: list[str] = Field(
        description="Programme rules the application breaks now (submission refused)"
    )
    steps: list[Step] = Field(description="Workflow steps the requesting person may take now")

    @staticmethod
    def resolve_expenditure(obj: Application) -> Any:
        return list(obj.expenditure_lines.all())

    @staticmethod
    def resolve_cover(obj: Application) -> Any:
        return list(obj.cover_lines.all())

    @staticmethod
    def resolve_attachments(obj: Application, context: Any) -> list[dict[str, Any]]:
        request = context["request"]
        return [
            {
                "id": a.pk,
                "kind": a.kind,
                "file_name": a.original_name,
                "content_type": a.content_type,
                "size": a.size,
                "uploaded_at": a.uploaded_at,
                "download_url": request.build_absolute_uri(
                    reverse("attachment_download", args=[obj.pk, a.pk])
                ),
            }
            for a in obj.attachments.all()
        ]

    @staticmethod
    def resolve_rule_errors(obj: Application) -> list[str]:
        # What the submission would refuse: shown while the carrier may still change it.
        return application_rule_check(obj) if obj.is_editable else []

    @staticmethod
    def resolve_steps(obj: Application, context: Any) -> list[str]:
        steps = set(obj.available_steps(context["request"].user))
        return [name for name in WORKFLOW_SERVICES if name in steps]


class ApplicationPage(Schema):
    items: list[ApplicationOut]
    next_cursor: str | None


class ApplicationFilters(Schema):
    q: str | None = Field(None, max_length=100, description="Search in reference, title and carrier")
    state: ApplicationState | None = None
    programme: int | None = Field(None, description="Programme id (office staff)")
    office: int | None = Field(
        None, description="Office id: the office and every office below it (office staff)"
    )


def _detail(request: HttpRequest, application_id: int) -> Application:
    """The application as its page reads it (plan, instalments, attachments), or 404."""
    qs = with_requested_grant(applications_visible_to(request.user)).prefetch_related(
        "expenditure_lines",
        "cover_lines",
        "instalments",
        Prefetch("attachments", queryset=Attachment.objects.order_by("uploaded_at", "pk")),
    )
    return visible_or_404(qs, application_id)


@router.get("/applications", response=responses(ApplicationPage), summary="Applications you may see")
def application_list(request: HttpRequest, filters: Query[ApplicationFilters], page: Query[PageQuery]) -> Any:
    """Carriers see their organisations' applications (drafts included); office staff the
    handed-in applications of their offices and every office below, as on the worklist."""
    user: Any = request.user
    data = filter_data(filters.dict())
    qs = applications_visible_to(user)
    if is_staff_user(user):
        filterset: Any = WorklistFilter(data or None, queryset=qs, offices=offices_for(user))
    else:
        filterset = CarrierApplicationFilter(
            {k: v for k, v in data.items() if k in ("q", "state")} or None, queryset=qs
        )
    return cursor_page(with_requested_grant(filtered(filterset)), cursor=page.cursor, limit=page.limit)


@router.get(
    "/applications/{application_id}", response=responses(ApplicationDetail), summary="One application"
)
def application_detail(request: HttpRequest, application_id: int) -> Any:
    return _detail(request, application_id)


class ApplicationFields(Schema):
    title: str | None = Field(None, min_length=1, max_length=200)
    summary: str | None = None
    goals: str | None = None
    target_groups: str | None = None
    region: str | None = Field(None, max_length=200)
    start_date: date | None = None
    end_date: date | None = None
    financing_type: FinancingType | None = None
    programme_id: int | None = None
    office_id: int | None = None
    fund_id: int | None = None


class ApplicationCreate(ApplicationFields):
    organisation_id: int
    programme_id: int  # type: ignore[assignment]
    office_id: int  # type: ignore[assignment]
    title: str = Field(min_length=1, max_length=200)


def _lookup(model: Any, pk: int | None, field: str) -> Any:
    if pk is None:
        return None
    obj = model.objects.filter(pk=pk).first()
    if obj is None:
        raise InvalidInput(
            _("The request names an object that does not exist."),
            errors=[{"pointer": f"/body/{field}", "detail": _("Unknown id %(id)s.") % {"id": pk}}],
        )
    return obj


def _service_fields(body: ApplicationFields, *, given: set[str]) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for name in given:
        value = getattr(body, name)
        if name == "programme_id":
            fields["programme"] = _lookup(FundingProgramme, value, name)
        elif name == "office_id":
            fields["office"] = _lookup(CoordinatingOffice, value, name)
        elif name == "fund_id":
            fields["fund"] = _lookup(Fund, value, name)
        elif name in ("summary", "goals", "target_groups", "region"):
            fields[name] = value or ""
        elif name in ("title", "financing_type") and value is None:
            continue
        else:
            fields[name] = value
    return fields


@router.post(
    "/applications", response=responses(ApplicationDetail, 201), summary="Create an application (carrier)"
)
def application_create_endpoint(request: HttpRequest, body: ApplicationCreate) -> Any:
    """Creates a draft for one of your organisations (``grants.create_application``)."""
    organisation = _lookup(Organisation, body.organisation_id, "organisation_id")
    given = body.model_fields_set - {"organisation_id"}
    fields = _service_fields(body, given=given | {"programme_id", "office_id", "title"})
    application = application_create(organisation=organisation, by=request.user, **fields)  # type: ignore[arg-type]
    return Status(201, _detail(request, application.pk))


@router.patch(
    "/applications/{application_id}",
    response=responses(ApplicationDetail),
    summary="Change an application's fields (carrier, draft or revision requested)",
)
def application_update_endpoint(request: HttpRequest, application_id: int, body: ApplicationFields) -> Any:
    application = visible_or_404(applications_visible_to(request.user), application_id)
    fields = _service_fields(body, given=set(body.model_fields_set))
    application_update(application=application, by=request.user, **fields)  # type: ignore[arg-type]
    return _detail(request, application_id)


class ExpenditureLineIn(Schema):
    category: CostCategory
    description: str = Field(min_length=1, max_length=200)
    budget_year: Year
    amount: MoneyIn


class CoverLineIn(Schema):
    kind: CoverKind
    source: str = Field("", max_length=200)
    budget_year: Year
    amount: MoneyIn


class FinancingPlanIn(Schema):
    expenditure: list[ExpenditureLineIn] = Field(max_length=300)
    cover: list[CoverLineIn] = Field(max_length=300)


@router.put(
    "/applications/{application_id}/financing-plan",
    response=responses(ApplicationDetail),
    summary="Replace the financing plan (carrier): all lines at once",
)
def financing_plan_endpoint(request: HttpRequest, application_id: int, body: FinancingPlanIn) -> Any:
    application = visible_or_404(applications_visible_to(request.user), application_id)
    financing_plan_replace(
        application=application,
        by=request.user,  # type: ignore[arg-type]
        expenditure=[line.dict() for line in body.expenditure],
        cover=[line.dict() for line in body.cover],
    )
    return _detail(request, application_id)


class InstalmentIn(Schema):
    budget_year: Year
    amount: MoneyIn


class StepIn(Schema):
    comment: str = Field("", max_length=4000)
    reasons: str = Field("", max_length=10000, description="propose_rejection: the reasons")
    instalments: list[InstalmentIn] | None = Field(
        None, max_length=20, description="propose_approval: the annual instalments"
    )


@router.post(
    "/applications/{application_id}/steps/{step}",
    response=responses(ApplicationDetail),
    summary="Take a workflow step (submit, withdraw, the office's checks, proposal, decision)",
)
def application_step(request: HttpRequest, application_id: int, step: Step, body: StepIn) -> Any:
    """The same service as the step's button on the application page: the state machine decides
    whether the step is possible now, the step's named rule who may take it (403 with the rule)."""
    application = visible_or_404(applications_visible_to(request.user), application_id)
    kwargs: dict[str, Any] = {"comment": body.comment}
    if step == "propose_approval":
        if not body.instalments:
            raise InvalidInput(
                _("A proposal to approve names the annual instalments."),
                errors=[
                    {"pointer": "/body/instalments", "detail": _("Please give at least one instalment.")}
                ],
            )
        kwargs["instalments"] = {i.budget_year: i.amount for i in body.instalments}
    elif step == "propose_rejection":
        kwargs["reasons"] = body.reasons
    WORKFLOW_SERVICES[step](application=application, by=request.user, **kwargs)
    return _detail(request, application_id)
