from django.urls import path

from . import views

urlpatterns = [
    path("<int:pk>/", views.document_download, name="document_download"),
]
