"""Who may trigger which step of the application workflow, from which state.

Each transition service runs from a state where it applies and is tried by every role: the
entitled roles reach the target state; everyone else gets ``AccessDenied`` with the sentence of
the named rule that refuses them, and nothing changes (state, StateLog history, ledger, grants,
scheduled e-mails). The roles include staff who are also members of the applying organisation:
they may act for their organisation as carriers, but take no decision step on its application. A step from a state it does not start from is a
``DomainError`` for everyone, including the entitled role. Superusers have no implicit role in
the workflow: without a membership the services refuse them like anyone else.
"""

from __future__ import annotations

import pytest
from django.core import mail
from django.utils import translation
from django_fsm_log.models import StateLog

from budgets.models import LedgerEntry
from core.errors import AccessDenied, DomainError
from grants.applications.models import Application, ApplicationState
from grants.applications.services.application import (
    application_propose_rejection,
    application_reject,
    application_request_revision,
    application_return_proposal,
    application_withdraw,
)
from grants.awards.models import Grant
from grants.awards.services.award import WORKFLOW_SERVICES as TRANSITION_SERVICES
from grants.awards.services.award import application_approve
from grants.carriers.models import OrganisationMembership
from tests.budgets.factories import UserFactory, membership

S = ApplicationState

ROLES = [
    "carrier",
    "other_carrier",
    "officer",
    "ancestor_officer",
    "sibling_officer",
    "unrelated_officer",
    "approver",
    "sibling_approver",
    "finance",
    "auditor",
    "superuser",
    "anonymous",
    "conflicted_officer",
    "conflicted_approver",
]
OFFICE_STAFF = {"officer", "ancestor_officer"}
CARRIERS = {"carrier", "conflicted_officer", "conflicted_approver"}
# Staff who are also members of the applying organisation (conflict of interest), with the
# office role they hold; they are created per test by ``person``.
CONFLICTED = {"conflicted_officer": "case_officer", "conflicted_approver": "approver"}

# transition → (state it is tried from, state it leads to, roles that may trigger it)
MATRIX = {
    "submit": (S.DRAFT, S.SUBMITTED, CARRIERS),
    "start_formal_check": (S.SUBMITTED, S.FORMAL_CHECK, OFFICE_STAFF),
    "complete_formal_check": (S.FORMAL_CHECK, S.CONTENT_REVIEW, OFFICE_STAFF),
    "request_revision": (S.FORMAL_CHECK, S.REVISION_REQUESTED, OFFICE_STAFF),
    "propose_approval": (S.CONTENT_REVIEW, S.APPROVAL_PROPOSED, OFFICE_STAFF),
    "propose_rejection": (S.CONTENT_REVIEW, S.REJECTION_PROPOSED, OFFICE_STAFF),
    "return_proposal": (S.APPROVAL_PROPOSED, S.CONTENT_REVIEW, {"approver"}),
    "approve": (S.APPROVAL_PROPOSED, S.APPROVED, {"approver"}),
    "reject": (S.REJECTION_PROPOSED, S.REJECTED, {"approver"}),
    "withdraw": (S.SUBMITTED, S.WITHDRAWN, CARRIERS),
}
CARRIER_STEPS = {"submit", "withdraw"}
DECISION_STEPS = {"return_proposal", "approve", "reject"}

# transition → every state it may start from
SOURCES = {
    "submit": {S.DRAFT, S.REVISION_REQUESTED},
    "start_formal_check": {S.SUBMITTED},
    "complete_formal_check": {S.FORMAL_CHECK},
    "request_revision": {S.SUBMITTED, S.FORMAL_CHECK, S.CONTENT_REVIEW},
    "propose_approval": {S.CONTENT_REVIEW},
    "propose_rejection": {S.FORMAL_CHECK, S.CONTENT_REVIEW},
    "return_proposal": {S.APPROVAL_PROPOSED, S.REJECTION_PROPOSED},
    "approve": {S.APPROVAL_PROPOSED},
    "reject": {S.REJECTION_PROPOSED},
    "withdraw": {
        S.DRAFT,
        S.SUBMITTED,
        S.FORMAL_CHECK,
        S.CONTENT_REVIEW,
        S.REVISION_REQUESTED,
        S.APPROVAL_PROPOSED,
        S.REJECTION_PROPOSED,
    },
}

NOT_A_CARRIER = "Only members of the applying organisation may change this application."
NOT_A_CASE_OFFICER = "Only a case officer of the responsible office can take this step."
NOT_AN_APPROVER = "Only an approver of the responsible office can decide on the application."
OWN_ORGANISATION = "Nobody may decide on a case of their own organisation."
FOUR_EYES = (
    "Four-eyes principle: the decision must be taken by someone other than the person who proposed it "
    "or reviewed its content."
)

