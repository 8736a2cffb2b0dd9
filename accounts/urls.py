from django.urls import path

from accounts import views

urlpatterns = [
    path("", views.account, name="account"),
    path("zwei-faktor/einrichten/", views.two_factor_setup, name="two_factor_setup"),
    path("zwei-faktor/bestaetigen/", views.two_factor_verify, name="two_factor_verify"),
    path(
        "zwei-faktor/wiederherstellungscodes/",
        views.two_factor_recovery_codes,
        name="two_factor_recovery_codes",
    ),
    path("zwei-faktor/ausschalten/", views.two_factor_disable, name="two_factor_disable"),
    path("passwort/", views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "passwort/geaendert/",
        views.auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("sicherheitsprotokoll/", views.security_log_list, name="security_log"),
]
