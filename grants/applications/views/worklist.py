"""The officials' worklist: their deadlines, and the applications of their offices to filter,
sort and page through."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from grants.applications.forms import WorklistFilterForm
from grants.applications.selectors import WORKLIST_ORDERINGS, offices_for, worklist
from grants.applications.views.common import is_staff_user, with_requested_grant
from grants.awards.deadlines import deadlines_for_staff

PAGE_SIZE = 25
# Columns the selector cannot order by are ordered here, after the annotation.
EXTRA_ORDERINGS = {"programme": "programme__name", "amount": "requested_grant"}
COLUMNS = [
    ("reference", gettext_lazy("Reference")),
    ("title", gettext_lazy("Title")),
    ("carrier", gettext_lazy("Project carrier")),
    ("office", gettext_lazy("Office")),
    ("programme", gettext_lazy("Programme")),
    ("state", gettext_lazy("Status")),
    ("submitted", gettext_lazy("Submitted")),
    ("amount", gettext_lazy("Requested grant")),
]


def _ordering(value: str) -> str:
    key = value.removeprefix("-")
    return value if value in WORKLIST_ORDERINGS or key in EXTRA_ORDERINGS else "-submitted"


def _headers(request: HttpRequest, current: str) -> list[dict[str, Any]]:
    headers = []
    for key, label in COLUMNS:
        params = request.GET.copy()
        params.pop("page", None)
        params["o"] = f"-{key}" if current == key else key
        direction = "ascending" if current == key else "descending" if current == f"-{key}" else ""
        headers.append({"key": key, "label": label, "url": f"?{params.urlencode()}", "direction": direction})
    return headers


@login_required
def worklist_view(request: HttpRequest) -> HttpResponse:
    if not is_staff_user(request.user):
        raise PermissionDenied(_("The worklist is only for staff of a coordinating office."))
    form = WorklistFilterForm(request.GET or None, offices=offices_for(request.user))
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    ordering = _ordering(request.GET.get("o", "-submitted"))
    applications = with_requested_grant(
        worklist(
            request.user,
            state=filters.get("state") or "",
            programme_id=filters["programme"].pk if filters.get("programme") else None,
            office_id=filters["office"].pk if filters.get("office") else None,
            ordering=ordering,
        )
    )
    key = ordering.removeprefix("-")
    if key in EXTRA_ORDERINGS:
        applications = applications.order_by(
            ("-" if ordering.startswith("-") else "") + EXTRA_ORDERINGS[key], "pk"
        )
    page = Paginator(applications, PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "grants/worklist.html",
        {
            "form": form,
            "page": page,
            "headers": _headers(request, ordering),
            "query": params.urlencode(),
            # Proofs due or overdue, money not used in time, objection periods ending (4 queries).
            "deadlines": deadlines_for_staff(request.user, today=timezone.localdate()),
        },
    )