ALLOWED_CASES = [(t, r) for t, (_s, _t, roles) in MATRIX.items() for r in ROLES if r in roles]
REFUSED_CASES = [(t, r) for t, (_s, _t, roles) in MATRIX.items() for r in ROLES if r not in roles]
WRONG_STATE_CASES = [(t, s) for t in MATRIX for s in S.values if s not in SOURCES[t]]
CONFLICT_CASES = [
    (t, r)
    for t in MATRIX
    if t not in CARRIER_STEPS
    for r in CONFLICTED
    if CONFLICTED[r] == ("approver" if t in DECISION_STEPS else "case_officer")
]


@pytest.fixture(autouse=True)
def _funded(workflow):
    # Envelopes exist before any snapshot, so the ledger counts compare only what a step books.
    workflow.fund()


def person(workflow, role: str):
    """The workflow's person for ``role``; a conflicted one is staff and a carrier member at once."""
    if role not in CONFLICTED:
        return workflow.person(role)
    user = UserFactory(username=role)
    membership(user, workflow.state_office, CONFLICTED[role])
    OrganisationMembership.objects.create(user=user, organisation=workflow.organisation)
    return user


def expected_refusal(transition: str, role: str) -> str:
    """The sentence of the first part of the step's rule that refuses ``role``."""
    if transition in CARRIER_STEPS:
        return NOT_A_CARRIER
    needed = "approver" if transition in DECISION_STEPS else "case_officer"
    if CONFLICTED.get(role) == needed:
        return OWN_ORGANISATION
    return NOT_AN_APPROVER if transition in DECISION_STEPS else NOT_A_CASE_OFFICER


def test_matrix_covers_every_transition_service():
    assert set(MATRIX) == set(TRANSITION_SERVICES) == set(SOURCES)


def _history(application: Application) -> tuple[int, int, int]:
    """State history of the application, ledger rows and grants: a refusal changes none of them."""
    return StateLog.objects.for_(application).count(), LedgerEntry.objects.count(), Grant.objects.count()


def _assert_nothing_changed(
    application: Application, state: str, history: tuple[int, int, int], callbacks: list
) -> None:
    application.refresh_from_db()
    assert application.state == state
    assert _history(application) == history
    assert callbacks == []
    assert mail.outbox == []


@pytest.mark.parametrize(("transition", "role"), ALLOWED_CASES)
def test_transition_is_performed_by_an_entitled_role(
    workflow, transition, role, django_capture_on_commit_callbacks
):
    source, target, _roles = MATRIX[transition]
    application = workflow.bring_to(source)
    history = _history(application)

    actor = person(workflow, role)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        result = workflow.step(application, transition, by=actor)

    application.refresh_from_db()
    assert result.state == application.state == target
    assert _history(application)[0] == history[0] + 1
    assert callbacks  # the carrier e-mail (and any other effect) waits for the commit
    assert len(mail.outbox) == 1


@pytest.mark.parametrize(("transition", "role"), REFUSED_CASES)
def test_transition_is_refused_to_every_other_role(
    workflow, transition, role, django_capture_on_commit_callbacks
):
    source, _target, _roles = MATRIX[transition]
    application = workflow.bring_to(source)
    actor = person(workflow, role)
    history = _history(application)

    with (
        translation.override("en"),
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(AccessDenied) as refused,
    ):
        workflow.step(application, transition, by=actor)

    assert refused.value.messages == [expected_refusal(transition, role)]
    _assert_nothing_changed(application, source, history, callbacks)


@pytest.mark.parametrize(("transition", "role"), CONFLICT_CASES)
def test_nobody_decides_on_an_application_of_their_own_organisation(
    workflow, transition, role, django_capture_on_commit_callbacks
):
    """Staff holding exactly the step's role are refused once they belong to the applicant."""
    source, _target, _roles = MATRIX[transition]
    application = workflow.bring_to(source)
    actor = person(workflow, role)
    history = _history(application)
    # Without the carrier membership the same person may take the step.
    OrganisationMembership.objects.filter(user=actor).delete()
    actor.__dict__.pop("_carrier_org_ids_cache", None)
    assert transition in Application.objects.get(pk=application.pk).available_steps(actor)
    OrganisationMembership.objects.create(user=actor, organisation=workflow.organisation)
    actor.__dict__.pop("_carrier_org_ids_cache", None)
    assert transition not in Application.objects.get(pk=application.pk).available_steps(actor)

    with (
        translation.override("en"),
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(AccessDenied) as refused,
    ):
        workflow.step(application, transition, by=actor)

    assert refused.value.messages == [OWN_ORGANISATION]
    _assert_nothing_changed(application, source, history, callbacks)


