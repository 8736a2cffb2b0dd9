from grants.awards.models.amendment import Amendment, AmendmentInstalment, AmendmentLine, AmendmentState
from grants.awards.models.calendar_feed import FeedToken
from grants.awards.models.grant import (
    BaseRate,
    FileNumberSequence,
    Grant,
    GrantInstalment,
    GrantState,
    PlanVersion,
    PlanVersionLine,
)
from grants.awards.models.in_depth import (
    InDepthEntry,
    InDepthSelection,
    ReviewNote,
    RiskReason,
    SelectionBasis,
)
from grants.awards.models.individual_help import CaseSample
from grants.awards.models.proof import (
    Admission,
    ProofKind,
    ProofLine,
    ProofOfUse,
    ProofState,
    Receipt,
    Settlement,
)
from grants.awards.models.reclaim import Reclaim, ReclaimKind, ReclaimState, Repayment
from grants.awards.models.reminder import DeadlineReminder, OfficeReminder
from grants.awards.models.use_of_funds import UseOfFundsRecord

__all__ = [
    "Admission",
    "Amendment",
    "AmendmentInstalment",
    "AmendmentLine",
    "AmendmentState",
    "BaseRate",
    "CaseSample",
    "DeadlineReminder",
    "FeedToken",
    "FileNumberSequence",
    "Grant",
    "GrantInstalment",
    "GrantState",
    "InDepthEntry",
    "InDepthSelection",
    "OfficeReminder",
    "PlanVersion",
    "PlanVersionLine",
    "ProofKind",
    "ProofLine",
    "ProofOfUse",
    "ProofState",
    "Receipt",
    "Reclaim",
    "ReclaimKind",
    "ReclaimState",
    "Repayment",
    "ReviewNote",
    "RiskReason",
    "SelectionBasis",
    "Settlement",
    "UseOfFundsRecord",
]
