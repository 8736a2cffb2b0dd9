"""Forms of the grant pages (after the award): input parsing only, the services hold the rules."""

from grants.forms_grant.amendments import AmendmentForm, AmendmentRejectForm, AmendmentSubmitForm
from grants.forms_grant.common import DrawdownBookForm, DrawdownFilterForm, DrawdownRejectForm, DrawdownRequestForm, DrawdownStepForm, DrawdownUseForm, GrantFilterForm, NoticePostForm, ObjectionConcludeForm, ObjectionRecordForm, ObjectionWaiveForm, comment_field, date_input
from grants.forms_grant.proofs import NarrativeForm, ProofAcceptForm, ProofChangesForm, ProofStepForm, ReceiptForm, ReceiptImportForm, StatementForm
from grants.forms_grant.reclaims import InterestUntilForm, InterestWaiverForm, LateUseClaimForm, ReclaimDecideForm, RepaymentForm, RevocationForm

__all__ = [
    "AmendmentForm",
    "AmendmentRejectForm",
    "AmendmentSubmitForm",
    "DrawdownBookForm",
    "DrawdownFilterForm",
    "DrawdownRejectForm",
    "DrawdownRequestForm",
    "DrawdownStepForm",
    "DrawdownUseForm",
    "GrantFilterForm",
    "InterestUntilForm",
    "InterestWaiverForm",
    "LateUseClaimForm",
    "NarrativeForm",
    "NoticePostForm",
    "ObjectionConcludeForm",
    "ObjectionRecordForm",
    "ObjectionWaiveForm",
    "ProofAcceptForm",
    "ProofChangesForm",
    "ProofStepForm",
    "ReceiptForm",
    "ReceiptImportForm",
    "ReclaimDecideForm",
    "RepaymentForm",
    "RevocationForm",
    "StatementForm",
    "comment_field",
    "date_input",
]
