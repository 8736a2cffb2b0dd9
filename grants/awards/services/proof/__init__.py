"""Proofs of use (Zwischennachweis, Verwendungsnachweis) and the settlement (DOMAIN.md §3.5–3.7).

One module per part: ``schedule`` (which proofs are owed, when), ``carrier`` (narrative,
statement, submission), ``receipts`` (the receipt list and its rules), ``receipt_import``
(XLSX/CSV through ``grants.awards.resources``), ``review`` (the office's review), ``in_depth`` (the yearly selection for in-depth checks, the
admission of receipts, the review note), ``flat_rate`` (flat-rate lines), ``settlement``
(``settlement_preview``: what accepting the final proof books, read by the page and by
``proof_accept`` before it writes), ``passed_on`` (a first recipient's money passed on: the
annex of its measures and the rule its settlement follows) and ``overview`` (what a proof's
page shows).
"""

from grants.awards.services.proof._common import plan_line_labels, plan_line_numbers
from grants.awards.services.proof.carrier import (
    StatementEntry,
    proof_narrative_remove,
    proof_narrative_upload,
    proof_statement_replace,
    proof_submit,
    proof_update,
    submission_errors,
)
from grants.awards.services.proof.in_depth import (
    in_depth_select,
    in_depth_selection_plan,
    receipt_admit,
    review_note_write,
)
from grants.awards.services.proof.overview import ProofOverview, proof_overview
from grants.awards.services.proof.passed_on import Measure, PassedOnAnnex, passed_on_measures
from grants.awards.services.proof.receipt_import import (
    ImportReport,
    RowReport,
    receipts_import,
    receipts_import_rows,
)
from grants.awards.services.proof.receipts import (
    ReceiptRules,
    ReceiptValues,
    receipt_add,
    receipt_delete,
    receipt_update,
)
from grants.awards.services.proof.review import proof_accept, proof_request_changes, proof_start_review
from grants.awards.services.proof.schedule import overdue_interim_proofs, proofs_schedule
from grants.awards.services.proof.settlement import SettlementResult, settlement_preview, settlement_result

__all__ = [
    "ImportReport",
    "Measure",
    "PassedOnAnnex",
    "ProofOverview",
    "ReceiptRules",
    "ReceiptValues",
    "RowReport",
    "SettlementResult",
    "StatementEntry",
    "in_depth_select",
    "in_depth_selection_plan",
    "overdue_interim_proofs",
    "passed_on_measures",
    "plan_line_labels",
    "plan_line_numbers",
    "proof_accept",
    "proof_narrative_remove",
    "proof_narrative_upload",
    "proof_overview",
    "proof_request_changes",
    "proof_start_review",
    "proof_statement_replace",
    "proof_submit",
    "proof_update",
    "proofs_schedule",
    "receipt_add",
    "receipt_admit",
    "receipt_delete",
    "receipt_update",
    "receipts_import",
    "receipts_import_rows",
    "review_note_write",
    "settlement_preview",
    "settlement_result",
    "submission_errors",
]
