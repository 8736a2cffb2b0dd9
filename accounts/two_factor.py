"""Two-factor authentication: an authenticator app (TOTP) and one-time recovery codes.

Who must use it is the named rule ``accounts.second_factor_required`` (budgets.rules: approvers,
finance staff, administrators), enforced while ``settings.TWO_FACTOR_REQUIRED`` is on; everyone
else may set it up, and then must use it too. The devices are django-otp's: one ``TOTPDevice``
and one ``StaticDevice`` holding the recovery codes.

A session carries what is still due after the password (``SESSION_KEY``): ``"verify"`` (a code
from the app or a recovery code), ``"setup"`` (the role requires a second factor the user has
not set up) or ``""`` (nothing). It is decided at login, so a page costs no query for it;
``accounts.middleware.SecondFactorMiddleware`` keeps everyone with something due on the
second-factor pages.
"""

from __future__ import annotations

import secrets
import time
from binascii import unhexlify
from typing import Any

import rules
from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django_otp import DEVICE_ID_SESSION_KEY, user_has_device
from django_otp import login as otp_login
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import SecurityEventKind
from accounts.security import security_log
from core.errors import DomainError

SESSION_KEY = "second_factor_due"
SETUP_KEY_SESSION_KEY = "second_factor_setup_key"
NEW_CODES_SESSION_KEY = "second_factor_new_codes"
VERIFY = "verify"
SETUP = "setup"
RECOVERY_CODE_COUNT = 10
REQUIRED_RULE = "accounts.second_factor_required"


def is_required(user: Any) -> bool:
    """The user's role requires a second factor, and this installation enforces it."""
    return bool(settings.TWO_FACTOR_REQUIRED) and rules.test_rule(REQUIRED_RULE, user)


def has_second_factor(user: Any) -> bool:
    return user_has_device(user, confirmed=True)


def is_verified(user: Any) -> bool:
    """The session was confirmed with a second factor (django-otp's OTPMiddleware)."""
    check = getattr(user, "is_verified", None)
    return bool(check()) if callable(check) else False


def due_after_password(user: Any) -> str:
    """What a fresh login must still do: verify, set up, or nothing."""
    if has_second_factor(user):
        return VERIFY
    if is_required(user):
        return SETUP
    return ""


def due(request: HttpRequest) -> str:
    """What this session must still do before it may see anything else.

    Read from the session; decided again only when the session has no answer yet (one from
    before the second factor existed) or when the role may have changed since the login (a
    case officer made approver must set it up at once, not at the next login).
    """
    user = request.user
    state = request.session.get(SESSION_KEY)
    if state is None:
        state = due_after_password(user)
    elif state and is_verified(user):
        state = ""
    elif not state and not is_verified(user) and is_required(user):
        state = due_after_password(user)
    if request.session.get(SESSION_KEY) != state:
        request.session[SESSION_KEY] = state
    return state


def new_key() -> str:
    """A TOTP secret: 20 random bytes, hex as django-otp stores them."""
    return secrets.token_hex(20)


def _totp(key: str) -> TOTP:
    totp = TOTP(unhexlify(key.encode()), step=30, t0=0, digits=6)
    totp.time = time.time()
    return totp


def code_matches(key: str, code: str) -> bool:
    """The six digits the app shows for ``key`` now (or one step before or after)."""
    code = code.replace(" ", "")
    return code.isdigit() and len(code) == 6 and _totp(key).verify(int(code), tolerance=1)


def _new_recovery_codes(device: StaticDevice) -> list[str]:
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _n in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


def second_factor_enable(*, user: Any, key: str, code: str, request: HttpRequest) -> list[str]:
    """Set up the authenticator app with ``key`` once ``code`` proves the app shows its codes;
    replaces any earlier app and recovery codes. Returns the new recovery codes (shown once)
    and marks the session as confirmed."""
    if not code_matches(key, code):
        raise DomainError(
            _(
                "The code does not match. Enter the six digits your app shows now (they change every 30 seconds)."
            )
        )
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
        device = TOTPDevice.objects.create(
            user=user, name=_("Authenticator app"), key=key, confirmed=True, last_t=_totp(key).t()
        )
        recovery = StaticDevice.objects.create(user=user, name=_("Recovery codes"), confirmed=True)
        codes = _new_recovery_codes(recovery)
        security_log(kind=SecurityEventKind.SECOND_FACTOR_ENABLED, user=user, request=request)
    otp_login(request, device)
    request.session[SESSION_KEY] = ""
    return codes


def recovery_codes_renew(*, user: Any, request: HttpRequest) -> list[str]:
    """New recovery codes; the old ones stop working."""
    if not has_second_factor(user):
        raise DomainError(_("Set up two-factor authentication first."))
    with transaction.atomic():
        recovery, _created = StaticDevice.objects.get_or_create(
            user=user, defaults={"name": _("Recovery codes"), "confirmed": True}
        )
        codes = _new_recovery_codes(recovery)
        security_log(kind=SecurityEventKind.RECOVERY_CODES_RENEWED, user=user, request=request)
    return codes


def recovery_codes_left(user: Any) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def second_factor_disable(*, user: Any, request: HttpRequest) -> None:
    """Turn two-factor authentication off; refused for a role that requires it."""
    if is_required(user):
        raise DomainError(
            _(
                "Your role (approver, finance or administrator) requires two-factor authentication: it cannot be turned off."
            )
        )
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
        security_log(kind=SecurityEventKind.SECOND_FACTOR_DISABLED, user=user, request=request)
    request.session.pop(DEVICE_ID_SESSION_KEY, None)
    request.session[SESSION_KEY] = ""


def second_factor_verify(*, request: HttpRequest, code: str) -> None:
    """Confirm the session with a code from the app (six digits) or a recovery code.

    Each device throttles its own failures (django-otp: waits of 1, 2, 4, … seconds); a used
    recovery code is gone. Every failure and every recovery code used is logged.
    """
    user = request.user
    code = code.strip().replace(" ", "").lower()
    use_app = code.isdigit() and len(code) == 6
    model: type[TOTPDevice] | type[StaticDevice] = TOTPDevice if use_app else StaticDevice
    device = None
    refused = _("The code is not valid. Please try again.")
    with transaction.atomic():
        candidate = model.objects.select_for_update().filter(user=user, confirmed=True).first()
        if candidate is not None:
            allowed, _reason = candidate.verify_is_allowed()
            if not allowed:
                refused = _("Too many wrong codes. Please wait a moment and try again.")
            elif candidate.verify_token(code):
                device = candidate
    if device is None:
        security_log(
            kind=SecurityEventKind.SECOND_FACTOR_FAILED,
            user=user,
            request=request,
            detail=_("authenticator app") if use_app else _("recovery code"),
        )
        raise DomainError(refused)
    otp_login(request, device)
    request.session[SESSION_KEY] = ""
    if use_app:
        security_log(kind=SecurityEventKind.SECOND_FACTOR_VERIFIED, user=user, request=request)
    else:
        security_log(
            kind=SecurityEventKind.RECOVERY_CODE_USED,
            user=user,
            request=request,
            detail=_("Recovery codes left: %(left)d") % {"left": recovery_codes_left(user)},
        )
