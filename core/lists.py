"""The one list component: sortable columns, paging and the query string that keeps both.

A list page declares its columns once; :class:`ListPage` orders the (already filtered)
queryset by a whitelisted column (``?o=title`` ascending, ``?o=-title`` descending), pages it
25 rows at a time and gives the template the headers (label, sort link, ``aria-sort``) that
``templates/includes/list_head.html`` renders, and the query string that paging links keep.
Filtering and search are django-filter ``FilterSet``s in the selectors; this module knows
nothing of any model.

Paging is by keyset (issue 14): "next" and "previous" carry a cursor (``?after=`` / ``?before=``,
the sort values and primary key of the last / first row shown) besides the page number shown
("Seite n"), so a deep page costs one index seek instead of an OFFSET over every row before it.
``?page=n`` without a cursor still works (an OFFSET, for typed-in links). Rows are counted only
up to :data:`COUNT_LIMIT` ("more than 1,000"), so the count costs the same at any size.
NULLs sort last ascending and first descending on every database (PostgreSQL's own default, so
its btree indexes serve both directions).
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db.models import F, Q, QuerySet
from django.db.models.expressions import OrderBy
from django.http import HttpRequest
from django.utils.functional import Promise

PAGE_SIZE = 25
COUNT_LIMIT = 1000  # rows counted at most; beyond it a list says "more than 1,000"
MAX_PAGE = 10_000  # ?page=n without a cursor is an OFFSET: bounded


@dataclass(frozen=True)
class Column:
    """A column: its key in ``?o=``, its header, the fields it orders by (none: not sortable)."""

    key: str
    label: str | Promise
    order_by: tuple[str, ...] = ()
    numeric: bool = False
    shown: bool = True  # False: a sort order of its own (the default), without a header


def _encode(number: int, values: list[Any]) -> str:
    def plain(value: Any) -> Any:
        if isinstance(value, datetime | date):
            return value.isoformat()
        if isinstance(value, Decimal):
            return str(value)
        return value

    raw = json.dumps([number, [plain(v) for v in values]], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode(token: str, width: int) -> tuple[int, list[Any]] | None:
    """The page number and sort values of a cursor; ``None`` for anything malformed."""
    try:
        number, values = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    except (ValueError, TypeError, binascii.Error):
        return None
    if not isinstance(number, int) or not isinstance(values, list) or len(values) != width:
        return None
    if any(not isinstance(v, str | int | float | type(None)) for v in values):
        return None
    return max(1, min(number, MAX_PAGE)), values


def _nullable(model: Any, name: str) -> bool:
    """Whether ``name`` (a field path, or an annotation: assumed never NULL) can be NULL."""
    for part in name.split("__"):
        try:
            field_ = model._meta.get_field(part)
        except FieldDoesNotExist:
            return False
        if field_.null:
            return True
        model = field_.related_model
    return False


def _value(row: Any, name: str) -> Any:
    for part in name.split("__"):
        row = getattr(row, part) if row is not None else None
    return row


def _after(keys: list[tuple[str, bool, bool]], values: list[Any]) -> Q:
    """Rows after ``values`` in the order ``keys`` (name, descending, nullable): the row
    comparison spelled out, plus a bound on the first key an index can start its scan at."""

    def later(name: str, desc: bool, nullable: bool, value: Any) -> Q:
        if desc:  # NULLs first
            return Q(**{f"{name}__isnull": False}) if value is None else Q(**{f"{name}__lt": value})
        if value is None:  # NULLs last: nothing after a NULL but more NULLs
            return Q(pk__in=[])
        greater = Q(**{f"{name}__gt": value})
        return greater | Q(**{f"{name}__isnull": True}) if nullable else greater

    def same(name: str, value: Any) -> Q:
        return Q(**{f"{name}__isnull": True}) if value is None else Q(**{name: value})

    q = Q(pk__in=[])
    for i, (name, desc, nullable) in enumerate(keys):
        step = later(name, desc, nullable, values[i])
        for (prev, _d, _n), value in zip(keys[:i], values[:i], strict=True):
            step &= same(prev, value)
        q |= step
    name, desc, nullable = keys[0]
    first = values[0]
    if first is not None and not (nullable and not desc):
        q &= Q(**{f"{name}__{'lte' if desc else 'gte'}": first})
    return q


@dataclass
class KeysetPage:
    """One page of a list: its rows, its number ("Seite n") and the cursors of its neighbours."""

    object_list: list[Any]
    number: int
    count: int  # rows counted, at most COUNT_LIMIT + 1
    next_cursor: str = ""
    previous_cursor: str = ""
    has_previous: bool = False

    @property
    def has_next(self) -> bool:
        return bool(self.next_cursor)

    @property
    def capped(self) -> bool:
        return self.count > COUNT_LIMIT

    @property
    def paginator(self) -> KeysetPage:
        # Templates written for Django's Paginator read ``page.paginator.count``.
        return self

    @property
    def num_pages(self) -> int:
        pages = -(-min(self.count, COUNT_LIMIT) // PAGE_SIZE)
        return max(pages, self.number + (1 if self.has_next else 0))

    def __iter__(self) -> Any:
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)


@dataclass
class ListPage:
    request: HttpRequest
    queryset: QuerySet[Any]
    columns: list[Column]
    default: str
    page_size: int = PAGE_SIZE
    ordering: str = field(init=False)
    page: KeysetPage = field(init=False)

    def __post_init__(self) -> None:
        sortable = {c.key: c for c in self.columns if c.order_by}
        wanted = self.request.GET.get("o", "")
        self.ordering = wanted if wanted.removeprefix("-") in sortable else self.default
        column = sortable[self.ordering.removeprefix("-")]
        desc = self.ordering.startswith("-")
        model = self.queryset.model
        # The primary key breaks ties, so a row never appears on two pages.
        keys = [(name, desc, _nullable(model, name)) for name in column.order_by] + [("pk", desc, False)]
        self.page = self._page(keys)

    @staticmethod
    def _order(keys: list[tuple[str, bool, bool]], *, reverse: bool = False) -> list[OrderBy]:
        order = []
        for name, desc, _null in keys:
            down = desc != reverse
            order.append(F(name).desc(nulls_first=True) if down else F(name).asc(nulls_last=True))
        return order

    def _page(self, keys: list[tuple[str, bool, bool]]) -> KeysetPage:
        get = self.request.GET
        size = self.page_size
        count = self.queryset.order_by()[: COUNT_LIMIT + 1].count()
        after = _decode(get.get("after", ""), len(keys))
        before = None if after else _decode(get.get("before", ""), len(keys))
        if after:
            number, values = after
            rows = list(self.queryset.filter(_after(keys, values)).order_by(*self._order(keys))[: size + 1])
            more_after, more_before = len(rows) > size, True
            rows = rows[:size]
        elif before:
            number, values = before
            flipped = [(name, not desc, null) for name, desc, null in keys]
            rows = list(
                self.queryset.filter(_after(flipped, values)).order_by(*self._order(keys, reverse=True))[
                    : size + 1
                ]
            )
            more_before, more_after = len(rows) > size, True
            rows = rows[:size][::-1]
        else:
            try:
                number = max(1, min(int(get.get("page", "1")), MAX_PAGE))
            except ValueError:
                number = 1
            start = (number - 1) * size
            rows = list(self.queryset.order_by(*self._order(keys))[start : start + size + 1])
            if not rows and number > 1:  # past the end: the last page, as Django's get_page did
                number = max(1, -(-min(count, COUNT_LIMIT) // size))
                start = (number - 1) * size
                rows = list(self.queryset.order_by(*self._order(keys))[start : start + size + 1])
            more_after, more_before = len(rows) > size, number > 1
            rows = rows[:size]
        number = max(1, number)
        if not rows:
            return KeysetPage([], number=number, count=count, has_previous=number > 1 and more_before)
        names = [name for name, _d, _n in keys]
        return KeysetPage(
            rows,
            number=number,
            count=count,
            next_cursor=_encode(number + 1, [_value(rows[-1], n) for n in names]) if more_after else "",
            previous_cursor=_encode(number - 1, [_value(rows[0], n) for n in names])
            if more_before and number > 2
            else "",
            has_previous=more_before and number > 1,
        )

    @property
    def query(self) -> str:
        """The current filters and sort order, for the paging links."""
        params = self.request.GET.copy()
        for name in ("page", "after", "before"):
            params.pop(name, None)
        return params.urlencode()

    def _link(self, **cursor: Any) -> str:
        params = self.request.GET.copy()
        for name in ("page", "after", "before"):
            params.pop(name, None)
        for name, value in cursor.items():
            params[name] = value
        return f"?{params.urlencode()}"

    @property
    def next_url(self) -> str:
        if not self.page.has_next:
            return ""
        return self._link(page=self.page.number + 1, after=self.page.next_cursor)

    @property
    def previous_url(self) -> str:
        if not self.page.has_previous:
            return ""
        if self.page.number <= 2 or not self.page.previous_cursor:
            return self._link()  # the first page needs no cursor
        return self._link(page=self.page.number - 1, before=self.page.previous_cursor)

    @property
    def headers(self) -> list[dict[str, Any]]:
        headers = []
        for column in self.columns:
            if not column.shown:
                continue
            header: dict[str, Any] = {"key": column.key, "label": column.label, "numeric": column.numeric}
            if column.order_by:
                params = self.request.GET.copy()
                for name in ("page", "after", "before"):
                    params.pop(name, None)
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
            "next_url": self.next_url,
            "previous_url": self.previous_url,
            **extra,
        }


def filtered(filterset: Any) -> QuerySet[Any]:
    """A django-filter FilterSet's rows; a filter that does not validate (an office outside the
    user's subtree, an unknown state) matches nothing rather than being silently ignored."""
    if filterset.is_bound and not filterset.is_valid():
        return filterset.queryset.none()
    return filterset.qs
