"""The officials' worklist: their deadlines after the award, and the applications of their
offices to search, filter, sort and page through.

It lives on the awards side because it shows both halves of a case's life.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.lists import Column, ListPage, filtered
from grants.applications.selectors import worklist_filter
from grants.applications.views.common import is_staff_user, with_requested_grant
from grants.awards.deadlines import deadlines_for_staff

DEADLINES_PAGE_ITEMS = 200  # per kind on the deadlines page: the most pressing ones first

COLUMNS = [
    Column("reference", gettext_lazy("Reference"), ("reference",)),
    Column("title", gettext_lazy("Title"), ("title",)),
    Column("carrier", gettext_lazy("Project carrier"), ("organisation__name",)),
    Column("office", gettext_lazy("Office"), ("office__name",)),
    Column("programme", gettext_lazy("Programme"), ("programme__name",)),
    Column("state", gettext_lazy("Status"), ("state",)),
    Column("submitted", gettext_lazy("Submitted"), ("submitted_at",)),
    Column("amount", gettext_lazy("Requested grant"), ("requested_grant",), numeric=True),
]


@login_required
def worklist_view(request: HttpRequest) -> HttpResponse:
    if not is_staff_user(request.user):
        raise PermissionDenied(_("The worklist is only for staff of a coordinating office."))
    filterset = worklist_filter(request.user, request.GET)
    listing = ListPage(request, with_requested_grant(filtered(filterset)), COLUMNS, default="-submitted")
    return render(
        request,
        "grants/worklist.html",
        listing.context(
            form=filterset.form,
            # The first few proofs due or overdue, money not used in time, objection periods
            # ending and first checks, and their counts (6 queries; the database limits them).
            deadlines=deadlines_for_staff(request.user, today=timezone.localdate()),
        ),
    )


@login_required
def deadlines_view(request: HttpRequest) -> HttpResponse:
    """Every deadline of the official's offices the worklist's panel counts (up to
    :data:`DEADLINES_PAGE_ITEMS` of each kind)."""
    if not is_staff_user(request.user):
        raise PermissionDenied(_("The worklist is only for staff of a coordinating office."))
    found = deadlines_for_staff(request.user, today=timezone.localdate(), limit=DEADLINES_PAGE_ITEMS)
    return render(request, "grants/deadlines.html", {"deadlines": found, "deadlines_page": True})
