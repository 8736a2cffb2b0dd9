from django.urls import path

from budgets import views

urlpatterns = [
    path("", views.budget_dashboard, name="budget_dashboard"),
    path("diagramm.svg", views.budget_chart, name="budget_chart"),
    path("import/", views.envelope_import, name="budget_import"),
    path("import/vorlage.<str:fmt>", views.envelope_import_template, name="budget_import_template"),
    path("import/auftraege/<int:pk>/", views.envelope_import_job, name="budget_import_job"),
]
