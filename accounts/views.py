"""The account pages: two-factor set-up and confirmation, recovery codes, the password, the
security log for auditors, and the page a locked-out login gets."""

from __future__ import annotations

from base64 import b32encode
from binascii import unhexlify
from typing import Any, cast
from urllib.parse import urlencode

import rules
import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.forms import CodeForm, SecurityEventFilter
from accounts.models import SecurityEvent, SecurityEventKind, User
from accounts.security import security_log
from accounts.sign_in import LoginForm
from accounts.two_factor import (
    NEW_CODES_SESSION_KEY,
    SETUP_KEY_SESSION_KEY,
    VERIFY,
    due,
    has_second_factor,
    is_required,
    is_verified,
    new_key,
    recovery_codes_left,
    recovery_codes_renew,
    second_factor_disable,
    second_factor_enable,
    second_factor_verify,
)
from core.errors import DomainError
from core.lists import Column, ListPage, filtered

VIEW_SECURITY_LOG = "accounts.view_security_log"


def _next_url(request: HttpRequest) -> str:
    """Where to go once the second factor is settled: ``next`` if it is a page of this site."""
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if wanted and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return reverse(settings.LOGIN_REDIRECT_URL)


@login_required
@require_GET
def account(request: HttpRequest) -> HttpResponse:
    """The user's own account: two-factor status, password, their latest security events."""
    user = cast(User, request.user)  # login_required: never anonymous
    context = {
        "has_second_factor": has_second_factor(user),
        "required": is_required(user),
        "codes_left": recovery_codes_left(user),
        "events": SecurityEvent.objects.filter(user_id=user.pk)[:10],
        "can_view_log": rules.has_perm(VIEW_SECURITY_LOG, user),
    }
    return render(request, "accounts/account.html", context)


def _key_groups(key: str) -> str:
    """The secret as the app's "enter a key" field wants it: base32 in groups of four."""
    secret = b32encode(unhexlify(key)).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    """Set up the authenticator app: scan the code (or type the key), enter the six digits.

    The secret lives in the session until the code proves the app has it; only then is the
    device stored. Someone who knows only the password of a user who already has a second
    factor cannot replace it: that session must confirm the old one first.
    """
    user = request.user
    if has_second_factor(user) and not is_verified(user):
        return redirect(f"{reverse('two_factor_verify')}?{urlencode({'next': reverse('two_factor_setup')})}")
    key = request.session.get(SETUP_KEY_SESSION_KEY) or new_key()
    request.session[SETUP_KEY_SESSION_KEY] = key
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = second_factor_enable(user=user, key=key, code=form.cleaned_data["code"], request=request)
        except DomainError as error:
            for message in error.messages:
                form.add_error("code", message)
        else:
            del request.session[SETUP_KEY_SESSION_KEY]
            request.session[NEW_CODES_SESSION_KEY] = codes
            messages.success(request, _("Two-factor authentication is set up."))
            return redirect(
                f"{reverse('two_factor_recovery_codes')}?{urlencode({'next': _next_url(request)})}"
            )
    url = TOTPDevice(user=user, key=key).config_url
    context = {
        "form": form,
        "qr": segno.make(url, error="m").svg_data_uri(scale=5, border=2),
        "key_groups": _key_groups(key),
        "otpauth_url": url,
        "required": is_required(user),
        "replacing": has_second_factor(user),
        "next": _next_url(request),
    }
    return render(request, "accounts/two_factor_setup.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    """The second step of a login: a code from the app or a recovery code."""
    if due(request) != VERIFY:
        return redirect(_next_url(request))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            second_factor_verify(request=request, code=form.cleaned_data["code"])
        except DomainError as error:
            for message in error.messages:
                form.add_error("code", message)
        else:
            left = recovery_codes_left(request.user)
            if left <= 3:
                messages.warning(
                    request,
                    _("Few recovery codes are left (%(left)d): make new ones on your account page.")
                    % {"left": left},
                )
            return redirect(_next_url(request))
    return render(request, "accounts/two_factor_verify.html", {"form": form, "next": _next_url(request)})


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_recovery_codes(request: HttpRequest) -> HttpResponse:
    """New recovery codes are shown once, right after they were made; later only their number."""
    if request.method == "POST":
        try:
            request.session[NEW_CODES_SESSION_KEY] = recovery_codes_renew(user=request.user, request=request)
        except DomainError as error:
            for message in error.messages:
                messages.error(request, message)
            return redirect("account")
        messages.success(request, _("New recovery codes were made; the old ones no longer work."))
        return redirect("two_factor_recovery_codes")
    context = {
        "codes": request.session.pop(NEW_CODES_SESSION_KEY, None),
        "codes_left": recovery_codes_left(request.user),
        "has_second_factor": has_second_factor(request.user),
        "next": _next_url(request),
    }
    return render(request, "accounts/recovery_codes.html", context)


@login_required
@require_POST
def two_factor_disable(request: HttpRequest) -> HttpResponse:
    try:
        second_factor_disable(user=request.user, request=request)
    except DomainError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Two-factor authentication is turned off."))
    return redirect("account")


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's password change (with the password validators), written to the security log."""

    success_url = reverse_lazy("password_change_done")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        security_log(kind=SecurityEventKind.PASSWORD_CHANGED, user=self.request.user, request=self.request)
        return response


LOG_COLUMNS = [
    Column("at", gettext_lazy("Time"), ("at",)),
    Column("kind", gettext_lazy("Event"), ("kind",)),
    Column("user", gettext_lazy("User"), ("username",)),
    Column("ip", gettext_lazy("IP address"), ()),
    Column("what", gettext_lazy("Address or object"), ()),
    Column("detail", gettext_lazy("Detail"), ()),
]


@login_required
@require_GET
def security_log_list(request: HttpRequest) -> HttpResponse:
    """The security log for auditors and administrators: 25 lines a page, newest first,
    filtered by event, user and days."""
    if not rules.has_perm(VIEW_SECURITY_LOG, request.user):
        raise PermissionDenied(_("Only auditors and administrators can see the security log."))
    filterset = SecurityEventFilter(
        request.GET or None, queryset=SecurityEvent.objects.select_related("user")
    )
    listing = ListPage(request, filtered(filterset), LOG_COLUMNS, default="-at")
    return render(request, "accounts/security_log.html", listing.context(filters=filterset.form))


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: Any = None
) -> HttpResponse:
    """What django-axes answers a locked-out login: the login page with the reason (429)."""
    minutes = round(settings.AXES_COOLOFF_TIME * 60)
    form = LoginForm(request)
    context = {
        "form": form,
        "lockout": _(
            "Too many failed logins for this user name or from your address: logging in is blocked for "
            "%(minutes)d minutes. If you have forgotten your password, you can set a new one by e-mail."
        )
        % {"minutes": minutes},
        "next": request.POST.get("next", ""),
    }
    return render(request, "registration/login.html", context, status=429)
