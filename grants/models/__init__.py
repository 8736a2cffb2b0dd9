from .application import DECIDED_STATES, EDITABLE_STATES, UNDECIDED_STATES, Application, ApplicationState
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
    "AttachmentKind",
    "CoverKind",
    "CoverLine",
    "ExpenditureLine",
    "Instalment",
    "LegalForm",
    "Organisation",
    "OrganisationMembership",
]
