from django.contrib import admin
from django.urls import include, path

from accounts import sign_in
from api.v1.api import api as api_v1
from config.health import health
from reporting.views_calendar import calendar_feed

urlpatterns = [
    # Answered by config.middleware.HealthCheckMiddleware before routing; named here for reverse().
    path("health/", health, name="health"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("anmelden/", sign_in.LoginView.as_view(), name="login"),
    path("abmelden/", sign_in.LogoutView.as_view(), name="logout"),
    path("passwort-vergessen/", sign_in.PasswordResetView.as_view(), name="password_reset"),
    path("passwort-vergessen/gesendet/", sign_in.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "passwort-neu/<uidb64>/<token>/",
        sign_in.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("passwort-neu/fertig/", sign_in.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    # The user's account: two-factor authentication, password, the security log (auditors).
    path("konto/", include("accounts.urls")),
    # The JSON API for integrators (docs/api.md) and the page of one's personal API tokens.
    path("api/v1/", api_v1.urls),
    path("api-zugaenge/", include("api.urls")),
    path("dokumente/", include("reporting.urls")),
    # The deadline calendar (issue 11 §2): the page, and the feed reached by its secret address.
    path("kalender/", include("grants.awards.urls_calendar")),
    path("kalender/feed/<str:token>.ics", calendar_feed, name="calendar_feed"),
    path("finanzen/", include("budgets.urls")),
    path("webhooks/", include("webhooks.urls")),
    # Pages for everyone, also logged out: glossary, accessibility statement (core.pages).
    path("hilfe/", include("core.urls")),
    path("", include("grants.urls")),
]
