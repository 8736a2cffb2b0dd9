from grants.applications.models.application import (
    DECIDED_STATES,
    EDITABLE_STATES,
    UNDECIDED_STATES,
    Application,
    ApplicationState,
    Recommendation,
)
from grants.applications.models.correspondence import (
    Message,
    MessageAttachment,
    MessageKind,
    MessageSide,
    SubmittedVersion,
)
from grants.applications.models.early_start import EarlyStartRequest, EarlyStartState
from grants.applications.models.plan import (
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
    "EarlyStartRequest",
    "EarlyStartState",
    "ExpenditureLine",
    "Instalment",
    "Message",
    "MessageAttachment",
    "MessageKind",
    "MessageSide",
    "Recommendation",
    "SubmittedVersion",
]
