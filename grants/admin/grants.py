"""Grants, their plan versions and drawdowns (written by services), and the base rates."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from budgets.admin import ReadOnlyAdminMixin
from core.formatting import format_eur
from grants.admin.common import HistoryInline, ReadOnlyTabularInline, ServiceActionAdmin, service_action
from grants.awards.models import (
    BaseRate,
    FileNumberSequence,
    Grant,
    GrantInstalment,
    PlanVersion,
    PlanVersionLine,
)
from grants.awards.payments.models import Drawdown
from grants.awards.payments.services.drawdown import drawdown_cancel, drawdown_certify, drawdown_order


class GrantInstalmentInline(ReadOnlyTabularInline):
    model = GrantInstalment
    fields = ("budget_year", "amount")


class PlanVersionInline(ReadOnlyTabularInline):
    model = PlanVersion
    fields = ("version", "created_at", "created_by", "reason")
    show_change_link = True


class DrawdownInline(ReadOnlyTabularInline):
    model = Drawdown
    fields = ("budget_year", "amount", "needed_on", "state", "requested_at", "paid_on")
    show_change_link = True


GRANT_FIELDSETS: Any = (
    (
        _("Notice"),
        {
            "fields": (
                "file_number",
                "application",
                "organisation",
                "programme",
                "office",
                "title",
                "purpose",
                ("period_start", "period_end"),
                "financing_type",
                "granted_amount",
                "planned_expenditure",
                "funding_share",
                "state",
                ("approved_by", "approved_at"),
            )
        },
    ),
    (
        _("Finality"),
        {
            "fields": (
                "posted_on",
                "deemed_received_on",
                "objection_deadline",
                "objection_waived_on",
                "final_on",
            )
        },
    ),
    (
        _("Process parameters"),
        {
            "fields": (
                ("drawdown_window_value", "drawdown_window_unit"),
                "overrun_tolerance",
                "notice_receipt_days",
                ("interim_report_months", "final_report_months"),
                "payout_requires_final_notice",
                ("interest_margin_points", "late_use_interest_from_window_end"),
                ("confidential_individual_support", "individual_help_cap"),
                ("flat_rate_percent", "simple_proof_threshold"),
                "early_start_from",
            )
        },
    ),
)


@admin.register(Grant)
class GrantAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "file_number",
        "title",
        "organisation",
        "programme",
        "office",
        "state",
        "granted_amount_display",
        "approved_at",
        "final_on",
    )
    list_filter = ("state", "programme", "office")
    search_fields = ("file_number", "title", "organisation__name", "application__reference")
    list_select_related = ("organisation", "programme", "office")
    date_hierarchy = "approved_at"
    fieldsets = GRANT_FIELDSETS
    inlines = (GrantInstalmentInline, PlanVersionInline, DrawdownInline, HistoryInline)

    @admin.display(description=_("maximum amount"), ordering="granted_amount")
    def granted_amount_display(self, obj: Grant) -> str:
        return format_eur(obj.granted_amount)


@admin.register(GrantInstalment)
class GrantInstalmentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("grant", "budget_year", "amount")
    list_filter = ("budget_year",)
    search_fields = ("grant__file_number",)
    list_select_related = ("grant",)


class PlanVersionLineInline(ReadOnlyTabularInline):
    model = PlanVersionLine
    fields = ("side", "budget_year", "category", "cover_kind", "text", "amount")


@admin.register(PlanVersion)
class PlanVersionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("grant", "version", "created_at", "created_by", "reason")
    search_fields = ("grant__file_number", "reason")
    list_select_related = ("grant", "created_by")
    inlines = (PlanVersionLineInline,)


@admin.register(PlanVersionLine)
class PlanVersionLineAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("plan", "side", "budget_year", "category", "cover_kind", "text", "amount")
    list_filter = ("side", "budget_year")
    search_fields = ("plan__grant__file_number", "text")
    list_select_related = ("plan__grant",)


@admin.register(FileNumberSequence)
class FileNumberSequenceAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    # Changing a counter by hand would break gap-free file numbers.
    list_display = ("prefix", "last_number")
    search_fields = ("prefix",)


@admin.register(BaseRate)
class BaseRateAdmin(admin.ModelAdmin):
    # Maintained by hand when the Bundesbank publishes the rate for the next half-year. A change
    # of a rate that decided reclaims computed interest with is refused with the reason
    # (BaseRate.clean), and it cannot be deleted; PostgreSQL refuses the UPDATE or DELETE too.
    list_display = ("valid_from", "rate", "in_use")

    @admin.display(description=_("used by decided reclaims"), boolean=True)
    def in_use(self, obj: BaseRate) -> bool:
        return BaseRate.used_by(obj.valid_from).exists()

    def has_delete_permission(self, request: Any, obj: BaseRate | None = None) -> bool:
        if obj is not None and obj.pk and BaseRate.used_by(obj.valid_from).exists():
            return False
        return super().has_delete_permission(request, obj)

    def delete_queryset(self, request: Any, queryset: Any) -> None:
        for rate in queryset:
            refusal = rate.refusal(deleting=True)
            if refusal:
                self.message_user(request, refusal, level=messages.ERROR)
                return
        super().delete_queryset(request, queryset)


# Drawdown steps that need no input; rejection (reason) and booking (value date) do.
certify = service_action("certify", _("Certify as factually and arithmetically correct"), drawdown_certify)
order = service_action("order", _("Order payment"), drawdown_order)
cancel = service_action("cancel", _("Withdraw request"), drawdown_cancel)


@admin.register(Drawdown)
class DrawdownAdmin(ServiceActionAdmin):
    list_display = (
        "grant",
        "budget_year",
        "amount_display",
        "needed_on",
        "state",
        "requested_by",
        "requested_at",
    )
    list_filter = ("state", "budget_year")
    search_fields = ("grant__file_number", "grant__title", "grant__organisation__name", "purpose")
    list_select_related = ("grant", "requested_by")
    date_hierarchy = "requested_at"
    inlines = (HistoryInline,)
    actions = (certify, order, cancel)
    object_label_field = "grant__file_number"
    action_ordering = ("requested_at", "pk")

    @admin.display(description=_("amount"), ordering="amount")
    def amount_display(self, obj: Drawdown) -> str:
        return format_eur(obj.amount)
