"""django-import-export resources for budget envelopes: they only parse.

``EnvelopeResource.parse`` turns one row of an upload into ``EnvelopeValues`` (amounts by the one
rule of ``core.money``, read as German whatever the UI language; office and programme codes;
funding sources by their German names) and the reasons a cell could not be read. Checking the
envelope and writing it is ``envelope_create``'s work, called by ``import_envelopes``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import fields, resources, widgets

from budgets.choices import FundingLevel
from budgets.models import BudgetEnvelope, CoordinatingOffice, FundingProgramme
from core.money import GERMAN, parse_amount

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
    """``1.234,56``, ``1234.56`` or a number cell → Decimal (``core.money.parse_amount``); empty is 0."""

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> Decimal:
        if value is None or str(value).strip() == "":
            return Decimal(0)
        try:
            return parse_amount(value if isinstance(value, int | float) else str(value), locale=GERMAN)
        except ValidationError as exc:
            raise ValueError(" ".join(exc.messages)) from None


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


@dataclass
class EnvelopeValues:
    """One envelope as read from a row; ``None`` where its cell could not be read."""

    office: CoordinatingOffice | None
    programme: FundingProgramme | None
    budget_year: int | None
    funding_source: str | None
    budget_title: str
    allocated: Decimal
    carry_over: Decimal
    reinforcements: Decimal
    blocked: Decimal
    is_default: bool

    def key(self) -> tuple[Any, ...]:
        """What makes two rows the same envelope."""
        return (
            self.office.pk if self.office else None,
            self.programme.pk if self.programme else None,
            self.budget_year,
            self.funding_source,
            self.budget_title.strip(),
        )


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

    def parse(self, cells: Mapping[str, Any]) -> tuple[EnvelopeValues, list[str]]:
        """One row's values and the reasons its cells could not be read (in column order)."""
        parsed: dict[str, Any] = {}
        errors: list[str] = []
        for name in self._meta.fields:
            try:
                parsed[name] = self.fields[name].widget.clean(cells.get(name))
            except ValueError as exc:
                errors.append(str(exc))
        values = EnvelopeValues(
            office=parsed.get("office"),
            programme=parsed.get("programme"),
            budget_year=parsed.get("budget_year"),
            funding_source=parsed.get("funding_source"),
            budget_title=parsed.get("budget_title") or "",
            allocated=parsed.get("allocated", Decimal(0)),
            carry_over=parsed.get("carry_over", Decimal(0)),
            reinforcements=parsed.get("reinforcements", Decimal(0)),
            blocked=parsed.get("blocked", Decimal(0)),
            is_default=bool(parsed.get("is_default")),
        )
        return values, errors

    def export_field(self, field: fields.Field, instance: Any, **kwargs: Any) -> Any:
        # Export reads the figures from the ledger (see EnvelopeExportResource); codes stay codes.
        if field.attribute == "office":
            return instance.office.code
        if field.attribute == "programme":
            return instance.programme.code
        return super().export_field(field, instance, **kwargs)
