"""Ask once before an irreversible or money-moving step: the first POST shows what will happen
and writes nothing; the step's form sent again with ``confirmed=1`` does the work.

The page is rendered by the server (no JavaScript ``confirm()``): it names the object, lists
the facts the step changes (amounts, what is deleted) and repeats the posted fields hidden, so
the confirmation sends exactly what was checked.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

CONFIRMED = "confirmed"
SKIP = frozenset({"csrfmiddlewaretoken", "idempotency_key", CONFIRMED})


def is_confirmed(request: HttpRequest) -> bool:
    return request.POST.get(CONFIRMED) == "1"


def confirm_page(
    request: HttpRequest,
    *,
    title: str,
    consequence: str,
    facts: Iterable[tuple[str, Any]],
    button: str,
    cancel_url: str,
    rows: Iterable[Mapping[str, Any]] = (),
    danger: bool = True,
) -> HttpResponse:
    """The confirmation page of the step posted to ``request.path``; ``facts`` are (label,
    value) pairs, ``rows`` an optional table of what the step touches (dicts with the same keys)."""
    keep = [(k, v) for k in request.POST for v in request.POST.getlist(k) if k not in SKIP]
    rows = list(rows)
    return render(
        request,
        "includes/confirm_page.html",
        {
            "title": title,
            "consequence": consequence,
            "facts": list(facts),
            "rows": rows,
            "columns": list(rows[0]) if rows else [],
            "button": button,
            "cancel_url": cancel_url,
            "keep": keep,
            "action": request.path,
            "danger": danger,
        },
    )
