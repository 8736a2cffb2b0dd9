from grants.models.amendment import Amendment, AmendmentInstalment, AmendmentLine, AmendmentState
from grants.models.application import DECIDED_STATES, EDITABLE_STATES, UNDECIDED_STATES, Application, ApplicationState
from grants.models.drawdown import OPEN_DRAWDOWN_STATES, Drawdown, DrawdownState
from grants.models.grant import BaseRate, FileNumberSequence, Grant, GrantInstalment, GrantState, PlanVersion, PlanVersionLine
from grants.models.organisation import LegalForm, Organisation, OrganisationMembership
from grants.models.plan import Attachment, AttachmentKind, CoverKind, CoverLine, ExpenditureLine, Instalment
from grants.models.proof import ProofKind, ProofLine, ProofOfUse, ProofState, Receipt, Settlement
from grants.models.reclaim import Reclaim, ReclaimKind, ReclaimState, Repayment

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
