"""Forms of the grant pages (after the award): input parsing only, the services hold the rules."""

from .amendments import AmendmentForm, AmendmentRejectForm, AmendmentSubmitForm
from .common import (
    DrawdownBookForm,
    DrawdownFilterForm,
    DrawdownRejectForm,
    DrawdownRequestForm,
    DrawdownStepForm,
    DrawdownUseForm,
    GrantFilterForm,
    NoticePostForm,
    ObjectionWaiveForm,
    comment_field,
    date_input,
)
from .proofs import (
    NarrativeForm,
    ProofAcceptForm,
    ProofChangesForm,
    ProofStepForm,
    ReceiptForm,
    ReceiptImportForm,
    StatementForm,
)
from .reclaims import (
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
