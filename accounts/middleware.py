"""Middleware of who may get in: inactivity, the second factor, and refusals in the security log.

Installed after django-otp's ``OTPMiddleware`` (settings, the block "Who may get in").
"""

from __future__ import annotations

import time
from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.models import SecurityEventKind
from accounts.security import security_log
from accounts.two_factor import SETUP, due

LAST_ACTIVITY_KEY = "last_activity"
# The session's expiry is pushed back at most once a minute: not a session write per page.
ACTIVITY_REFRESH_SECONDS = 60


def _login_url(request: HttpRequest) -> str:
    query = urlencode({"next": request.get_full_path()}) if request.method == "GET" else ""
    return reverse("login") + (f"?{query}" if query else "")


def _redirect(request: HttpRequest, url: str) -> HttpResponse:
    """A redirect, also for htmx requests (which would otherwise swap the target page in)."""
    if request.headers.get("HX-Request"):
        return HttpResponse(status=204, headers={"HX-Redirect": url})
    return HttpResponseRedirect(url)


class SessionIdleMiddleware:
    """Logs a user out after ``SESSION_COOKIE_AGE`` seconds without a request.

    The session store expires a session that long after it was last saved; this middleware
    saves it again (moving the expiry on) when a minute has passed since the last time, and
    logs out a session that was idle too long even where the store would keep it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = time.time()
            last = request.session.get(LAST_ACTIVITY_KEY)
            if last is not None and now - last > settings.SESSION_COOKIE_AGE:
                security_log(kind=SecurityEventKind.SESSION_EXPIRED, user=request.user, request=request)
                logout(request)
                messages.info(
                    request,
                    _("You were logged out after %(minutes)d minutes without activity. Please log in again.")
                    % {"minutes": settings.SESSION_COOKIE_AGE // 60},
                )
                return _redirect(request, _login_url(request))
            if last is None or now - last > ACTIVITY_REFRESH_SECONDS:
                request.session[LAST_ACTIVITY_KEY] = now
        return self.get_response(request)


class SecondFactorMiddleware:
    """Keeps a session whose second factor is due on the pages that settle it.

    A user with a second factor set up confirms it after the password; a user whose role
    requires one (while ``TWO_FACTOR_REQUIRED`` is on) and has none sets it up first. Until
    then every other page redirects there; logging out, the language switch, static files and
    the health probe stay open.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response
        self._open: dict[str, tuple[str, ...]] | None = None

    def _open_paths(self, state: str) -> tuple[str, ...]:
        if self._open is None:
            paths = (reverse("logout"), reverse("login"), "/i18n/", settings.STATIC_URL)
            always = tuple("/" + path.lstrip("/") for path in paths)
            self._open = {
                SETUP: (reverse("two_factor_setup"), *always),
                "verify": (reverse("two_factor_verify"), *always),
            }
        return self._open[state]

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            state = due(request)
            if state and not request.path_info.startswith(self._open_paths(state)):
                target = "two_factor_setup" if state == SETUP else "two_factor_verify"
                url = reverse(target)
                if request.method == "GET":
                    url += "?" + urlencode({"next": request.get_full_path()})
                return _redirect(request, url)
        return self.get_response(request)


class SecurityLogMiddleware:
    """Writes every refusal (an answer 403) to the security log, with the reason shown."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code == 403:
            security_log(
                kind=SecurityEventKind.PERMISSION_DENIED,
                user=getattr(request, "user", None),
                request=request,
                detail=getattr(request, "security_refusal", ""),
            )
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> None:
        if isinstance(exception, PermissionDenied):
            request.security_refusal = str(exception)  # type: ignore[attr-defined]
