"""All models, importable from one place (Alembic autogenerate sees them here)."""
from app.models.alerts import (
    Bookmark,
    DigestCursor,
    DigestFrequency,
    ListingAlert,
    SavedSearch,
    SearchTarget,
    StrongMatchAlert,
)
from app.models.account import AccountExistsNotice, LoginThrottle, PendingRegistration
from app.models.audit import AuditAction, AuditLog
from app.models.business_status import BusinessStatus, BusinessStatusCheck
from app.models.base import Base, ModerationStatus
from app.models.conversation import (
    ConversationAttachment,
    ConversationMessage,
    ConversationRead,
    ConversationThread,
    Meeting,
    MeetingSlot,
    MeetingStatus,
)
from app.models.company import Company, CompanyInvitation, MembershipStatus, SizeClass
from app.models.decline import DeclineKind, PopulationDeclineArea
from app.models.geo import GovernmentLevel, Municipality
from app.models.joint import InvitationStatus, JointGroup, JointMember
from app.models.mail import EmailStatus, OutgoingEmail
from app.models.matching import MatchingChange, Recommendation
from app.models.need import Need, NeedStatus
from app.models.overseas import OrganisationKind, OverseasInvitation, OverseasOrganisation
from app.models.outcome import (
    MatchOutcome,
    OutcomeStage,
    OutcomeStep,
    ProcurementRoute,
    SolutionRating,
    StepStatus,
)
from app.models.questions import NeedQuestion
from app.models.sandbox import MatchSandbox, SandboxKind, SandboxProgress, SandboxStep
from app.models.policy import NeedPolicyTag, PolicyArea, PolicyTagStatus, SolutionPolicyTag
from app.models.privacy import PrivacyConsent
from app.models.queue import EnginePosition, Job, LogCursor
from app.models.solution import (
    DataHubStandard,
    DeploymentReference,
    Maturity,
    Solution,
    SolutionDataHubStandard,
    SolutionStatus,
)
from app.models.taxonomy import Category, Tag
from app.models.user import AccountStatus, OfficialStatus, Role, User
from app.models.verification import EvidenceKind, OfficialEvidence
from app.models.workflow import (
    ConfirmationStatus,
    ConsortiumMember,
    ConsortiumProposal,
    ConsortiumStatus,
    EmailPreference,
    Match,
    MatchStatus,
    Notification,
    Side,
)

__all__ = [
    "OrganisationKind",
    "OverseasInvitation",
    "OverseasOrganisation",
    "Bookmark",
    "DataHubStandard",
    "SolutionDataHubStandard",
    "DigestCursor",
    "DigestFrequency",
    "ListingAlert",
    "SavedSearch",
    "SearchTarget",
    "StrongMatchAlert",
    "ConversationAttachment",
    "ConversationMessage",
    "ConversationRead",
    "ConversationThread",
    "Meeting",
    "MeetingSlot",
    "MeetingStatus",
    "ConfirmationStatus",
    "ConsortiumMember",
    "ConsortiumProposal",
    "ConsortiumStatus",
    "EmailPreference",
    "Match",
    "MatchStatus",
    "Notification",
    "Side",
    "AccountExistsNotice",
    "AccountStatus",
    "AuditAction",
    "AuditLog",
    "BusinessStatus",
    "BusinessStatusCheck",
    "Base",
    "Category",
    "Company",
    "CompanyInvitation",
    "DeploymentReference",
    "EmailStatus",
    "EnginePosition",
    "EvidenceKind",
    "GovernmentLevel",
    "InvitationStatus",
    "Job",
    "JointGroup",
    "JointMember",
    "LogCursor",
    "LoginThrottle",
    "MatchingChange",
    "Maturity",
    "MembershipStatus",
    "ModerationStatus",
    "Municipality",
    "Need",
    "NeedQuestion",
    "NeedStatus",
    "OutgoingEmail",
    "PendingRegistration",
    "OfficialEvidence",

    "PrivacyConsent",
    "OfficialStatus",
    "Recommendation",
    "Role",
    "SizeClass",
    "Solution",
    "SolutionStatus",
    "Tag",
    "User",
    "MatchOutcome",
    "OutcomeStage",
    "OutcomeStep",
    "ProcurementRoute",
    "SolutionRating",
    "StepStatus",
    "MatchSandbox",
    "SandboxKind",
    "SandboxProgress",
    "SandboxStep",
    "NeedPolicyTag",
    "PolicyArea",
    "PolicyTagStatus",
    "SolutionPolicyTag",
    "DeclineKind",
    "PopulationDeclineArea",
]
