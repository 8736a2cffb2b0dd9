"""Who is asking: a personal API token (``Authorization: Bearer fv_…``) or the browser session.

Both end in the same place: ``request.user`` is the person, and every endpoint asks the same
selectors and named rules as the pages. On the way in each request is counted against its
token's (or user's) rate limit and its size is checked; a read-only token may only read
(``api.write_scope``), and a session must send its CSRF token for anything that writes.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.security import HttpBearer, SessionAuth
from ninja.utils import check_csrf

from api.limits import check_body_size, check_rate
from api.problems import CsrfFailed, ScopeDenied, Unauthenticated
from api.rules import WRITE_SCOPE
from api.tokens import TokenRejected, token_authenticate

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


class TokenAuth(HttpBearer):
    """A personal API token; an unknown, expired or revoked token is refused with the reason."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        try:
            api_token = token_authenticate(token)
        except TokenRejected as rejected:
            raise Unauthenticated(rejected.message) from None
        user = api_token.user
        request.user = user
        request.api_token = api_token  # type: ignore[attr-defined]
        check_rate(f"token:{api_token.pk}")
        check_body_size(request)
        if request.method not in SAFE_METHODS and not api_token.may_write:
            raise ScopeDenied(
                _("This API token may only read; create a token with read and write access to change data."),
                rule=WRITE_SCOPE,
            )
        return user


class BrowserSession(SessionAuth):
    """The logged-in browser (the API page tries requests out); unsafe methods need CSRF."""

    def __call__(self, request: HttpRequest) -> Any:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        unsafe = request.method not in SAFE_METHODS and not getattr(request, "_ninja_csrf_exempt", False)
        if unsafe and check_csrf(request) is not None:
            raise CsrfFailed(_("Requests from the browser that change data need the CSRF token."))
        check_rate(f"user:{user.pk}")
        check_body_size(request)
        return user

    def authenticate(
        self, request: HttpRequest, key: str | None
    ) -> Any:  # pragma: no cover - __call__ decides
        return None


AUTH = [TokenAuth(), BrowserSession()]

__all__ = ["AUTH", "BrowserSession", "TokenAuth", "Unauthenticated"]
