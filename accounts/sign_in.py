"""Logging in and out, and a forgotten password reset by e-mail (Django's auth views).

- A wrong user name or password gets one sentence that names neither ("Benutzername oder
  Passwort ist falsch"); after logging out the login page says so.
- The reset form answers every address the same way (the "sent" page), whether an account has
  it or not; Django's form mails only active users with a usable password. Requests are
  limited per address of the requester and per e-mail address (``PASSWORD_RESET_LIMITS``): over
  the first limit the form says so (without naming any account), over the second nothing more
  is sent, with the same "sent" page.
- A new password set through the link does not log in: the user logs in with it, so django-axes
  sees the login and the second factor is still asked for (``accounts.receivers``). The link
  clears the user name's failed logins in django-axes: whoever has the e-mail may get in again.
"""

from __future__ import annotations

import hashlib
from typing import Any

from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import SecurityEventKind
from accounts.security import client_ip, security_log
from core.ratelimit import hits_this_hour


class LoginForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": gettext_lazy(
            "User name or password is wrong. Both fields are case-sensitive. "
            "If you have forgotten your password, you can set a new one by e-mail."
        ),
    }


class LoginView(auth_views.LoginView):
    form_class = LoginForm


class LogoutView(auth_views.LogoutView):
    """Django's logout (POST only) with the message that it happened."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        was_logged_in = request.user.is_authenticated
        response = super().post(request, *args, **kwargs)
        if was_logged_in:
            messages.info(request, _("You have been logged out."))
        return response


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "registration/password_reset_form.html"
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"
    success_url = reverse_lazy("password_reset_done")

    def form_valid(self, form: PasswordResetForm) -> HttpResponse:
        per_address, per_email = settings.PASSWORD_RESET_LIMITS
        if hits_this_hour(f"password-reset:ip:{client_ip(self.request)}") > per_address:
            form.add_error(
                None,
                _("Too many requests from your address: please try again in an hour."),
            )
            return self.render_to_response(self.get_context_data(form=form), status=429)
        email = form.cleaned_data["email"].strip().casefold()
        digest = hashlib.sha256(email.encode()).hexdigest()
        if hits_this_hour(f"password-reset:email:{digest}") > per_email:
            # The same answer as a sent mail: the requester learns nothing about the address.
            return HttpResponseRedirect(self.get_success_url())
        return super().form_valid(form)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "registration/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "registration/password_reset_confirm.html"
    success_url = reverse_lazy("password_reset_complete")
    post_reset_login = False  # the new password goes through the login: axes, second factor

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        user = form.user
        axes_reset(username=user.get_username())
        security_log(
            kind=SecurityEventKind.PASSWORD_CHANGED,
            user=user,
            request=self.request,
            detail=_("New password set through the e-mail link"),
        )
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "registration/password_reset_complete.html"
