"""Project carriers and who acts for them."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from grants.carriers.models import Organisation, OrganisationMembership


class OrganisationMembershipInline(admin.TabularInline):
    model = OrganisationMembership
    extra = 0
    autocomplete_fields = ("user",)


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "legal_form", "city", "state", "contact_person", "confidential")
    list_filter = ("legal_form", "state", "confidential")
    search_fields = ("name", "city", "contact_person", "email")
    readonly_fields = ("bank_details",)
    inlines = (OrganisationMembershipInline,)
    fieldsets = (
        (None, {"fields": ("name", "legal_form", "confidential")}),
        (_("Address"), {"fields": ("street", ("postcode", "city"), "state")}),
        (_("Contact"), {"fields": ("contact_person", "email", "phone")}),
        (_("Bank details"), {"fields": ("iban", "bank_details", "account_holder")}),
    )

    @admin.display(description=_("BIC / bank"))
    def bank_details(self, obj: Organisation) -> str:
        bic, bank = obj.bic_and_bank
        return " – ".join(part for part in (bic, bank) if part) or "–"


@admin.register(OrganisationMembership)
class OrganisationMembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "organisation")
    search_fields = ("user__username", "user__first_name", "user__last_name", "organisation__name")
    autocomplete_fields = ("user", "organisation")
    list_select_related = ("user", "organisation")
