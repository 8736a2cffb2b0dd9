from grants.awards.models.amendment import Amendment, AmendmentInstalment, AmendmentLine, AmendmentState
from grants.awards.models.grant import (
    BaseRate,
    FileNumberSequence,
    Grant,
    GrantInstalment,
    GrantState,
    PlanVersion,
    PlanVersionLine,
)
from grants.awards.models.proof import ProofKind, ProofLine, ProofOfUse, ProofState, Receipt, Settlement
from grants.awards.models.reclaim import Reclaim, ReclaimKind, ReclaimState, Repayment
from grants.awards.models.reminder import DeadlineReminder
from grants.awards.models.use_of_funds import UseOfFundsRecord

__all__ = [
    "Amendment",
    "AmendmentInstalment",
    "AmendmentLine",
    "AmendmentState",
    "BaseRate",
    "DeadlineReminder",
    "FileNumberSequence",
    "Grant",
    "GrantInstalment",
    "GrantState",
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
    "Settlement",
    "UseOfFundsRecord",
]
