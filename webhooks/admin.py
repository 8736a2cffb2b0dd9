"""Read-only views for administrators: endpoints, events, deliveries and their attempts.

Changes go through the pages (the services and their rules); the secret is never shown here.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from webhooks.models import Delivery, DeliveryAttempt, OutboxEvent, WebhookEndpoint


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(ReadOnly):
    list_display = ("url", "organisation_id", "office", "is_active", "created_at")
    list_filter = ("is_active",)
    exclude = ("secret",)


class DeliveryAttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    extra = 0
    can_delete = False
    fields = ("at", "status_code", "succeeded", "error", "duration_ms", "replayed_by")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Delivery)
class DeliveryAdmin(ReadOnly):
    list_display = (
        "event",
        "endpoint",
        "state",
        "attempts",
        "last_status_code",
        "next_attempt_at",
        "delivered_at",
    )
    list_filter = ("state",)
    list_select_related = ("event", "endpoint")
    inlines = (DeliveryAttemptInline,)


@admin.register(OutboxEvent)
class OutboxEventAdmin(ReadOnly):
    list_display = ("created_at", "type", "subject", "organisation_id", "office_path")
    list_filter = ("type",)
