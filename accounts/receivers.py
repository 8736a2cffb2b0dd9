"""Logins, failed logins and lockouts go to the security log; a login decides what is still due.

Connected in ``AccountsConfig.ready``.
"""

from __future__ import annotations

import time
from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from accounts.middleware import LAST_ACTIVITY_KEY
from accounts.models import SecurityEventKind, User
from accounts.security import security_log
from accounts.two_factor import SESSION_KEY, due_after_password


@receiver(user_logged_in, dispatch_uid="accounts_security_login")
def logged_in(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    security_log(kind=SecurityEventKind.LOGIN, user=user, request=request)
    session = getattr(request, "session", None)
    if session is not None:
        session[SESSION_KEY] = due_after_password(user)
        session[LAST_ACTIVITY_KEY] = time.time()


@receiver(user_login_failed, dispatch_uid="accounts_security_login_failed")
def login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    username = str(credentials.get("username") or "")[:150]
    user = User.objects.filter(username=username).first() if username else None
    security_log(kind=SecurityEventKind.LOGIN_FAILED, user=user, username=username, request=request)


@receiver(user_locked_out, dispatch_uid="accounts_security_lockout")
def locked_out(sender: Any, request: HttpRequest | None = None, username: str = "", **kwargs: Any) -> None:
    user = User.objects.filter(username=username).first() if username else None
    security_log(kind=SecurityEventKind.LOCKOUT, user=user, username=username or "", request=request)
