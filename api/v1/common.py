"""Pieces every endpoint shares: money and percentage types, problem and page schemas, the
error responses each operation documents, and the 404 lookup through a visibility selector."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, TypeVar

from django.db.models import Model, QuerySet
from django.http import Http404
from ninja import Field, Schema
from pydantic import PlainSerializer, WithJsonSchema

from api.pagination import DEFAULT_LIMIT, MAX_LIMIT

M = TypeVar("M", bound=Model)

MONEY_PATTERN = r"^-?\d+\.\d{2}$"

# Amounts leave the API as strings with two decimals ("1234.56"): exact, and the same in every
# language and client. They come in as strings or numbers with at most two decimals.
Money = Annotated[
    Decimal,
    PlainSerializer(lambda value: f"{value:.2f}", return_type=str, when_used="always"),
    WithJsonSchema(
        {"type": "string", "pattern": MONEY_PATTERN, "examples": ["1234.56"], "description": "EUR"},
        mode="serialization",
    ),
]
MoneyIn = Annotated[
    Decimal,
    Field(ge=0, max_digits=12, decimal_places=2),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^\d{1,10}(\.\d{1,2})?$",
            "examples": ["1234.56"],
            "description": "EUR",
        },
        mode="validation",
    ),
]
Percent = Annotated[
    Decimal,
    PlainSerializer(lambda value: f"{value.normalize():f}", return_type=str, when_used="always"),
    WithJsonSchema(
        {"type": "string", "pattern": r"^-?\d+(\.\d+)?$", "examples": ["80", "12.5"]}, mode="serialization"
    ),
]
Year = Annotated[int, Field(ge=2000, le=2100)]


class FieldProblem(Schema):
    pointer: str | None = Field(None, description="JSON pointer into the request, e.g. /body/receipts/3")
    detail: str


class Problem(Schema):
    """RFC 9457 problem details (sent as application/problem+json)."""

    type: str
    title: str
    status: int
    detail: str
    rule: str | None = Field(
        None, description="The named permission that refused, e.g. grants.certify_drawdown"
    )
    errors: list[FieldProblem] | None = None


ERRORS: dict[int, Any] = {401: Problem, 403: Problem, 404: Problem, 413: Problem, 422: Problem, 429: Problem}


def responses(ok: Any, status: int = 200) -> dict[int, Any]:
    return {status: ok, **ERRORS}


class PageQuery(Schema):
    cursor: str | None = Field(None, description="next_cursor of the previous page")
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)


def visible_or_404(qs: QuerySet[M], pk: int) -> M:
    """The row if the selector (what the user may see) holds it; 404 otherwise, as the pages."""
    obj = qs.filter(pk=pk).first()
    if obj is None:
        raise Http404
    return obj


def filter_data(values: dict[str, Any]) -> dict[str, Any]:
    """Query values for a django-filter FilterSet: only the ones given."""
    return {key: value for key, value in values.items() if value not in (None, "")}