@pytest.mark.parametrize(("transition", "state"), WRONG_STATE_CASES)
def test_transition_is_refused_from_a_state_it_does_not_start_from(
    workflow, transition, state, django_capture_on_commit_callbacks
):
    application = workflow.bring_to(state)
    history = _history(application)

    with (
        translation.override("en"),
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(DomainError) as refused,
    ):
        workflow.step(application, transition)
    with translation.override("en"):
        label = str(S(state).label)

    assert not isinstance(refused.value, AccessDenied)
    assert refused.value.messages == [
        f"This step is not possible while the application is in state “{label}”."
    ]
    _assert_nothing_changed(application, state, history, callbacks)


@pytest.mark.parametrize("source", sorted(SOURCES["request_revision"]))
def test_revision_may_be_requested_from_every_review_state(workflow, source):
    application = workflow.step(workflow.bring_to(source), "request_revision")
    assert application.state == S.REVISION_REQUESTED


def test_rejection_may_be_proposed_during_the_formal_check(workflow):
    application = workflow.step(workflow.bring_to(S.FORMAL_CHECK), "propose_rejection")
    assert application.state == S.REJECTION_PROPOSED
    assert application.proposed_by == workflow.officer
    # The content was never reviewed, so nobody is barred from deciding for that reason.
    assert application.content_reviewed_by is None


def test_a_rejection_proposal_may_be_returned_to_review(workflow):
    application = workflow.step(workflow.bring_to(S.REJECTION_PROPOSED), "return_proposal")
    assert application.state == S.CONTENT_REVIEW


def test_a_revised_application_may_be_submitted_again(workflow):
    application = workflow.step(workflow.bring_to(S.REVISION_REQUESTED), "submit")
    assert application.state == S.SUBMITTED


# --- comments and reasons are required where the carrier needs them ---------------------------


@pytest.mark.parametrize(
    ("service", "state", "kwargs", "message"),
    [
        (
            application_request_revision,
            S.SUBMITTED,
            {"comment": "  "},
            "Please tell the carrier what needs to be revised.",
        ),
        (application_propose_rejection, S.CONTENT_REVIEW, {"reasons": " "}, "A rejection needs reasons."),
        (
            application_return_proposal,
            S.APPROVAL_PROPOSED,
            {"comment": ""},
            "Please say why the proposal goes back to review.",
        ),
    ],
    ids=["revision-needs-comment", "rejection-needs-reasons", "return-needs-comment"],
)
def test_steps_that_the_carrier_must_understand_need_a_text(workflow, service, state, kwargs, message):
    application = workflow.bring_to(state)
    history = _history(application)
    by = workflow.approver if service is application_return_proposal else workflow.officer
    with translation.override("en"), pytest.raises(DomainError) as refused:
        service(application=application, by=by, **kwargs)
    assert refused.value.messages == [message]
    application.refresh_from_db()
    assert (application.state, _history(application)) == (state, history)


# --- withdrawal ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "state",
    [
        S.DRAFT,
        S.SUBMITTED,
        S.FORMAL_CHECK,
        S.CONTENT_REVIEW,
        S.REVISION_REQUESTED,
        S.APPROVAL_PROPOSED,
        S.REJECTION_PROPOSED,
    ],
)
def test_carrier_may_withdraw_before_the_decision(workflow, state):
    application = application_withdraw(
        application=workflow.bring_to(state), by=workflow.carrier, comment="Projekt entfällt"
    )
    assert application.state == S.WITHDRAWN
    log = StateLog.objects.for_(application).order_by("-timestamp", "-pk").first()
    assert (log.source_state, log.state, log.by, log.description) == (
        state,
        "withdrawn",
        workflow.carrier,
        "Projekt entfällt",
    )


@pytest.mark.parametrize("state", [S.APPROVED, S.REJECTED, S.WITHDRAWN])
def test_withdrawal_is_refused_after_the_decision(workflow, state):
    application = workflow.bring_to(state)
    with translation.override("en"):
        with pytest.raises(DomainError) as refused:
            application_withdraw(application=application, by=workflow.carrier)
        label = str(S(state).label)
    assert refused.value.messages == [
        f"This step is not possible while the application is in state “{label}”."
    ]
    application.refresh_from_db()
    assert application.state == state


# --- four eyes -------------------------------------------------------------------------------


@pytest.fixture
def officer_who_approves(workflow):
    """The case officer also holds the approver role, as heads of small units do."""
    membership(workflow.officer, workflow.state_office, "approver")
    return workflow.officer


