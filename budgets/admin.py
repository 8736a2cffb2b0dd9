"""Admin for the office tree, staff roles and programme parameters."""

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import flatten_fieldsets
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from treebeard.admin import TreeAdmin
from treebeard.forms import movenodeform_factory

from budgets.choices import CostCategory, FinancingType
from budgets.models import (
    BudgetEnvelope,
    CoordinatingOffice,
    FundingProgramme,
    LedgerEntry,
    OfficeMembership,
    PayingAccount,
)
from budgets.paying_accounts import paying_accounts_configured, paying_accounts_of
from budgets.selectors import envelope_figures
from core.formatting import format_eur


class ReadOnlyAdminMixin:
    """Rows that only services write (envelopes, ledger, workflow): shown, never changed here."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class OfficeMembershipInline(admin.TabularInline):
    model = OfficeMembership
    extra = 0
    autocomplete_fields = ("user",)


class PayingAccountInline(admin.TabularInline):
    model = PayingAccount
    extra = 0
    fields = ("funding_source", "envelope", "name", "iban", "bic")
    autocomplete_fields = ("envelope",)


@admin.register(PayingAccount)
class PayingAccountAdmin(admin.ModelAdmin):
    """The offices' paying accounts (Zahlkonten); the IBAN is checked like a payee's."""

    list_display = ("office", "funding_source", "envelope", "name", "iban", "bic")
    list_filter = ("funding_source",)
    search_fields = ("office__name", "office__code", "name", "iban")
    list_select_related = ("office", "envelope", "envelope__programme")
    autocomplete_fields = ("office", "envelope")
    fields = ("office", "funding_source", "envelope", "name", "iban", "bic")


@admin.register(CoordinatingOffice)
class CoordinatingOfficeAdmin(TreeAdmin):
    # The move form places the node in the tree (treebeard needs add_root/add_child/move).
    form = movenodeform_factory(CoordinatingOffice)
    list_display = ("name", "short_name", "code", "kind", "state", "city")
    list_filter = ("kind", "state")
    search_fields = ("name", "short_name", "code", "city")
    inlines = (OfficeMembershipInline, PayingAccountInline)


@admin.register(OfficeMembership)
class OfficeMembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "role", "office")
    list_filter = ("role", "office__state")
    search_fields = ("user__username", "user__first_name", "user__last_name", "office__name", "office__code")
    autocomplete_fields = ("user", "office")
    list_select_related = ("user", "office")


# Typed loosely: django-stubs wants a TypedDict per section, which a literal does not infer.
PROGRAMME_FIELDSETS: Any = (
    (
        _("Programme"),
        {"fields": ("name", "code", "family", "funding_level", ("period_start", "period_end"))},
    ),
    (
        _("Rule parameters"),
        {
            "fields": (
                ("max_funding_rate", "min_own_share"),
                "third_party_counts_as_own_share",
                ("min_grant_per_year", "max_grant_per_year"),
                "allowed_financing_types",
                "allowed_cost_categories",
                ("max_months", "must_end_by_year_end"),
                ("application_start", "application_deadline"),
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
            )
        },
    ),
    (
        _("Retention periods"),
        {
            "fields": (
                "retention_unfunded_years",
                ("retention_grant_years", "retention_attachment_years"),
            )
        },
    ),
)


class FundingProgrammeForm(forms.ModelForm):
    # The JSON lists are edited as checkboxes, so only known values can be stored.
    allowed_financing_types = forms.MultipleChoiceField(
        label=_("allowed financing types"),
        choices=FinancingType.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    allowed_cost_categories = forms.MultipleChoiceField(
        label=_("allowed cost categories"),
        choices=CostCategory.choices,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = FundingProgramme
        fields = flatten_fieldsets(PROGRAMME_FIELDSETS)


@admin.register(FundingProgramme)
class FundingProgrammeAdmin(admin.ModelAdmin):
    form = FundingProgrammeForm
    list_display = (
        "name",
        "code",
        "family",
        "funding_level",
        "period_start",
        "period_end",
        "max_funding_rate",
        "max_grant_per_year",
        "application_deadline",
    )
    list_filter = ("family", "funding_level")
    search_fields = ("name", "code")
    fieldsets = PROGRAMME_FIELDSETS


# --- budget envelopes and the append-only ledger: written only by budgets.services ------------


class LedgerEntryInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = LedgerEntry
    extra = 0
    fields = ("created_at", "budget_year", "kind", "amount", "reference", "actor", "comment")


@admin.register(BudgetEnvelope)
class BudgetEnvelopeAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("office", "programme", "budget_year", "funding_source", "budget_title", "is_default")
    list_filter = ("budget_year", "funding_source", "programme")
    search_fields = ("office__name", "office__code", "programme__name", "budget_title")
    list_select_related = ("office", "programme")
    fields = (
        "office",
        "programme",
        "budget_year",
        "funding_source",
        "budget_title",
        "is_default",
        "created_at",
        "figures",
        "pays_from",
    )
    readonly_fields = fields
    inlines = (LedgerEntryInline,)

    @admin.display(description=_("figures"))
    def figures(self, obj: BudgetEnvelope) -> str:
        f = envelope_figures([obj.pk])[obj.pk]
        return _(
            "Budget %(budget)s, committed %(committed)s, available %(available)s, disbursed %(disbursed)s"
        ) % {
            "budget": format_eur(f.budget),
            "committed": format_eur(f.committed),
            "available": format_eur(f.available),
            "disbursed": format_eur(f.disbursed),
        }

    @admin.display(description=_("paying account"))
    def pays_from(self, obj: BudgetEnvelope) -> str:
        account = paying_accounts_of([obj.pk])[obj.pk]
        if account is not None:
            return str(account)
        if paying_accounts_configured():
            return str(_("None: payments from this envelope are refused until an account is set up."))
        return str(_("The account in the settings (no paying account is set up yet)."))


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("created_at", "envelope", "budget_year", "kind", "amount", "reference", "actor")
    list_filter = ("kind", "budget_year")
    search_fields = ("reference", "comment", "envelope__budget_title")
    list_select_related = ("envelope__office", "envelope__programme", "actor")
    date_hierarchy = "created_at"
