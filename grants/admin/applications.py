"""Applications, their financing plans and attachments: read-only, workflow steps as actions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from budgets.admin import ReadOnlyAdminMixin
from core.formatting import format_eur, format_percent
from grants.admin.common import HistoryInline, ReadOnlyTabularInline, ServiceActionAdmin, service_action
from grants.applications.models import Application, Attachment, CoverLine, ExpenditureLine, Instalment
from grants.applications.services.application import default_instalments
from grants.applications.validation import plan_totals
from grants.awards.services.award import WORKFLOW_SERVICES


def attachment_link(attachment: Attachment) -> str:
    # The permission-checked view, never the storage URL: attachments hold personal data.
    url = reverse("attachment_download", args=[attachment.application_id, attachment.pk])
    return format_html('<a href="{}">{}</a>', url, _("Download"))


class ExpenditureLineInline(ReadOnlyTabularInline):
    model = ExpenditureLine
    fields = ("budget_year", "category", "description", "amount")


class CoverLineInline(ReadOnlyTabularInline):
    model = CoverLine
    fields = ("budget_year", "kind", "source", "amount")


class InstalmentInline(ReadOnlyTabularInline):
    model = Instalment
    fields = ("budget_year", "amount")


class AttachmentDisplay:
    @admin.display(description=_("size"), ordering="size")
    def file_size(self, obj: Attachment) -> str:
        return filesizeformat(obj.size)

    @admin.display(description=_("file"))
    def download(self, obj: Attachment) -> str:
        return attachment_link(obj)


class AttachmentInline(AttachmentDisplay, ReadOnlyTabularInline):
    model = Attachment
    # ``file`` is left out on purpose: its widget would link to the storage URL.
    fields = ("kind", "original_name", "file_size", "content_type", "uploaded_by", "uploaded_at", "download")
    readonly_fields = fields


def _step(name: str, description: Any, **extra: Callable[[Application], Any]) -> Callable[..., None]:
    # The same services as the pages (the approval is the award's), so the admin asks the same rules.
    return service_action(name, description, WORKFLOW_SERVICES[name], **extra)


# The steps that need no input beyond the selection; the others (revision request, rejection
# proposal, returning a proposal) need a comment and are taken on the review page.
submit = _step("submit", _("Submit"))
start_formal_check = _step("start_formal_check", _("Start formal check"))
complete_formal_check = _step("complete_formal_check", _("Complete formal check"))
propose_approval = _step(
    "propose_approval", _("Propose approval (requested annual amounts)"), instalments=default_instalments
)
approve = _step("approve", _("Approve"))
reject = _step("reject", _("Reject"))
withdraw = _step("withdraw", _("Withdraw"))

PROJECT_FIELDS = (
    "reference",
    "organisation",
    "programme",
    "office",
    "title",
    "summary",
    "goals",
    "target_groups",
    "region",
    "start_date",
    "end_date",
    "financing_type",
    "financing_summary",
)
WORKFLOW_FIELDS = (
    "state",
    "created_by",
    "created_at",
    "submitted_at",
    "formal_checked_by",
    "content_reviewed_by",
    "proposed_by",
    "proposed_at",
    "proposed_amount_display",
    "decision_reasons",
    "decided_by",
    "decided_at",
    "updated_at",
)


@admin.register(Application)
class ApplicationAdmin(ServiceActionAdmin):
    list_display = (
        "reference",
        "title",
        "organisation",
        "programme",
        "office",
        "state",
        "submitted_at",
        "proposed_amount_display",
    )
    list_filter = ("state", "programme", "office")
    search_fields = ("reference", "title", "organisation__name", "region")
    list_select_related = ("organisation", "programme", "office")
    date_hierarchy = "created_at"
    fieldsets = (
        (_("Project"), {"fields": PROJECT_FIELDS}),
        (_("Workflow"), {"fields": WORKFLOW_FIELDS}),
    )
    readonly_fields = PROJECT_FIELDS + WORKFLOW_FIELDS
    inlines = (ExpenditureLineInline, CoverLineInline, InstalmentInline, AttachmentInline, HistoryInline)
    actions = (submit, start_formal_check, complete_formal_check, propose_approval, approve, reject, withdraw)
    object_label_field = "reference"
    action_ordering = ("reference",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Application]:
        return super().get_queryset(request).select_related("organisation", "programme", "office")

    @admin.display(description=_("proposed grant"), ordering="proposed_amount")
    def proposed_amount_display(self, obj: Application) -> str:
        return format_eur(obj.proposed_amount)

    @admin.display(description=_("financing plan"))
    def financing_summary(self, obj: Application) -> str:
        totals = plan_totals(obj.expenditure_lines.all(), obj.cover_lines.all())
        rate = totals.funding_rate
        return _(
            "Expenditure %(exp)s; own funds %(own)s, third-party funds %(third)s, grant %(grant)s "
            "(funding rate %(rate)s)"
        ) % {
            "exp": format_eur(totals.expenditure),
            "own": format_eur(totals.own),
            "third": format_eur(totals.third),
            "grant": format_eur(totals.grant),
            "rate": "–" if rate is None else format_percent(rate),
        }


# --- plan rows and attachments on their own ---------------------------------------------------


class ApplicationRowAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_select_related: ClassVar[tuple[str, ...]] = ("application",)
    search_fields = ("application__reference", "application__title")


@admin.register(ExpenditureLine)
class ExpenditureLineAdmin(ApplicationRowAdmin):
    list_display = ("application", "budget_year", "category", "description", "amount")
    list_filter = ("category", "budget_year")


@admin.register(CoverLine)
class CoverLineAdmin(ApplicationRowAdmin):
    list_display = ("application", "budget_year", "kind", "source", "amount")
    list_filter = ("kind", "budget_year")


@admin.register(Instalment)
class InstalmentAdmin(ApplicationRowAdmin):
    list_display = ("application", "budget_year", "amount")
    list_filter = ("budget_year",)


@admin.register(Attachment)
class AttachmentAdmin(AttachmentDisplay, ApplicationRowAdmin):
    list_display = (
        "original_name",
        "application",
        "kind",
        "file_size",
        "uploaded_by",
        "uploaded_at",
        "download",
    )
    list_filter = ("kind",)
    list_select_related = ("application", "uploaded_by")
    fields = (
        "application",
        "kind",
        "original_name",
        "file_size",
        "content_type",
        "uploaded_by",
        "uploaded_at",
        "download",
    )
    readonly_fields = fields
