"""django-import-export resources for budget envelopes.

Rows are parsed by strict widgets (German amounts ``1.234,56``, office and programme codes)
and saved through ``envelope_create``, so an import obeys every rule the service enforces.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import fields, resources, widgets

from budgets.choices import FundingLevel
from budgets.models import BudgetEnvelope, CoordinatingOffice, FundingProgramme
from budgets.services.envelopes import envelope_create
from core.errors import DomainError

# Column names as finance writes them (German) and their English equivalents.
COLUMNS = {
    "office": ("stelle", "koordinierungsstelle", "office"),
    "programme": ("programm", "förderprogramm", "programme", "program"),
    "budget_year": ("haushaltsjahr", "jahr", "budget_year", "year"),
    "funding_source": ("mittelherkunft", "quelle", "funding_source", "source"),
    "budget_title": ("haushaltstitel", "titel", "budget_title", "title"),
    "allocated": ("ansatz", "allocated"),
    "carry_over": ("ausgabereste", "carry_over"),
    "reinforcements": ("verstärkungen", "verstaerkungen", "reinforcements"),
    "blocked": ("gesperrt", "sperre", "blocked"),
    "is_default": ("standardtitel", "standard", "is_default", "default"),
}
GERMAN_AMOUNT = re.compile(r"^-?(\d{1,3}(\.\d{3})+|\d+)(,\d{1,2})?$")
SOURCES = {
    **{value: value for value in FundingLevel.values},
    "bund": "federal",
    "land": "state",
    "kommune": "municipal",
    "kommunal": "municipal",
}


def normalise_header(header: Any) -> str:
    text = str(header or "").strip().lower()
    for name, aliases in COLUMNS.items():
        if text in aliases:
            return name
    return text


class GermanAmountWidget(widgets.Widget):
    """``1.234,56`` (or a number cell from XLSX) → Decimal; anything else is refused."""

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> Decimal:
        if value is None or str(value).strip() == "":
            return Decimal(0)
        if isinstance(value, int | float) and not isinstance(value, bool):
            amount = Decimal(str(value))
        else:
            text = str(value).strip().removesuffix("€").strip().replace("\u00a0", "").replace(" ", "")
            if not GERMAN_AMOUNT.match(text):
                raise ValueError(
                    _("“%(value)s” is not an amount; write amounts like 1.234,56.") % {"value": value}
                )
            amount = Decimal(text.replace(".", "").replace(",", "."))
        if amount != amount.quantize(Decimal("0.01")):
            raise ValueError(_("“%(value)s” has more than two decimal places.") % {"value": value})
        return amount


class YearWidget(widgets.Widget):
    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> int:
        text = str(value if value is not None else "").strip().removesuffix(".0")
        if not re.fullmatch(r"20\d\d", text):
            raise ValueError(
                _("“%(value)s” is not a budget year.") % {"value": value if value is not None else ""}
            )
        return int(text)


class CodeWidget(widgets.Widget):
    """An office or programme, identified by its code."""

    def __init__(self, model: type[models.Model], message: Any) -> None:
        super().__init__()
        self.model, self.message = model, message

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> Any:
        code = str(value or "").strip()
        matches = list(self.model._default_manager.filter(code__iexact=code)[:2]) if code else []
        if len(matches) != 1:
            raise ValueError(self.message % {"value": code})
        return matches[0]


class SourceWidget(widgets.Widget):
    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> str:
        key = str(value or "").strip().lower()
        if key not in SOURCES:
            raise ValueError(
                _("Unknown funding source “%(value)s” (use Bund, Land, Kommune or EU).")
                % {"value": value or ""}
            )
        return SOURCES[key]


class YesNoWidget(widgets.Widget):
    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> bool:
        return str(value or "").strip().lower() in {"1", "x", "ja", "yes", "true", "wahr", "j"}


class EnvelopeResource(resources.ModelResource):
    office = fields.Field(
        attribute="office",
        column_name="office",
        widget=CodeWidget(CoordinatingOffice, gettext_lazy("Unknown office “%(value)s”.")),
    )
    programme = fields.Field(
        attribute="programme",
        column_name="programme",
        widget=CodeWidget(FundingProgramme, gettext_lazy("Unknown programme “%(value)s”.")),
    )
    budget_year = fields.Field(attribute="budget_year", column_name="budget_year", widget=YearWidget())
    funding_source = fields.Field(
        attribute="funding_source", column_name="funding_source", widget=SourceWidget()
    )
    budget_title = fields.Field(
        attribute="budget_title", column_name="budget_title", widget=widgets.CharWidget()
    )
    allocated = fields.Field(attribute="allocated", column_name="allocated", widget=GermanAmountWidget())
    carry_over = fields.Field(attribute="carry_over", column_name="carry_over", widget=GermanAmountWidget())
    reinforcements = fields.Field(
        attribute="reinforcements", column_name="reinforcements", widget=GermanAmountWidget()
    )
    blocked = fields.Field(attribute="blocked", column_name="blocked", widget=GermanAmountWidget())
    is_default = fields.Field(attribute="is_default", column_name="is_default", widget=YesNoWidget())

    class Meta:
        model = BudgetEnvelope
        fields = (
            "office",
            "programme",
            "budget_year",
            "funding_source",
            "budget_title",
            "allocated",
            "carry_over",
            "reinforcements",
            "blocked",
            "is_default",
        )
        import_id_fields: tuple[str, ...] = ()
        force_init_instance = True  # every row is a new envelope; an existing one is a duplicate
        skip_diff = True
        clean_model_instances = False

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.seen: dict[tuple[Any, ...], int] = {}

    def save_instance(self, instance: BudgetEnvelope, is_create: bool, row: Any, **kwargs: Any) -> None:
        line = kwargs["row_number"] + 1  # the header is line 1
        key = (
            instance.office.pk,
            instance.programme.pk,
            instance.budget_year,
            instance.funding_source,
            instance.budget_title.strip(),
        )
        if key in self.seen:
            raise ValidationError(_("Duplicate of line %(line)s.") % {"line": self.seen[key]})
        self.seen[key] = line
        try:
            created = envelope_create(
                office=instance.office,
                programme=instance.programme,
                budget_year=instance.budget_year,
                funding_source=instance.funding_source,
                budget_title=instance.budget_title,
                allocated=getattr(instance, "allocated", Decimal(0)),
                carry_over=getattr(instance, "carry_over", Decimal(0)),
                reinforcements=getattr(instance, "reinforcements", Decimal(0)),
                blocked=getattr(instance, "blocked", Decimal(0)),
                is_default=instance.is_default,
                by=kwargs["user"],
                comment=_("Imported from %(file)s") % {"file": kwargs.get("file_name", "")},
            )
        except DomainError as exc:
            raise ValidationError(exc.messages) from exc
        instance.pk = created.pk

    def export_field(self, field: fields.Field, instance: Any, **kwargs: Any) -> Any:
        # Export reads the figures from the ledger (see EnvelopeExportResource); codes stay codes.
        if field.attribute == "office":
            return instance.office.code
        if field.attribute == "programme":
            return instance.programme.code
        return super().export_field(field, instance, **kwargs)
