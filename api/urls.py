from django.urls import path

from api import views

urlpatterns = [
    path("", views.token_list, name="api_tokens"),
    path("<int:pk>/widerrufen/", views.token_revoke_view, name="api_token_revoke"),
]
