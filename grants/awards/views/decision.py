"""The approval step of an application: it creates the grant, so it is dispatched from here.

The URL and the page stay the application's (``/antraege/<pk>/schritt/approve/``); the form
handling is the one every workflow step shares, with the award service behind it.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_POST

from grants.applications.views.applications import run_step
from grants.awards.services.award import application_approve


@login_required
@require_POST
def application_approve_view(request: HttpRequest, pk: int) -> HttpResponse:
    return run_step(request, pk, "approve", application_approve)
