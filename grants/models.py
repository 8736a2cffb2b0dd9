from grants.applications.models.application import (
    DECIDED_STATES,
    EDITABLE_STATES,
    UNDECIDED_STATES,
    Application,
    ApplicationState,
)
from grants.applications.models.correspondence import Message, MessageAttachment, SubmittedVersion
from grants.applications.models.early_start import EarlyStartRequest, EarlyStartState
from grants.applications.models.plan import (
    Attachment,
    AttachmentKind,
    CoverKind,
    CoverLine,
    ExpenditureLine,
    Instalment,
)
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
from grants.awards.payments.models.drawdown import OPEN_DRAWDOWN_STATES, Drawdown, DrawdownState
from grants.awards.payments.models.run import PaymentRun, PaymentRunItem, PaymentRunState, PaymentRunTransfer
from grants.carriers.models import (
    BankDetailsChange,
    BankDetailsChangeState,
    LegalForm,
    Organisation,
    OrganisationMembership,
)
from grants.chain.models import (
    AgendaItem,
    Committee,
    CommitteeMember,
    CommitteeSession,
    Recusal,
    Vote,
)
from grants.inbox.models import TaskAssignment
from grants.records.models import LegalHold, RetentionLog

__all__ = [
    "DECIDED_STATES",
    "EDITABLE_STATES",
    "OPEN_DRAWDOWN_STATES",
    "UNDECIDED_STATES",
    "Admission",
    "AgendaItem",
    "Amendment",
    "AmendmentInstalment",
    "AmendmentLine",
    "AmendmentState",
    "Application",
    "ApplicationState",
    "Attachment",
    "AttachmentKind",
    "BankDetailsChange",
    "BankDetailsChangeState",
    "BaseRate",
    "CaseSample",
    "Committee",
    "CommitteeMember",
    "CommitteeSession",
    "CoverKind",
    "CoverLine",
    "DeadlineReminder",
    "Drawdown",
    "DrawdownState",
    "EarlyStartRequest",
    "EarlyStartState",
    "ExpenditureLine",
    "FileNumberSequence",
    "Grant",
    "GrantInstalment",
    "GrantState",
    "InDepthEntry",
    "InDepthSelection",
    "Instalment",
    "LegalForm",
    "LegalHold",
    "Message",
    "MessageAttachment",
    "OfficeReminder",
    "Organisation",
    "OrganisationMembership",
    "PaymentRun",
    "PaymentRunItem",
    "PaymentRunState",
    "PaymentRunTransfer",
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
    "Recusal",
    "Repayment",
    "RetentionLog",
    "ReviewNote",
    "RiskReason",
    "SelectionBasis",
    "Settlement",
    "SubmittedVersion",
    "TaskAssignment",
    "Vote",
]
