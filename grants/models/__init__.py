from .amendment import Amendment, AmendmentInstalment, AmendmentLine, AmendmentState
from .application import DECIDED_STATES, EDITABLE_STATES, UNDECIDED_STATES, Application, ApplicationState
from .drawdown import OPEN_DRAWDOWN_STATES, Drawdown, DrawdownState
from .grant import (
    BaseRate,
    FileNumberSequence,
    Grant,
    GrantInstalment,
    GrantState,
    PlanVersion,
    PlanVersionLine,
)
from .organisation import LegalForm, Organisation, OrganisationMembership
from .plan import (
    Attachment,
    AttachmentKind,
    CoverKind,
    CoverLine,
    ExpenditureLine,
    Instalment,
)
from .proof import ProofKind, ProofLine, ProofOfUse, ProofState, Receipt, Settlement
from .reclaim import Reclaim, ReclaimKind, ReclaimState, Repayment

__all__ = [
    "DECIDED_STATES",
    "EDITABLE_STATES",
    "OPEN_DRAWDOWN_STATES",
    "UNDECIDED_STATES",
    "Amendment",
    "AmendmentInstalment",
    "AmendmentLine",
    "AmendmentState",
    "Application",
    "ApplicationState",
    "Attachment",
    "AttachmentKind",
    "BaseRate",
    "CoverKind",
    "CoverLine",
    "Drawdown",
    "DrawdownState",
    "ExpenditureLine",
    "FileNumberSequence",
    "Grant",
    "GrantInstalment",
    "GrantState",
    "Instalment",
    "LegalForm",
    "Organisation",
    "OrganisationMembership",
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
]
