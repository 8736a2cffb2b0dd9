"""Open data for finance staff: the 360Giving package of the grants in their offices."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from reporting.opendata.threesixtygiving import (
    GRANT_ID_PREFIX,
    grants_for_open_data,
    iter_package,
    publisher_name,
)
from reporting.payments.selectors import finance_paths


def _finance_paths(request: HttpRequest) -> list[str]:
    paths = finance_paths(request.user)
    if not paths:
        raise PermissionDenied(_("The open-data export is for finance staff."))
    return paths


@login_required
@require_GET
def opendata(request: HttpRequest) -> HttpResponse:
    paths = _finance_paths(request)
    context = {"count": grants_for_open_data(office_paths=paths).count(), "prefix": GRANT_ID_PREFIX}
    return render(request, "reporting/opendata.html", context)


@login_required
@require_GET
def opendata_360giving(request: HttpRequest) -> HttpResponseBase:
    paths = _finance_paths(request)
    grants = grants_for_open_data(office_paths=paths)
    if not grants.exists():
        # The standard requires at least one grant in a package.
        messages.error(request, _("There are no awarded grants to publish."))
        return redirect("opendata")
    today = timezone.localdate()
    response = StreamingHttpResponse(
        iter_package(grants, publisher=publisher_name(paths), issued=today),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="360giving-{today:%Y-%m-%d}.json"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
