from django.urls import include, path

from grants.applications.views import applications, attachments, correspondence, early_start, editing
from grants.awards.payments import views as grant_drawdowns
from grants.awards.views import amendments as grant_amendments
from grants.awards.views import decision as application_decision
from grants.awards.views import detail as grant_detail
from grants.awards.views import in_depth as grant_in_depth
from grants.awards.views import individual_help as grant_individual_help
from grants.awards.views import late_use as grant_late_use
from grants.awards.views import proof_edit as grant_proof_edit
from grants.awards.views import proofs as grant_proofs
from grants.awards.views import reclaims as grant_reclaims
from grants.awards.views import revocation as grant_revocation
from grants.awards.views import worklist
from grants.carriers import views as organisations

urlpatterns = [
    path("", include("grants.chain.urls")),
    path("", include("grants.records.urls")),
    path("", include("grants.inbox.urls")),
    path("traeger/", organisations.organisation_list, name="organisation_list"),
    path("traeger/<int:pk>/bankverbindung/", organisations.organisation_bank, name="organisation_bank"),
    path(
        "traeger/bankverbindung/<int:pk>/zurueckziehen/",
        organisations.bank_details_change_withdraw_view,
        name="bank_details_change_withdraw",
    ),
    path("bankverbindungen/", organisations.bank_details_changes, name="bank_details_changes"),
    path(
        "bankverbindungen/<int:pk>/bestaetigen/",
        organisations.bank_details_change_confirm_view,
        name="bank_details_change_confirm",
    ),
    path(
        "bankverbindungen/<int:pk>/ablehnen/",
        organisations.bank_details_change_reject_view,
        name="bank_details_change_reject",
    ),
    path("", applications.home, name="home"),
    path("antraege/", applications.application_list, name="application_list"),
    path("antraege/neu/", applications.application_create, name="application_create"),
    path("antraege/<int:pk>/", applications.application_detail, name="application_detail"),
    path("antraege/<int:pk>/bearbeiten/", editing.application_edit, name="application_edit"),
    path("antraege/<int:pk>/plan/pruefen/", editing.plan_preview, name="plan_preview"),
    # The approval creates the grant: same URL as the other steps, dispatched by the awards side.
    path(
        "antraege/<int:pk>/schritt/approve/",
        application_decision.application_approve_view,
        name="application_approve",
    ),
    path(
        "antraege/<int:pk>/schritt/<str:transition>/",
        applications.application_transition,
        name="application_transition",
    ),
    # Early start (vorzeitiger Maßnahmebeginn, DOMAIN.md §9)
    path("antraege/<int:pk>/vorzeitiger-beginn/", early_start.early_start_ask, name="early_start_ask"),
    path(
        "antraege/<int:pk>/vorzeitiger-beginn/<int:request_pk>/entscheidung/",
        early_start.early_start_decide,
        name="early_start_decide",
    ),
    # Correspondence of the case (issue 11 §3): one thread per application, shown on the grant too
    path("antraege/<int:pk>/nachrichten/", correspondence.message_send_view, name="message_send"),
    path(
        "antraege/<int:pk>/nachrichten/<int:message_pk>/anlagen/<int:attachment_pk>/",
        correspondence.message_attachment_download,
        name="message_attachment_download",
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
    path("arbeitsliste/fristen/", worklist.deadlines_view, name="deadlines"),
    # After the award: grants, finality, drawdowns
    path("zuwendungen/", grant_detail.grants_index, name="grant_list"),
    path("zuwendungen/<int:pk>/", grant_detail.grant_detail, name="grant_detail"),
    path(
        "zuwendungen/zum-antrag/<int:application_pk>/",
        grant_detail.grant_of_application,
        name="grant_of_application",
    ),
    path("zuwendungen/<int:pk>/versand/", grant_detail.grant_notice_post_view, name="grant_notice_post"),
    path(
        "zuwendungen/<int:pk>/widerspruch/",
        grant_detail.grant_objection_record_view,
        name="grant_objection_record",
    ),
    path(
        "zuwendungen/<int:pk>/widerspruch/abschluss/",
        grant_detail.grant_objection_conclude_view,
        name="grant_objection_conclude",
    ),
    path(
        "zuwendungen/<int:pk>/rechtsbehelfsverzicht/",
        grant_detail.grant_objection_waive_view,
        name="grant_objection_waive",
    ),
    path("zuwendungen/<int:pk>/mittelabrufe/", grant_drawdowns.grant_drawdowns_view, name="grant_drawdowns"),
    path(
        "zuwendungen/<int:pk>/mittelabrufe/neu/",
        grant_drawdowns.drawdown_request_view,
        name="drawdown_request",
    ),
    path(
        "zuwendungen/<int:pk>/mittelabrufe/<int:drawdown_pk>/<str:step>/",
        grant_drawdowns.drawdown_step_view,
        name="drawdown_step",
    ),
    path(
        "zuwendungen/<int:pk>/zinsen-verspaetete-verwendung/<int:drawdown_pk>/",
        grant_late_use.late_use_claim,
        name="late_use_claim",
    ),
    path("mittelabrufe/", grant_drawdowns.drawdown_queue, name="drawdown_queue"),
    # Proofs of use and settlement
    path("zuwendungen/<int:pk>/nachweise/", grant_proofs.grant_proofs, name="grant_proofs"),
    path("zuwendungen/<int:pk>/nachweise/<int:proof_pk>/", grant_proofs.proof_detail, name="proof_detail"),
    path(
        "zuwendungen/<int:pk>/nachweise/<int:proof_pk>/schritt/<str:step>/",
        grant_proofs.proof_step,
        name="proof_step",
    ),
    path(
        "zuwendungen/<int:pk>/nachweise/<int:proof_pk>/sachbericht/",
        grant_proof_edit.proof_narrative,
        name="proof_narrative",
    ),
    path(
        "zuwendungen/<int:pk>/nachweise/<int:proof_pk>/sachbericht/datei/",
        grant_proof_edit.proof_narrative_file,
        name="proof_narrative_file",
    ),
    path(
        "zuwendungen/<int:pk>/nachweise/<int:proof_pk>/zahlenmaessiger-nachweis/",
        grant_proof_edit.proof_statement,
        name="proof_statement",
    ),
    path(
        "zuwendungen/<int:pk>/nachweise/<int:proof_pk>/belege/",
        grant_proof_edit.receipt_add,
        name="receipt_add",
    ),
    path(
        "zuwendungen/<int:pk>/nachweise/<int:proof_pk>/belege/<int:receipt_pk>/bearbeiten/",
        grant_proof_edit.receipt_edit,
        name="receipt_edit",
    ),
    path(
        "zuwendungen/<int:pk>/nachweise/<int:proof_pk>/belege/<int:receipt_pk>/loeschen/",
        grant_proof_edit.receipt_delete,
        name="receipt_delete",
    ),
    path(
        "zuwendungen/<int:pk>/nachweise/<int:proof_pk>/belege/import/",
        grant_proof_edit.receipt_import,
        name="receipt_import",
    ),
    path(
        "zuwendungen/<int:pk>/nachweise/<int:proof_pk>/belege/import/vorlage.<str:fmt>",
        grant_proof_edit.receipt_import_template,
        name="receipt_import_template",
    ),
    path(
        "zuwendungen/<int:pk>/nachweise/<int:proof_pk>/belege/import/bestaetigen/",
        grant_proof_edit.receipt_import_confirm,
        name="receipt_import_confirm",
    ),
    path(
        "zuwendungen/<int:pk>/nachweise/<int:proof_pk>/belege/import/auftraege/<int:job_pk>/",
        grant_proof_edit.receipt_import_job,
        name="receipt_import_job",
    ),
    # Individual help in exit programmes (DOMAIN.md §6): sums per case, auditors' case samples
    path(
        "zuwendungen/<int:pk>/nachweise/<int:proof_pk>/einzelfallhilfe/",
        grant_individual_help.individual_help,
        name="individual_help",
    ),
    path(
        "zuwendungen/<int:pk>/nachweise/<int:proof_pk>/einzelfallhilfe/stichprobe/",
        grant_individual_help.case_sample,
        name="case_sample",
    ),
    path("zuwendungen/<int:pk>/abrechnung/", grant_proofs.settlement_detail, name="settlement_detail"),
    # In-depth checks of proofs (DOMAIN.md §9): receipt admission, review note, yearly selection
    path(
        "zuwendungen/<int:pk>/nachweise/<int:proof_pk>/belege/<int:receipt_pk>/anerkennung/",
        grant_in_depth.receipt_admit,
        name="receipt_admit",
    ),
    path(
        "zuwendungen/<int:pk>/nachweise/<int:proof_pk>/pruefvermerk/",
        grant_in_depth.review_note,
        name="review_note",
    ),
    path("vertiefte-pruefung/", grant_in_depth.selections, name="in_depth_selections"),
    path("vertiefte-pruefung/<int:pk>/", grant_in_depth.selection_detail, name="in_depth_selection"),
    # Reclaims and revocation
    path("zuwendungen/<int:pk>/widerruf/", grant_revocation.grant_revoke_view, name="grant_revoke"),
    path("zuwendungen/<int:pk>/rueckforderungen/", grant_reclaims.grant_reclaims, name="grant_reclaims"),
    path("zuwendungen/<int:pk>/rueckforderungen/neu/", grant_reclaims.reclaim_decide, name="reclaim_decide"),
    path(
        "zuwendungen/<int:pk>/rueckforderungen/<int:reclaim_pk>/",
        grant_reclaims.reclaim_detail,
        name="reclaim_detail",
    ),
    path(
        "zuwendungen/<int:pk>/rueckforderungen/<int:reclaim_pk>/rueckzahlung/",
        grant_reclaims.repayment_book,
        name="repayment_book",
    ),
    path(
        "zuwendungen/<int:pk>/rueckforderungen/<int:reclaim_pk>/zinsverzicht/",
        grant_reclaims.interest_waive,
        name="interest_waive",
    ),
    # Amendments
    path("zuwendungen/<int:pk>/aenderungen/", grant_amendments.grant_amendments, name="grant_amendments"),
    path("zuwendungen/<int:pk>/aenderungen/neu/", grant_amendments.amendment_new, name="amendment_new"),
    path(
        "zuwendungen/<int:pk>/aenderungen/pruefen/",
        grant_amendments.amendment_preview,
        name="amendment_preview",
    ),
    path(
        "zuwendungen/<int:pk>/aenderungen/<int:amendment_pk>/",
        grant_amendments.amendment_detail,
        name="amendment_detail",
    ),
    path(
        "zuwendungen/<int:pk>/aenderungen/<int:amendment_pk>/bearbeiten/",
        grant_amendments.amendment_edit,
        name="amendment_edit",
    ),
    path(
        "zuwendungen/<int:pk>/aenderungen/<int:amendment_pk>/schritt/<str:step>/",
        grant_amendments.amendment_step,
        name="amendment_step",
    ),
]
