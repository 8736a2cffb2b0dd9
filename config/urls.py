from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from api.v1.api import api as api_v1
from config.health import health

urlpatterns = [
    # Answered by config.middleware.HealthCheckMiddleware before routing; named here for reverse().
    path("health/", health, name="health"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("anmelden/", auth_views.LoginView.as_view(), name="login"),
    path("abmelden/", auth_views.LogoutView.as_view(), name="logout"),
    # The user's account: two-factor authentication, password, the security log (auditors).
    path("konto/", include("accounts.urls")),
    # The JSON API for integrators (docs/api.md) and the page of one's personal API tokens.
    path("api/v1/", api_v1.urls),
    path("api-zugaenge/", include("api.urls")),
    path("dokumente/", include("reporting.urls")),
    path("finanzen/", include("budgets.urls")),
    path("webhooks/", include("webhooks.urls")),
    path("", include("grants.urls")),
]
