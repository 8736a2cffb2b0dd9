"""Cursor pagination over a stable order: the primary key, ascending (the order rows were made).

The cursor is opaque to clients (base64 of the last key seen); a page is one query for
``limit + 1`` rows, so paging through a long list never costs an ``OFFSET`` scan and a row added
meanwhile is never shown twice.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from api.problems import InvalidInput

DEFAULT_LIMIT = 50
MAX_LIMIT = 200


def encode_cursor(pk: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"after": pk}).encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        after = json.loads(base64.urlsafe_b64decode(padded.encode()))["after"]
        if not isinstance(after, int) or isinstance(after, bool):
            raise ValueError(after)
        return after
    except (ValueError, TypeError, KeyError, binascii.Error, UnicodeDecodeError):
        raise InvalidInput(
            _("The cursor is not valid; use the next_cursor of the previous page."),
            errors=[{"pointer": "/query/cursor", "detail": _("Unknown cursor.")}],
        ) from None


def cursor_page(qs: QuerySet[Any], *, cursor: str | None, limit: int) -> dict[str, Any]:
    """``{"items": [...], "next_cursor": "…" | None}`` for the rows of ``qs`` after ``cursor``."""
    qs = qs.order_by("pk")
    if cursor:
        qs = qs.filter(pk__gt=decode_cursor(cursor))
    rows = list(qs[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return {"items": rows, "next_cursor": encode_cursor(rows[-1].pk) if more and rows else None}
