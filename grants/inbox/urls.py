from django.urls import path

from grants.inbox import views

urlpatterns = [
    path("eingang/", views.inbox_view, name="inbox"),
    path("eingang/sammel/<str:step>/", views.inbox_bulk, name="inbox_bulk"),
    path("eingang/zuweisen/<str:kind>/<int:pk>/", views.inbox_assign, name="inbox_assign"),
]
