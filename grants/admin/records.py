"""Legal holds and the retention log in the admin: shown, never changed here (holds are placed
and lifted by auditors on the case's records page, the log is written by the retention run)."""

from __future__ import annotations

from django.contrib import admin

from budgets.admin import ReadOnlyAdminMixin
from grants.records.models import LegalHold, RetentionLog


@admin.register(LegalHold)
class LegalHoldAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("application", "reason", "placed_at", "placed_by", "lifted_at", "lifted_by")
    list_filter = ("reason",)
    search_fields = ("application__reference", "note")
    list_select_related = ("application", "placed_by", "lifted_by")


@admin.register(RetentionLog)
class RetentionLogAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("created_at", "action", "record_type", "reference", "rule", "due_on", "by")
    list_filter = ("action", "record_type", "rule")
    search_fields = ("reference", "detail")
    date_hierarchy = "run_on"
    list_select_related = ("by",)
