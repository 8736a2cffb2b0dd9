"""Project carriers and who acts for them.

The bank details are read-only here: the admin asks for new ones through the same service as a
carrier (``bank_details_change_request``), and finance of a responsible office confirms them on
their page. The change history is shown on the carrier.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _gettext
from django.utils.translation import gettext_lazy as _

from core.errors import DomainError
from grants.admin.common import ReadOnlyTabularInline
from grants.carriers.forms import BankDetailsForm
from grants.carriers.models import BankDetailsChange, Organisation, OrganisationMembership
from grants.carriers.services import bank_details_change_request


class OrganisationMembershipInline(admin.TabularInline):
    model = OrganisationMembership
    extra = 0
    autocomplete_fields = ("user",)


class BankDetailsChangeInline(ReadOnlyTabularInline):
    model = BankDetailsChange
    fields = (
        "requested_at",
        "requested_by",
        "iban",
        "account_holder",
        "state",
        "decided_by",
        "decided_at",
        "previous_iban",
        "reason",
    )
    readonly_fields = fields
    ordering = ("-requested_at", "-pk")
    verbose_name_plural = _("changes of the bank details")


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "legal_form", "city", "state", "contact_person", "confidential")
    list_filter = ("legal_form", "state", "confidential")
    search_fields = ("name", "city", "contact_person", "email")
    # Never edited here: a change is a request that finance of a responsible office confirms.
    readonly_fields = ("iban", "bank_details", "account_holder", "bank_details_change_link")
    inlines = (OrganisationMembershipInline, BankDetailsChangeInline)
    fieldsets = (
        (None, {"fields": ("name", "legal_form", "confidential")}),
        (_("Address"), {"fields": ("street", ("postcode", "city"), "state")}),
        (_("Contact"), {"fields": ("contact_person", "email", "phone")}),
        (
            _("Bank details"),
            {"fields": ("iban", "bank_details", "account_holder", "bank_details_change_link")},
        ),
    )

    @admin.display(description=_("BIC / bank"))
    def bank_details(self, obj: Organisation) -> str:
        bic, bank = obj.bic_and_bank
        return " – ".join(part for part in (bic, bank) if part) or "–"

    @admin.display(description=_("Change"))
    def bank_details_change_link(self, obj: Organisation) -> str:
        if obj.pk is None:
            return _gettext("Save the carrier first; then new bank details can be requested.")
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:grants_organisation_bank_details", args=[obj.pk]),
            _gettext("Request new bank details (finance confirms them)"),
        )

    def get_urls(self) -> list[URLPattern]:
        return [
            path(
                "<int:pk>/bankverbindung/",
                self.admin_site.admin_view(self.bank_details_view),
                name="grants_organisation_bank_details",
            ),
            *super().get_urls(),
        ]

    def bank_details_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """Ask for new bank details through the carriers' service (finance confirms them)."""
        organisation = get_object_or_404(Organisation, pk=pk)
        if not self.has_change_permission(request, organisation):
            raise PermissionDenied
        form = BankDetailsForm(
            request.POST or None,
            initial={"iban": organisation.iban_formatted, "account_holder": organisation.account_holder},
        )
        if request.method == "POST" and form.is_valid():
            try:
                bank_details_change_request(
                    organisation=organisation,
                    by=request.user,  # type: ignore[arg-type]
                    iban=form.cleaned_data["iban"].strip(),
                    account_holder=form.cleaned_data["account_holder"],
                    request=request,
                )
            except DomainError as exc:  # AccessDenied included
                for message in exc.messages:
                    self.message_user(request, message, level=messages.ERROR)
            else:
                self.message_user(
                    request,
                    _gettext(
                        "New bank details of %(name)s were requested; they apply once finance staff of a responsible office confirm them."
                    )
                    % {"name": organisation.name},
                    level=messages.SUCCESS,
                )
                return HttpResponseRedirect(
                    reverse("admin:grants_organisation_change", args=[organisation.pk])
                )
        context: dict[str, Any] = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": organisation,
            "title": _gettext("Request new bank details"),
            "form": form,
            "pending": organisation.pending_bank_details_change,
        }
        return TemplateResponse(request, "admin/grants/organisation/bank_details.html", context)
