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

__all__ = [
    "DECIDED_STATES",
    "EDITABLE_STATES",
    "OPEN_DRAWDOWN_STATES",
    "UNDECIDED_STATES",
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
]
