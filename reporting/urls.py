from django.urls import path

from reporting import views, views_archive, views_bankstatements, views_export, views_opendata, views_payments

urlpatterns = [
    path("<int:pk>/", views.document_download, name="document_download"),
    path(
        "zuwendungen/<int:pk>/anlage-weitergeleitete-mittel.pdf",
        views.proof_annex_download,
        name="proof_annex_download",
    ),
    path("zuwendungen/<int:pk>/akte.zip", views_archive.case_file_download, name="case_file_download"),
    path("akte/<int:pk>/", views_archive.case_file_view, name="case_file"),
    path("zuwendungen/<int:pk>/akte/", views_archive.grant_case_file_view, name="grant_case_file"),
    path(
        "akte/<int:pk>/antrag-<int:number>.pdf",
        views_archive.submitted_application_pdf,
        name="submitted_application_pdf",
    ),
    path(
        "zuwendungen/<int:pk>/nachweise/<int:proof_pk>/nachweis.pdf",
        views_archive.proof_pdf,
        name="proof_pdf",
    ),
    path(
        "gremien/sitzungen/<int:pk>/protokoll.pdf",
        views.committee_minutes_download,
        name="committee_minutes",
    ),
    path("haushaltsberichte/", views.budget_report_list, name="budget_report_list"),
    path("haushaltsberichte/anfordern/", views.budget_report_create, name="budget_report_create"),
    path("zahllaeufe/", views_payments.payment_run_list, name="payment_run_list"),
    path("zahllaeufe/<int:pk>/", views_payments.payment_run_detail, name="payment_run_detail"),
    path("zahllaeufe/<int:pk>/datei/", views_payments.payment_run_download, name="payment_run_download"),
    path(
        "zahllaeufe/<int:pk>/ausfuehrung/",
        views_payments.payment_run_execute_view,
        name="payment_run_execute",
    ),
    path("zahllaeufe/<int:pk>/storno/", views_payments.payment_run_cancel_view, name="payment_run_cancel"),
    path("kontoauszuege/", views_bankstatements.bank_statement_list, name="bank_statement_list"),
    path("kontoauszuege/<int:pk>/", views_bankstatements.bank_statement_detail, name="bank_statement_detail"),
    path(
        "kontoauszuege/offene-posten/", views_bankstatements.statement_open_lines, name="statement_open_lines"
    ),
    path(
        "kontoauszuege/posten/<int:pk>/zuordnen/",
        views_bankstatements.statement_line_assign_view,
        name="statement_line_assign",
    ),
    path(
        "kontoauszuege/posten/<int:pk>/verwerfen/",
        views_bankstatements.statement_line_dismiss_view,
        name="statement_line_dismiss",
    ),
    path("offene-daten/", views_opendata.opendata, name="opendata"),
    path("offene-daten/360giving.json", views_opendata.opendata_360giving, name="opendata_360giving"),
    path("exporte/", views_export.export_start, name="export_start"),
    path("exporte/<uuid:pk>/", views_export.export_job, name="export_job"),
    path("exporte/<uuid:pk>/fortschritt/", views_export.export_job_progress, name="export_job_progress"),
    path("exporte/<uuid:pk>/datei/", views_export.export_job_download, name="export_job_download"),
]
