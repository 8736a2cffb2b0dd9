"""The one list component: sortable columns, paging and the query string that keeps both.

A list page declares its columns once; :class:`ListPage` orders the (already filtered)
queryset by a whitelisted column (``?o=title`` ascending, ``?o=-title`` descending), pages it
25 rows at a time and gives the template the headers (label, sort link, ``aria-sort``) that
``templates/includes/list_head.html`` renders, and the query string that paging links keep.
Filtering and search are django-filter ``FilterSet``s in the selectors; this module knows
nothing of any model.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.functional import Promise

PAGE_SIZE = 25


@dataclass(frozen=True)
class Column:
    """A column: its key in ``?o=``, its header, the fields it orders by (none: not sortable)."""

    key: str
    label: str | Promise
    order_by: tuple[str, ...] = ()
    numeric: bool = False
    shown: bool = True  # False: a sort order of its own (the default), without a header


@dataclass
class ListPage:
    request: HttpRequest
    queryset: QuerySet[Any]
    columns: list[Column]
    default: str
    page_size: int = PAGE_SIZE
    ordering: str = field(init=False)
    page: Page = field(init=False)

    def __post_init__(self) -> None:
        sortable = {c.key: c for c in self.columns if c.order_by}
        wanted = self.request.GET.get("o", "")
        self.ordering = wanted if wanted.removeprefix("-") in sortable else self.default
        column = sortable[self.ordering.removeprefix("-")]
        sign = "-" if self.ordering.startswith("-") else ""
        # The primary key breaks ties, so a row never appears on two pages.
        order = [f"{sign}{name}" for name in column.order_by] + [f"{sign}pk"]
        self.page = Paginator(self.queryset.order_by(*order), self.page_size).get_page(
            self.request.GET.get("page")
        )

    @property
    def query(self) -> str:
        """The current filters and sort order, for the paging links."""
        params = self.request.GET.copy()
        params.pop("page", None)
        return params.urlencode()

    @property
    def headers(self) -> list[dict[str, Any]]:
        headers = []
        for column in self.columns:
            if not column.shown:
                continue
            header: dict[str, Any] = {"key": column.key, "label": column.label, "numeric": column.numeric}
            if column.order_by:
                params = self.request.GET.copy()
                params.pop("page", None)
                params["o"] = f"-{column.key}" if self.ordering == column.key else column.key
                header["url"] = f"?{params.urlencode()}"
                header["direction"] = (
                    "ascending"
                    if self.ordering == column.key
                    else "descending"
                    if self.ordering == f"-{column.key}"
                    else ""
                )
            headers.append(header)
        return headers

    def context(self, **extra: Any) -> dict[str, Any]:
        return {
            "page": self.page,
            "headers": self.headers,
            "query": self.query,
            "ordering": self.ordering,
            **extra,
        }


def filtered(filterset: Any) -> QuerySet[Any]:
    """A django-filter FilterSet's rows; a filter that does not validate (an office outside the
    user's subtree, an unknown state) matches nothing rather than being silently ignored."""
    if filterset.is_bound and not filterset.is_valid():
        return filterset.queryset.none()
    return filterset.qs
