"""django-import-export resources of the finance exports: the columns and their German headers.

The headers are German literals, not translated strings: an export is a file format that
finance's spreadsheets and macros read by column name, so it must not change with the
language the person who starts it reads the site in.

Each field's ``attribute`` is a ``values_list`` path, so the streaming writers read exactly
these columns in one query; ``Resource.export()`` still works (row by row, as
django-import-export does it) and is what the benchmark compares against.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet, Value
from django.db.models.functions import Concat
from import_export import resources
from import_export.fields import Field

from budgets.choices import CostCategory, FinancingType, FundingLevel, LedgerKind
from budgets.models import LedgerEntry
from grants.applications.models import Application, ApplicationState
from grants.awards.models import Grant, GrantState, ProofKind, Receipt
from grants.awards.payments.models import Drawdown, DrawdownState
from reporting.exports.widgets import AmountWidget, DateWidget, IntegerWidget, LabelWidget, TextWidget


def text(attribute: str, header: str) -> Field:
    return Field(attribute=attribute, column_name=header, widget=TextWidget())


def amount(attribute: str, header: str) -> Field:
    return Field(attribute=attribute, column_name=header, widget=AmountWidget())


def day(attribute: str, header: str) -> Field:
    return Field(attribute=attribute, column_name=header, widget=DateWidget())


def number(attribute: str, header: str) -> Field:
    return Field(attribute=attribute, column_name=header, widget=IntegerWidget())


def label(attribute: str, header: str, choices: Any) -> Field:
    return Field(attribute=attribute, column_name=header, widget=LabelWidget(choices))


class ExportResource(resources.ModelResource):
    """Shared behaviour: ``Meta.fields`` lists the declared columns in order."""

    def get_queryset(self) -> QuerySet[Any]:
        return self._meta.model.objects.all()


class ApplicationExportResource(ExportResource):
    reference = text("reference", "Antragsnummer")
    title = text("title", "Projekttitel")
    carrier = text("organisation__name", "Träger")
    office = text("office__name", "Koordinierungsstelle")
    programme = text("programme__name", "Programm")
    start = day("start_date", "Projektbeginn")
    end = day("end_date", "Projektende")
    financing = label("financing_type", "Finanzierungsart", FinancingType.choices)
    state = label("state", "Status", ApplicationState.choices)
    submitted = day("submitted_at", "Eingereicht am")
    proposed = amount("proposed_amount", "Vorgeschlagener Betrag (EUR)")

    class Meta:
        model = Application
        fields = (
            "reference",
            "title",
            "carrier",
            "office",
            "programme",
            "start",
            "end",
            "financing",
            "state",
            "submitted",
            "proposed",
        )
        export_order = fields


class GrantExportResource(ExportResource):
    file_number = text("file_number", "Aktenzeichen")
    application = text("application__reference", "Antragsnummer")
    title = text("title", "Projekttitel")
    carrier = text("organisation__name", "Träger")
    office = text("office__name", "Koordinierungsstelle")
    programme = text("programme__name", "Programm")
    start = day("period_start", "Bewilligungszeitraum von")
    end = day("period_end", "Bewilligungszeitraum bis")
    financing = label("financing_type", "Finanzierungsart", FinancingType.choices)
    granted = amount("granted_amount", "Betrag (EUR)")
    state = label("state", "Status", GrantState.choices)
    approved = day("approved_at", "Bewilligt am")

    class Meta:
        model = Grant
        fields = (
            "file_number",
            "application",
            "title",
            "carrier",
            "office",
            "programme",
            "start",
            "end",
            "financing",
            "granted",
            "state",
            "approved",
        )
        export_order = fields


class DrawdownExportResource(ExportResource):
    file_number = text("grant__file_number", "Aktenzeichen")
    carrier = text("grant__organisation__name", "Träger")
    office = text("grant__office__name", "Koordinierungsstelle")
    programme = text("grant__programme__name", "Programm")
    year = number("budget_year", "Haushaltsjahr")
    drawn = amount("amount", "Betrag (EUR)")
    purpose = text("purpose", "Zweck")
    needed = day("needed_on", "Benötigt am")
    state = label("state", "Status", DrawdownState.choices)
    ordered = day("ordered_at", "Angeordnet am")
    paid = day("paid_on", "Wertstellung")

    class Meta:
        model = Drawdown
        fields = (
            "file_number",
            "carrier",
            "office",
            "programme",
            "year",
            "drawn",
            "purpose",
            "needed",
            "state",
            "ordered",
            "paid",
        )
        export_order = fields


class ReceiptExportResource(ExportResource):
    file_number = text("proof__grant__file_number", "Aktenzeichen")
    carrier = text("proof__grant__organisation__name", "Träger")
    office = text("proof__grant__office__name", "Koordinierungsstelle")
    programme = text("proof__grant__programme__name", "Programm")
    proof = label("proof__kind", "Nachweis", ProofKind.choices)
    year = number("proof__budget_year", "Haushaltsjahr")
    number_ = text("number", "Belegnummer")
    paid = day("paid_on", "Datum")
    counterparty = text("counterparty", "Empfänger/Einzahler")
    reason = text("reason", "Zahlungsgrund")
    category = label("plan_line__category", "Ausgabenart", CostCategory.choices)
    paid_amount = amount("amount", "Betrag (EUR)")

    class Meta:
        model = Receipt
        fields = (
            "file_number",
            "carrier",
            "office",
            "programme",
            "proof",
            "year",
            "number_",
            "paid",
            "counterparty",
            "reason",
            "category",
            "paid_amount",
        )
        export_order = fields


class LedgerExportResource(ExportResource):
    office = text("envelope__office__name", "Koordinierungsstelle")
    programme = text("envelope__programme__name", "Programm")
    year = number("budget_year", "Haushaltsjahr")
    source = label("envelope__funding_source", "Mittelherkunft", FundingLevel.choices)
    title = text("envelope__budget_title", "Haushaltstitel")
    kind = label("kind", "Buchungsart", LedgerKind.choices)
    booked = amount("amount", "Betrag (EUR)")
    reference = text("reference", "Aktenzeichen")
    booked_on = day("created_at", "Gebucht am")
    actor = text("actor_name", "Gebucht von")
    comment = text("comment", "Bemerkung")

    class Meta:
        model = LedgerEntry
        fields = (
            "office",
            "programme",
            "year",
            "source",
            "title",
            "kind",
            "booked",
            "reference",
            "booked_on",
            "actor",
            "comment",
        )
        export_order = fields

    def get_queryset(self) -> QuerySet[Any]:
        return LedgerEntry.objects.annotate(
            actor_name=Concat("actor__first_name", Value(" "), "actor__last_name")
        )


class RollupExportResource(resources.Resource):
    """Budget figures (DOMAIN.md §4.5) per office, programme, budget year and funding source.

    A row holds the office's own envelopes, so rows add up to the totals of any subtree; funds
    financed by a grant inside the exported offices are left out (their money is counted once,
    as that grant's commitment). Rows are dicts made from ``budgets.selectors.rollup``.
    """

    office = text("office", "Koordinierungsstelle")
    programme = text("programme", "Programm")
    year = number("year", "Haushaltsjahr")
    source = label("source", "Mittelherkunft", FundingLevel.choices)
    allocated = amount("allocated", "Ansatz (EUR)")
    carry_over = amount("carry_over", "Ausgabereste (EUR)")
    reinforcements = amount("reinforcements", "Verstärkungen (EUR)")
    blocked = amount("blocked", "Gesperrt (EUR)")
    committed = amount("committed", "Festgelegt (EUR)")
    disbursed = amount("disbursed", "Ausgezahlt (EUR)")
    open = amount("open", "Offen (EUR)")
    proven = amount("proven", "Nachgewiesen (EUR)")
    reclaimed = amount("reclaimed", "Zurückgefordert (EUR)")
    repaid = amount("repaid", "Zurückgezahlt (EUR)")
    available = amount("available", "Verfügbar (EUR)")

    class Meta:
        fields = (
            "office",
            "programme",
            "year",
            "source",
            "allocated",
            "carry_over",
            "reinforcements",
            "blocked",
            "committed",
            "disbursed",
            "open",
            "proven",
            "reclaimed",
            "repaid",
            "available",
        )
        export_order = fields
