from django.urls import path

from .views import applications, attachments, editing, worklist

urlpatterns = [
    path("", applications.home, name="home"),
    path("antraege/", applications.application_list, name="application_list"),
    path("antraege/neu/", applications.application_create, name="application_create"),
    path("antraege/<int:pk>/", applications.application_detail, name="application_detail"),
    path("antraege/<int:pk>/bearbeiten/", editing.application_edit, name="application_edit"),
    path("antraege/<int:pk>/plan/pruefen/", editing.plan_preview, name="plan_preview"),
    path(
        "antraege/<int:pk>/schritt/<str:transition>/",
        applications.application_transition,
        name="application_transition",
    ),
    path("antraege/<int:pk>/anlagen/", attachments.attachment_upload, name="attachment_upload"),
    path(
        "antraege/<int:pk>/anlagen/<int:attachment_pk>/",
        attachments.attachment_download,
        name="attachment_download",
    ),
    path(
        "antraege/<int:pk>/anlagen/<int:attachment_pk>/loeschen/",
        attachments.attachment_delete,
        name="attachment_delete",
    ),
    path("arbeitsliste/", worklist.worklist_view, name="worklist"),
]
