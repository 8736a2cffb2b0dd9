from .application import DECIDED_STATES, EDITABLE_STATES, UNDECIDED_STATES, Application, ApplicationState
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
    "UNDECIDED_STATES",
    "Application",
    "ApplicationState",
    "Attachment",
    "BaseRate",
    "FileNumberSequence",
    "Grant",
    "GrantInstalment",
    "GrantState",
    "PlanVersion",
    "PlanVersionLine",
    "AttachmentKind",
    "CoverKind",
    "CoverLine",
    "ExpenditureLine",
    "Instalment",
    "LegalForm",
    "Organisation",
    "OrganisationMembership",
]
