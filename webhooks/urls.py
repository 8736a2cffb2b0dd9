from django.urls import path

from webhooks import views

urlpatterns = [
    path("", views.webhook_index, name="webhook_index"),
    path("traeger/<int:organisation_id>/", views.organisation_endpoints, name="webhook_organisation"),
    path("stellen/<int:office_id>/", views.office_endpoints, name="webhook_office"),
    path("endpunkte/<int:pk>/", views.endpoint_detail, name="webhook_endpoint"),
    path(
        "endpunkte/<int:pk>/deaktivieren/", views.endpoint_deactivate_view, name="webhook_endpoint_deactivate"
    ),
    path("zustellungen/<int:pk>/erneut-senden/", views.delivery_replay_view, name="webhook_delivery_replay"),
]
