"""Forms of the grant pages (after the award): input parsing only, the services hold the rules."""

from grants.awards.forms.amendments import AmendmentForm, AmendmentRejectForm, AmendmentSubmitForm
from grants.awards.forms.common import (
    NoticePostForm,
    ObjectionConcludeForm,
    ObjectionRecordForm,
    ObjectionWaiveForm,
    comment_field,
    date_input,
)
from grants.awards.forms.in_depth import InDepthSelectForm, ReceiptAdmissionForm, ReviewNoteForm
from grants.awards.forms.proofs import (
    NarrativeForm,
    ProofAcceptForm,
    ProofChangesForm,
    ProofStepForm,
    ReceiptForm,
    ReceiptImportForm,
    StatementForm,
)
from grants.awards.forms.reclaims import (
    InterestUntilForm,
    InterestWaiverForm,
    LateUseClaimForm,
    ReclaimDecideForm,
    RepaymentForm,
    RevocationForm,
)

__all__ = [
    "AmendmentForm",
    "AmendmentRejectForm",
    "AmendmentSubmitForm",
    "InDepthSelectForm",
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
    "ReceiptAdmissionForm",
    "ReceiptForm",
    "ReceiptImportForm",
    "ReclaimDecideForm",
    "RepaymentForm",
    "ReviewNoteForm",
    "RevocationForm",
    "StatementForm",
    "comment_field",
    "date_input",
]
