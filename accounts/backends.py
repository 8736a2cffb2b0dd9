"""The lockout check in front of the password check (django-axes)."""

from __future__ import annotations

from typing import Any

from axes.backends import AxesStandaloneBackend
from django.http import HttpRequest


class LockoutBackend(AxesStandaloneBackend):
    """Refuses a login for a user name locked out after repeated failures, before any password
    is checked; the next backend (Django's) checks the password.

    Only logins over HTTP are counted: a login without a request (``manage.py``, the test
    client's ``login()``) cannot be throttled by address or reported to anyone, and axes would
    refuse it outright; there is no such login path on the web.
    """

    def authenticate(self, request: HttpRequest | None, *args: Any, **kwargs: Any) -> None:  # type: ignore[override]
        if request is None:
            return None
        return super().authenticate(request, *args, **kwargs)