DECISIONS = [
    (application_approve, S.APPROVAL_PROPOSED, {}),
    (application_reject, S.REJECTION_PROPOSED, {}),
    (application_return_proposal, S.APPROVAL_PROPOSED, {"comment": "Bitte prüfen."}),
    (application_return_proposal, S.REJECTION_PROPOSED, {"comment": "Bitte prüfen."}),
]
DECISION_IDS = ["approve", "reject", "return-approval", "return-rejection"]


@pytest.mark.parametrize(("service", "state", "kwargs"), DECISIONS, ids=DECISION_IDS)
def test_approval_needs_a_second_person_not_the_proposer(
    workflow, officer_who_approves, service, state, kwargs, django_capture_on_commit_callbacks
):
    application = workflow.bring_to(state)
    assert application.proposed_by == officer_who_approves
    history = _history(application)

    with (
        translation.override("en"),
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(DomainError) as refused,
    ):
        service(application=application, by=officer_who_approves, **kwargs)

    assert refused.value.messages == [FOUR_EYES]
    _assert_nothing_changed(application, state, history, callbacks)


@pytest.mark.parametrize(("service", "state", "kwargs"), DECISIONS, ids=DECISION_IDS)
def test_approval_needs_a_second_person_not_the_content_reviewer(
    workflow, service, state, kwargs, django_capture_on_commit_callbacks
):
    application = workflow.bring_to(state)
    # The approver reviewed the content (e.g. before a revision round); someone else proposed.
    Application.objects.filter(pk=application.pk).update(content_reviewed_by=workflow.approver)
    history = _history(application)

    with (
        translation.override("en"),
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(DomainError) as refused,
    ):
        service(application=application, by=workflow.approver, **kwargs)

    assert refused.value.messages == [FOUR_EYES]
    _assert_nothing_changed(application, state, history, callbacks)


@pytest.mark.parametrize(("service", "state", "kwargs"), DECISIONS, ids=DECISION_IDS)
def test_approval_by_a_different_approver_is_accepted(workflow, officer_who_approves, service, state, kwargs):
    application = workflow.bring_to(state)
    result = service(application=application, by=workflow.approver, **kwargs)
    assert (
        result.state
        == {
            application_approve: S.APPROVED,
            application_reject: S.REJECTED,
            application_return_proposal: S.CONTENT_REVIEW,
        }[service]
    )
    if service is not application_return_proposal:
        assert result.decided_by == workflow.approver
        assert result.decided_at is not None


@pytest.mark.parametrize(
    ("method", "state"),
    [
        ("approve", S.APPROVAL_PROPOSED),
        ("reject", S.REJECTION_PROPOSED),
        ("return_proposal", S.APPROVAL_PROPOSED),
    ],
)
def test_the_model_itself_refuses_a_decision_by_the_proposer(workflow, officer_who_approves, method, state):
    application = Application.objects.get(pk=workflow.bring_to(state).pk)
    history = _history(application)

    with translation.override("en"), pytest.raises(DomainError) as refused:
        getattr(application, method)(by=officer_who_approves)

    assert refused.value.messages == [FOUR_EYES]
    assert application.state == state
    assert application.decided_by is None
    application.refresh_from_db()
    assert application.state == state
    assert _history(application) == history


def test_the_model_itself_refuses_a_decision_without_a_person(workflow):
    application = Application.objects.get(pk=workflow.bring_to(S.APPROVAL_PROPOSED).pk)
    with pytest.raises(DomainError):
        application.approve(by=None)
    assert application.state == S.APPROVAL_PROPOSED


# --- the sentences as the German user reads them ---------------------------------------------

GERMAN_REFUSALS = [
    (
        "start_formal_check",
        "finance",
        "Nur die Sachbearbeitung der zuständigen Stelle kann diesen Schritt ausführen.",
    ),
    ("approve", "officer", "Nur die Bewilligung der zuständigen Stelle kann über den Antrag entscheiden."),
    ("withdraw", "approver", "Nur Mitglieder des antragstellenden Trägers dürfen diesen Antrag ändern."),
    ("reject", "conflicted_approver", "Niemand darf über einen Fall der eigenen Organisation entscheiden."),
    (
        "propose_approval",
        "conflicted_officer",
        "Niemand darf über einen Fall der eigenen Organisation entscheiden.",
    ),
]


@pytest.mark.parametrize(("transition", "role", "message"), GERMAN_REFUSALS)
def test_a_refusal_names_the_rule_in_german(
    workflow, transition, role, message, django_capture_on_commit_callbacks
):
    source, _target, _roles = MATRIX[transition]
    application = workflow.bring_to(source)
    actor = person(workflow, role)
    history = _history(application)

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(AccessDenied) as refused,
    ):
        workflow.step(application, transition, by=actor)

    assert refused.value.messages == [message]
    _assert_nothing_changed(application, source, history, callbacks)
